// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are sinker's own ${field} templates
import { describe, expect, test } from 'bun:test'
import { parseConfig } from '../../../src/config/load'
import { validateConfig } from '../../../src/config/validate'
import { fullRaw, issuesOf, minimalRaw, type Raw, setAt } from './raw-config'

function withRoutes(raw: Raw, topics: string[], routes: Raw[]): Raw {
  setAt(raw, 'kafka.topics', topics)
  return setAt(raw, 'tables', routes)
}

describe('validateConfig', () => {
  test('finds nothing wrong with the minimal and the full config', () => {
    expect(validateConfig(parseConfig(minimalRaw()))).toEqual([])
    expect(validateConfig(parseConfig(fullRaw()))).toEqual([])
  })

  test('accepts exactly_once', () => {
    const raw = setAt(minimalRaw(), 'delivery', { guarantee: 'exactly_once' })
    expect(parseConfig(raw).delivery.guarantee).toBe('exactly_once')
  })

  test('requires exactly one of topics and topic_pattern', () => {
    const both = setAt(minimalRaw(), 'kafka.topic_pattern', '^events$')
    expect(issuesOf(both)).toEqual([
      'kafka.topic_pattern: set either kafka.topics or kafka.topic_pattern, not both',
    ])
    const neither = setAt(minimalRaw(), 'kafka.topics', undefined)
    expect(issuesOf(neither)).toEqual(['kafka.topics: required (or kafka.topic_pattern)'])
  })

  test('accepts a topic pattern that every route topic matches', () => {
    const raw = setAt(minimalRaw(), 'kafka.topics', undefined)
    setAt(raw, 'kafka.topic_pattern', '^ev')
    expect(issuesOf(raw)).toEqual([])
    setAt(raw, 'kafka.topic_pattern', '^other')
    expect(issuesOf(raw)).toEqual(['tables.0.topic: "events" does not match kafka.topic_pattern'])
  })

  test('requires every route topic to be subscribed and every topic to be routed', () => {
    const raw = withRoutes(
      minimalRaw(),
      ['events', 'unrouted'],
      [
        { topic: 'events', table: 'a' },
        { topic: 'elsewhere', table: 'b' },
      ],
    )
    expect(issuesOf(raw)).toEqual([
      'tables.1.topic: "elsewhere" is not in kafka.topics',
      'kafka.topics.1: "unrouted" has no route in tables',
    ])
  })

  test('rejects a topic listed twice and a topic routed twice', () => {
    const raw = withRoutes(
      minimalRaw(),
      ['events', 'events'],
      [
        { topic: 'events', table: 'a' },
        { topic: 'events', table: 'b' },
      ],
    )
    expect(issuesOf(raw)).toEqual([
      'kafka.topics.1: "events" is listed twice',
      'tables.1.topic: "events" is already routed by tables.0',
    ])
  })

  test('requires columns in manual mode and refuses them in auto mode', () => {
    expect(issuesOf(setAt(minimalRaw(), 'tables.0.schema', 'manual'))).toEqual([
      'tables.0.columns: required when schema is manual',
    ])
    expect(
      issuesOf(setAt(minimalRaw(), 'tables.0.columns', [{ name: 'a', type: 'String' }])),
    ).toEqual(['tables.0.columns: only used when schema is manual'])
  })

  test('rejects a column named twice and dynamic schema in manual mode', () => {
    const raw = setAt(minimalRaw(), 'tables.0', {
      topic: 'events',
      table: 't',
      schema: 'manual',
      columns: [
        { name: 'a', type: 'String' },
        { name: 'a', type: 'UInt8' },
      ],
      dynamic_schema: { enabled: true },
    })
    expect(issuesOf(raw)).toEqual([
      'tables.0.dynamic_schema.enabled: only used when schema is auto',
      'tables.0.columns.1.name: "a" appears twice',
    ])
  })

  test('allows default_table and default_database only beside a template', () => {
    const fixed = setAt(minimalRaw(), 'tables.0', {
      topic: 'events',
      table: 'events',
      database: 'db',
      default_table: 'other',
      default_database: 'db2',
    })
    expect(issuesOf(fixed)).toEqual([
      'tables.0.default_table: only used when table is a template',
      'tables.0.default_database: only used when database is a template',
    ])
    const templated = setAt(minimalRaw(), 'tables.0', {
      topic: 'events',
      table: 'events_${tenant}',
      database: 'db_${meta.region}',
      default_table: 'other',
      default_database: 'db2',
    })
    expect(issuesOf(templated)).toEqual([])
  })

  test('requires SASL credentials exactly with a SASL protocol', () => {
    const sasl = setAt(minimalRaw(), 'kafka.security', { protocol: 'sasl_plaintext' })
    expect(issuesOf(sasl)).toEqual([
      'kafka.security.sasl: required when protocol is sasl_plaintext',
    ])
    const ssl = setAt(fullRaw(), 'kafka.security.protocol', 'ssl')
    expect(issuesOf(ssl)).toEqual([
      'kafka.security.sasl: only used with protocol sasl_plaintext or sasl_ssl',
    ])
  })

  test('rejects rdkafka properties that sinker manages itself', () => {
    const raw = setAt(minimalRaw(), 'kafka.rdkafka', {
      'group.id': 'x',
      'enable.auto.commit': true,
      'linger.ms': 5,
    })
    expect(issuesOf(raw)).toEqual([
      'kafka.rdkafka.group.id: set by sinker; use kafka.group_id',
      'kafka.rdkafka.enable.auto.commit: set by sinker; offsets are committed by sinker only after a write',
    ])
  })

  test('requires the retry backoff to start below its cap', () => {
    const raw = setAt(minimalRaw(), 'delivery', {
      retry: { initial_backoff_ms: 2000, max_backoff_ms: 1000 },
    })
    expect(issuesOf(raw)).toEqual([
      'delivery.retry.initial_backoff_ms: must not exceed delivery.retry.max_backoff_ms (1000)',
    ])
  })

  test('requires room in flight for at least one full batch', () => {
    const raw = setAt(minimalRaw(), 'delivery', { max_inflight_bytes: 10_000 })
    setAt(raw, 'batch', { max_bytes: 20_000 })
    expect(issuesOf(raw)).toEqual([
      'delivery.max_inflight_bytes: must be at least batch.max_bytes (20000)',
    ])
  })

  test('requires exactly one dead-letter destination, never a consumed topic', () => {
    expect(issuesOf(setAt(minimalRaw(), 'dead_letter', {}))).toEqual([
      'dead_letter: set exactly one of dead_letter.topic, dead_letter.file',
    ])
    expect(issuesOf(setAt(minimalRaw(), 'dead_letter', { topic: 'd', file: 'f' }))).toEqual([
      'dead_letter: set exactly one of dead_letter.topic, dead_letter.file',
    ])
    expect(issuesOf(setAt(minimalRaw(), 'dead_letter', { topic: 'events' }))).toEqual([
      'dead_letter.topic: "events" is also consumed by kafka, which would loop',
    ])
    expect(issuesOf(setAt(minimalRaw(), 'dead_letter', { topic: 'events.dlq' }))).toEqual([])
  })
})
