import { describe, expect, test } from 'bun:test'
import { inspect } from 'node:util'
import { parseConfig } from '../../../src/config/load'
import { redactConfig, redactUrl } from '../../../src/config/redact'
import { REDACTED } from '../../../src/config/secret'
import { fullRaw, setAt } from './raw-config'

const SECRETS = ['kafka-pw', 'ch-pw', 'doris-pw', 'debug-tok']

describe('secrets in a parsed config', () => {
  test('never appear in JSON.stringify, String() or inspect of the config', () => {
    const cfg = parseConfig(fullRaw())
    const printed = [JSON.stringify(cfg), inspect(cfg, { depth: 10 }), Bun.inspect(cfg)].join('\n')
    for (const secret of SECRETS) expect(printed).not.toContain(secret)
    expect(String(cfg.sink.clickhouse?.password)).toBe(REDACTED)
    expect(`${cfg.server.debug_token}`).toBe(REDACTED)
  })

  test('are still there for the code that uses them', () => {
    const cfg = parseConfig(fullRaw())
    expect(cfg.sink.clickhouse?.password.reveal()).toBe('ch-pw')
    expect(cfg.sink.doris?.password.reveal()).toBe('doris-pw')
    expect(cfg.kafka.security.sasl?.password.reveal()).toBe('kafka-pw')
    expect(cfg.server.debug_token.reveal()).toBe('debug-tok')
  })
})

describe('redactConfig', () => {
  test('returns plain data with every secret replaced and everything else kept', () => {
    const cfg = parseConfig(fullRaw())
    const redacted = redactConfig(cfg)
    expect(redacted.sink.doris?.password).toBe(REDACTED)
    expect(redacted.kafka.security.sasl?.password).toBe(REDACTED)
    expect(redacted.server).toEqual({ listen: '0.0.0.0:9091', debug_token: REDACTED })
    expect(redacted.tables).toEqual(JSON.parse(JSON.stringify(cfg.tables)))
    expect(JSON.parse(JSON.stringify(redacted))).toEqual(redacted)
  })

  test('hides librdkafka properties that carry credentials', () => {
    const raw = setAt(fullRaw(), 'kafka.rdkafka', {
      'ssl.key.password': 'k1',
      'sasl.oauthbearer.client.secret': 'k2',
      'ssl.key.pem': 'k3',
      'linger.ms': 5,
    })
    const rdkafka = redactConfig(parseConfig(raw)).kafka.rdkafka
    expect(rdkafka).toEqual({
      'ssl.key.password': REDACTED,
      'sasl.oauthbearer.client.secret': REDACTED,
      'ssl.key.pem': REDACTED,
      'linger.ms': 5,
    })
  })

  test('hides credentials carried in URLs', () => {
    const raw = setAt(fullRaw(), 'ledger.url', 'libsql://db.example:8080?authToken=tok123')
    setAt(raw, 'sink.clickhouse.url', 'http://user:pw123@ch:8123/')
    const printed = JSON.stringify(redactConfig(parseConfig(raw)))
    expect(printed).not.toContain('tok123')
    expect(printed).not.toContain('pw123')
    expect(printed).toContain('db.example:8080')
  })
})

describe('redactUrl', () => {
  test('leaves strings that are not URLs, and URLs without credentials, untouched', () => {
    expect(redactUrl('file:./data/ledger.db')).toBe('file:./data/ledger.db')
    expect(redactUrl('http://ch:8123')).toBe('http://ch:8123')
    expect(redactUrl('plain text')).toBe('plain text')
  })

  test('replaces a URL password but keeps the user', () => {
    const redacted = redactUrl('https://alice:s3cret@host/')
    expect(redacted).toContain('alice')
    expect(redacted).not.toContain('s3cret')
  })
})
