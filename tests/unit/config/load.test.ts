import { describe, expect, test } from 'bun:test'
import { loadConfig } from '../../../src/config/load'
import { ConfigError } from '../../../src/errors'

const MINIMAL = `
kafka:
  brokers: ["127.0.0.1:9092"]
  group_id: sinker
  topics: [events]
sink:
  type: clickhouse
tables:
  - topic: events
    table: events
`

function load(text: string, env: Record<string, string | undefined> = {}) {
  return loadConfig({ path: 'sinker.yaml', env, readFile: () => text })
}

function issuesOfLoad(text: string, env: Record<string, string | undefined> = {}): string[] {
  try {
    load(text, env)
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues]
    throw error
  }
  throw new Error('expected a ConfigError')
}

describe('loadConfig', () => {
  test('reads, validates and returns a config with defaults', () => {
    const cfg = load(MINIMAL)
    expect(cfg.kafka.group_id).toBe('sinker')
    expect(cfg.batch.max_rows).toBe(100_000)
  })

  test('passes the path to readFile', () => {
    const seen: string[] = []
    const readFile = (path: string) => {
      seen.push(path)
      return MINIMAL
    }
    loadConfig({ path: '/etc/sinker.yaml', env: {}, readFile })
    expect(seen).toEqual(['/etc/sinker.yaml'])
  })

  test('says so when the file does not exist', () => {
    const missing = () => loadConfig({ path: '/nonexistent/sinker.yaml', env: {} })
    expect(missing).toThrow(ConfigError)
    expect(missing).toThrow('/nonexistent/sinker.yaml: config file not found')
  })

  test('names the file and the reason when it cannot be read', () => {
    const readFile = () => {
      throw Object.assign(new Error('permission denied'), { code: 'EACCES' })
    }
    expect(() => loadConfig({ path: 'x.yaml', env: {}, readFile })).toThrow(
      'x.yaml: cannot read config file: permission denied',
    )
  })

  test('names line and column of a YAML syntax error', () => {
    const issues = issuesOfLoad('kafka:\n  brokers: [a\n  group_id: : x\n')
    expect(issues.length).toBeGreaterThan(0)
    expect(issues[0]).toMatch(/^sinker\.yaml:3:\d+: YAML syntax error: /)
  })

  test('rejects duplicate keys as a YAML error', () => {
    const issues = issuesOfLoad(`${MINIMAL}\nlog: {level: info}\nlog: {level: debug}\n`)
    expect(issues[0]).toMatch(/^sinker\.yaml:\d+:\d+: YAML syntax error: .*unique/i)
  })

  test('reports an empty file as a missing document', () => {
    expect(issuesOfLoad('')).toEqual(['(root): expected a mapping, received null'])
  })

  test('supports anchors and merge keys for shared route settings', () => {
    const text = `${MINIMAL.replace('topics: [events]', 'topics: [events, clicks]')}
  - <<: *route
    topic: clicks
`.replace(
      '  - topic: events\n    table: events',
      '  - &route\n    topic: events\n    table: events',
    )
    const cfg = load(text)
    expect(cfg.tables.map((route) => [route.topic, route.table])).toEqual([
      ['events', 'events'],
      ['clicks', 'events'],
    ])
  })

  test('applies environment overrides before validation', () => {
    const cfg = load(MINIMAL, {
      SINKER__KAFKA__GROUP_ID: 'g2',
      SINKER__KAFKA__RDKAFKA__SESSION_TIMEOUT_MS: '6000',
      SINKER__SINK__CLICKHOUSE__PASSWORD: 'pw',
      SINKER__TABLES__0__TABLE: 'renamed',
    })
    expect(cfg.kafka.group_id).toBe('g2')
    expect(cfg.kafka.rdkafka).toEqual({ 'session.timeout.ms': 6000 })
    expect(cfg.sink.clickhouse?.password.reveal()).toBe('pw')
    expect(cfg.tables[0]?.table).toBe('renamed')
  })

  test('names the environment variable behind an invalid value', () => {
    expect(issuesOfLoad(MINIMAL, { SINKER__BATCH__MAX_ROWS: '0' })).toEqual([
      'batch.max_rows: expected >=1, received 0 (set by SINKER__BATCH__MAX_ROWS)',
    ])
    expect(issuesOfLoad(MINIMAL, { SINKER__KAFKA__NOPE: '1' })).toEqual([
      'kafka.nope: unknown key (set by SINKER__KAFKA__NOPE)',
    ])
  })

  test('reports an environment variable that cannot be applied', () => {
    expect(issuesOfLoad(MINIMAL, { SINKER__KAFKA____X: '1' })).toEqual([
      'SINKER__KAFKA____X: empty path segment',
    ])
  })

  test('lists schema problems one per line in the error message', () => {
    const error = (() => {
      try {
        load('kafka: {group_id: 1}\nsink: {type: x}\ntables: []\n')
      } catch (caught) {
        return caught as ConfigError
      }
    })()
    expect(error?.code).toBe('config_error')
    expect(error?.message.split('\n')).toEqual([
      'kafka.brokers: required',
      'kafka.group_id: expected string, received number',
      'sink.type: expected "clickhouse" | "doris", received "x"',
      'tables: expected at least one route',
    ])
  })
})

const configPath = (name: string) => new URL(`../../../configs/${name}`, import.meta.url).pathname

describe('the shipped example configs', () => {
  test('configs/sinker.yaml loads and sets every section', () => {
    const cfg = loadConfig({ path: configPath('sinker.yaml'), env: {} })
    expect(Object.keys(cfg).sort()).toEqual(
      [
        'batch',
        'dead_letter',
        'delivery',
        'kafka',
        'ledger',
        'log',
        'server',
        'sink',
        'tables',
      ].sort(),
    )
    expect(cfg.sink.doris?.fe_urls).toEqual(['http://127.0.0.1:8030'])
  })

  test('configs/demo.yaml loads with the demo endpoints', () => {
    const cfg = loadConfig({ path: configPath('demo.yaml'), env: {} })
    expect(cfg.kafka.brokers).toEqual(['127.0.0.1:19092'])
    expect(cfg.kafka.topics).toEqual(['sinker.demo.events'])
    expect(cfg.sink).toMatchObject({
      type: 'clickhouse',
      clickhouse: { url: 'http://127.0.0.1:18123', database: 'sinker_demo' },
    })
    expect(cfg.tables).toMatchObject([{ table: 'events', database: 'sinker_demo', schema: 'auto' }])
    expect(cfg.dead_letter).toEqual({ file: './data/dead-letter.ndjson' })
    expect(cfg.ledger.url).toBe('file:./data/ledger.db')
    expect(cfg.server.listen).toBe('127.0.0.1:9090')
  })
})
