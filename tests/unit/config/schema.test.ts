import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import * as v from 'valibot'
import { parseConfig } from '../../../src/config/load'
import { ConfigSchema } from '../../../src/config/schema'
import { Secret } from '../../../src/config/secret'
import { fullRaw, getAt, issuesOf, minimalRaw, setAt } from './raw-config'

describe('config schema defaults', () => {
  test('fills every optional key with the SPEC default', () => {
    const cfg = parseConfig(minimalRaw())
    expect(cfg.kafka).toMatchObject({
      client_id: 'sinker',
      start_from: 'earliest',
      fetch_max_bytes: 52_428_800,
      security: { protocol: 'plaintext' },
      rdkafka: {},
    })
    expect(cfg.batch).toEqual({ max_rows: 100_000, max_bytes: 52_428_800, max_interval_ms: 5_000 })
    expect(cfg.delivery).toEqual({
      guarantee: 'at_least_once',
      retry: { max_attempts: 0, initial_backoff_ms: 500, max_backoff_ms: 30_000 },
      max_inflight_bytes: 268_435_456,
      shutdown_timeout_ms: 30_000,
    })
    expect(cfg.dead_letter).toBeUndefined()
    expect(cfg.ledger).toEqual({ url: 'file:./data/ledger.db', action_timeout_ms: 30_000 })
    expect(cfg.server.listen).toBe('127.0.0.1:9090')
    expect(cfg.server.debug_token.isEmpty()).toBe(true)
    expect(cfg.log).toEqual({ level: 'info', format: 'json' })
  })

  test('gives a route its timezone, schema mode and dynamic schema defaults', () => {
    const route = parseConfig(minimalRaw()).tables[0]
    expect(route).toEqual({
      topic: 'events',
      table: 'events',
      timezone: 'UTC',
      schema: 'auto',
      dynamic_schema: { enabled: false, max_columns: 500, allow: '^[a-z][a-z0-9_]{0,62}$' },
    })
  })

  test('gives the chosen clickhouse sink its defaults when its section is omitted', () => {
    const cfg = parseConfig(minimalRaw())
    if (cfg.sink.type !== 'clickhouse') throw new Error('expected clickhouse')
    expect(cfg.sink.doris).toBeUndefined()
    expect({ ...cfg.sink.clickhouse, password: cfg.sink.clickhouse.password.reveal() }).toEqual({
      url: 'http://127.0.0.1:8123',
      user: 'default',
      password: '',
      database: 'default',
      compression: 'none',
      request_timeout_ms: 30_000,
    })
  })

  test('gives the chosen doris sink its defaults when its section is omitted', () => {
    const cfg = parseConfig(setAt(minimalRaw(), 'sink', { type: 'doris' }))
    if (cfg.sink.type !== 'doris') throw new Error('expected doris')
    expect(cfg.sink.clickhouse).toBeUndefined()
    expect(cfg.sink.doris).toMatchObject({
      fe_urls: ['http://127.0.0.1:8030'],
      user: 'root',
      database: 'demo',
      format: 'json',
    })
  })

  test('still validates the section of the sink that was not chosen', () => {
    const raw = setAt(minimalRaw(), 'sink.doris', { format: 'parquet' })
    expect(issuesOf(raw)).toEqual([
      'sink.doris.format: expected "json" | "csv", received "parquet"',
    ])
  })

  test('accepts the full example with every optional object present', () => {
    const cfg = parseConfig(fullRaw())
    expect(cfg.delivery.guarantee).toBe('exactly_once')
    expect(cfg.kafka.security.sasl?.password).toBeInstanceOf(Secret)
    expect(cfg.kafka.rdkafka).toEqual({
      'session.timeout.ms': 6000,
      'ssl.ca.location': '/ca.pem',
      'socket.nagle.disable': true,
    })
  })

  test('splits a comma-separated brokers string into a list', () => {
    const cfg = parseConfig(setAt(minimalRaw(), 'kafka.brokers', 'a:9092, b:9092'))
    expect(cfg.kafka.brokers).toEqual(['a:9092', 'b:9092'])
  })

  test('describes every field it declares', () => {
    expect(undescribedFields(ConfigSchema as unknown as SchemaNode, '')).toEqual([])
  })
})

type SchemaNode = {
  type?: string
  kind?: string
  pipe?: SchemaNode[]
  wrapped?: SchemaNode
  item?: SchemaNode
  options?: SchemaNode[]
  entries?: Record<string, SchemaNode>
}

function hasDescription(node: SchemaNode): boolean {
  if (node.pipe?.some((action) => action.type === 'description')) return true
  if (node.wrapped) return hasDescription(node.wrapped)
  return node.pipe?.[0] ? hasDescription(node.pipe[0]) : false
}

/** Dotted paths of object fields whose schema carries no `v.description`. */
function undescribedFields(node: SchemaNode, path: string): string[] {
  const children = [...(node.pipe ?? []), node.wrapped, node.item, ...(node.options ?? [])]
  const nested = children.flatMap((child) => (child ? undescribedFields(child, path) : []))
  const own = Object.entries(node.entries ?? {}).flatMap(([key, child]) => [
    ...(hasDescription(child) ? [] : [`${path}${key}`]),
    ...undescribedFields(child, `${path}${key}.`),
  ])
  return [...new Set([...nested, ...own])]
}

const ENUMS: [string, readonly string[], string][] = [
  ['kafka.start_from', ['earliest', 'latest'], '"earliest" | "latest"'],
  [
    'kafka.security.protocol',
    ['plaintext', 'ssl'],
    '"plaintext" | "ssl" | "sasl_plaintext" | "sasl_ssl"',
  ],
  ['sink.clickhouse.compression', ['none', 'gzip'], '"none" | "gzip"'],
  ['sink.doris.format', ['json', 'csv'], '"json" | "csv"'],
  ['tables.0.schema', ['auto'], '"auto" | "manual"'],
  ['delivery.guarantee', ['at_least_once', 'exactly_once'], '"at_least_once" | "exactly_once"'],
  ['log.level', ['debug', 'info', 'warn', 'error'], '"debug" | "info" | "warn" | "error"'],
  ['log.format', ['json', 'pretty'], '"json" | "pretty"'],
]

function rawWithObjects() {
  return {
    ...minimalRaw(),
    sink: { type: 'clickhouse', clickhouse: {}, doris: {} },
    delivery: {},
    log: {},
  }
}

describe('config schema enums', () => {
  for (const [path, values, expected] of ENUMS) {
    test(`accepts every value of ${path} and names them all on a bad one`, () => {
      for (const value of values) {
        const raw = setAt(rawWithObjects(), 'kafka.security', {})
        expect(getAt(parseConfig(setAt(raw, path, value)), path)).toBe(value)
      }
      const raw = setAt(setAt(rawWithObjects(), 'kafka.security', {}), path, 'bogus')
      expect(issuesOf(raw)).toEqual([`${path}: expected ${expected}, received "bogus"`])
    })
  }

  test('accepts every SASL mechanism', () => {
    for (const mechanism of ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
      const raw = fullRaw()
      setAt(raw, 'kafka.security.sasl.mechanism', mechanism)
      expect(parseConfig(raw).kafka.security.sasl?.mechanism).toBe(mechanism)
    }
    expect(issuesOf(setAt(fullRaw(), 'kafka.security.sasl.mechanism', 'GSSAPI'))).toEqual([
      'kafka.security.sasl.mechanism: expected "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512", received "GSSAPI"',
    ])
  })

  test('rejects an unknown sink type naming both', () => {
    expect(issuesOf(setAt(minimalRaw(), 'sink.type', 'kafka'))).toEqual([
      'sink.type: expected "clickhouse" | "doris", received "kafka"',
    ])
  })
})

const OBJECT_PATHS = [
  '',
  'kafka',
  'kafka.security',
  'kafka.security.sasl',
  'sink',
  'sink.clickhouse',
  'sink.doris',
  'tables.0',
  'tables.0.columns.0',
  'tables.0.dynamic_schema',
  'batch',
  'delivery',
  'delivery.retry',
  'dead_letter',
  'ledger',
  'server',
  'log',
]

describe('config schema unknown keys', () => {
  for (const path of OBJECT_PATHS) {
    test(`rejects an unknown key in ${path || 'the root'} naming its full path`, () => {
      const raw = fullRaw()
      const target = path === '' ? raw : (getAt(raw, path) as Record<string, unknown>)
      target.bogus_key = 1
      const where = path === '' ? 'bogus_key' : `${path}.bogus_key`
      expect(issuesOf(raw)).toEqual([`${where}: unknown key`])
    })
  }

  test('rejects any random unknown key at any level, naming it', () => {
    const known = (path: string) => Object.keys(getAt(fullRaw(), path) ?? fullRaw())
    fc.assert(
      fc.property(
        fc.constantFrom(...OBJECT_PATHS),
        fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,20}$/),
        (path, key) => {
          fc.pre(!known(path).includes(key) && key !== '__proto__')
          const raw = fullRaw()
          const target = path === '' ? raw : (getAt(raw, path) as Record<string, unknown>)
          target[key] = 'x'
          const where = path === '' ? key : `${path}.${key}`
          expect(issuesOf(raw)).toContain(`${where}: unknown key`)
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe('config schema bad values', () => {
  const cases: [string, unknown, string][] = [
    ['kafka.group_id', 42, 'kafka.group_id: expected string, received number'],
    ['kafka.group_id', '', 'kafka.group_id: expected a non-empty string'],
    ['kafka.brokers', [], 'kafka.brokers: expected at least one broker'],
    ['kafka.brokers', [7], 'kafka.brokers.0: expected string, received number'],
    ['kafka.topics', 'events', 'kafka.topics: expected Array, received string'],
    ['kafka.topic_pattern', '([', 'kafka.topic_pattern: expected a valid regular expression'],
    ['kafka.fetch_max_bytes', 1.5, 'kafka.fetch_max_bytes: expected integer, received 1.5'],
    [
      'kafka.rdkafka',
      { 'a.b': null },
      'kafka.rdkafka.a.b: expected string | number | boolean, received null',
    ],
    [
      'sink.clickhouse',
      { url: 'ftp://x' },
      'sink.clickhouse.url: expected an http:// or https:// URL',
    ],
    [
      'sink.clickhouse',
      { password: 1234 },
      'sink.clickhouse.password: expected string, received number',
    ],
    ['tables', [], 'tables: expected at least one route'],
    ['tables.0.table', 'a-b', 'tables.0.table: expected a name of 1-64 characters [A-Za-z0-9_]'],
    [
      'tables.0.timezone',
      'Mars/Olympus',
      'tables.0.timezone: expected an IANA time zone such as UTC or Europe/Berlin',
    ],
    [
      'tables.0.dynamic_schema',
      { allow: '(' },
      'tables.0.dynamic_schema.allow: expected a valid regular expression',
    ],
    [
      'tables.0.dynamic_schema',
      { max_columns: 0 },
      'tables.0.dynamic_schema.max_columns: expected >=1, received 0',
    ],
    ['batch', { max_rows: 0 }, 'batch.max_rows: expected >=1, received 0'],
    ['batch', { max_bytes: -1 }, 'batch.max_bytes: expected >=1024, received -1'],
    ['batch', { max_interval_ms: '5s' }, 'batch.max_interval_ms: expected number, received string'],
    [
      'delivery',
      { retry: { max_attempts: -1 } },
      'delivery.retry.max_attempts: expected >=0, received -1',
    ],
    [
      'ledger',
      { url: 'postgres://x' },
      'ledger.url: expected file:PATH, libsql://, http(s)://, ws(s):// or :memory:',
    ],
    ['server', { listen: '9090' }, 'server.listen: expected host:port, port 0-65535'],
    ['server', { listen: 'h:70000' }, 'server.listen: expected host:port, port 0-65535'],
    ['kafka', null, 'kafka: expected a mapping, received null'],
    ['batch', [1], 'batch: expected a mapping, received list'],
    ['sink', 'clickhouse', 'sink: expected a mapping, received string'],
  ]
  for (const [path, value, message] of cases) {
    test(`reports ${JSON.stringify(value)} at ${path} as "${message}"`, () => {
      expect(issuesOf(setAt(minimalRaw(), path, value))).toEqual([message])
    })
  }

  test('reports a missing required key as required', () => {
    expect(issuesOf(setAt(minimalRaw(), 'kafka.group_id', undefined))).toEqual([
      'kafka.group_id: required',
    ])
    expect(issuesOf(setAt(minimalRaw(), 'tables', undefined))).toEqual(['tables: required'])
  })

  test('reports a document that is not a mapping at the root', () => {
    expect(issuesOf(null)).toEqual(['(root): expected a mapping, received null'])
    expect(issuesOf([1])).toEqual(['(root): expected a mapping, received list'])
  })

  test('reports every problem, one line each', () => {
    const raw = setAt(setAt(minimalRaw(), 'kafka.group_id', 1), 'log', { level: 'loud' })
    expect(issuesOf(raw)).toEqual([
      'kafka.group_id: expected string, received number',
      'log.level: expected "debug" | "info" | "warn" | "error", received "loud"',
    ])
  })

  test('never echoes a secret of the wrong type', () => {
    const raw = setAt(minimalRaw(), 'server', { debug_token: ['s3cr3t-value'] })
    expect(issuesOf(raw).join('\n')).not.toContain('s3cr3t-value')
  })

  test('parses with the same schema the type comes from', () => {
    expect(v.safeParse(ConfigSchema, minimalRaw()).success).toBe(true)
  })
})
