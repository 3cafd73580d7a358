import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { applyEnvOverrides, envPath } from '../../../src/config/env-overrides'
import { getAt, minimalRaw } from './raw-config'

describe('envPath', () => {
  test('lower-cases the segments between double underscores', () => {
    expect(envPath('SINKER__KAFKA__GROUP_ID')).toEqual(['kafka', 'group_id'])
    expect(envPath('SINKER__TABLES__0__TABLE')).toEqual(['tables', '0', 'table'])
  })

  test('turns underscores into dots below kafka.rdkafka', () => {
    expect(envPath('SINKER__KAFKA__RDKAFKA__SESSION_TIMEOUT_MS')).toEqual([
      'kafka',
      'rdkafka',
      'session.timeout.ms',
    ])
  })

  test('rejects empty segments and nesting below an rdkafka property', () => {
    expect(envPath('SINKER__KAFKA____GROUP_ID')).toBe('empty path segment')
    expect(envPath('SINKER__')).toBe('empty path segment')
    expect(typeof envPath('SINKER__KAFKA__RDKAFKA__A__B')).toBe('string')
  })
})

describe('applyEnvOverrides', () => {
  test('sets a scalar read as YAML: strings, numbers and booleans', () => {
    const { value } = applyEnvOverrides(minimalRaw(), {
      SINKER__KAFKA__GROUP_ID: 'g2',
      SINKER__BATCH__MAX_ROWS: '500',
      SINKER__TABLES__0__DYNAMIC_SCHEMA__ENABLED: 'true',
    })
    expect(getAt(value, 'kafka.group_id')).toBe('g2')
    expect(getAt(value, 'batch.max_rows')).toBe(500)
    expect(getAt(value, 'tables.0.dynamic_schema.enabled')).toBe(true)
  })

  test('sets a flow list', () => {
    const { value } = applyEnvOverrides(minimalRaw(), { SINKER__KAFKA__TOPICS: '[a, b.c, "d"]' })
    expect(getAt(value, 'kafka.topics')).toEqual(['a', 'b.c', 'd'])
  })

  test('sets an rdkafka property by its dotted name', () => {
    const { value, sources } = applyEnvOverrides(minimalRaw(), {
      SINKER__KAFKA__RDKAFKA__SESSION_TIMEOUT_MS: '6000',
    })
    expect(getAt(value, 'kafka.rdkafka')).toEqual({ 'session.timeout.ms': 6000 })
    expect(sources.get('kafka.rdkafka.session.timeout.ms')).toBe(
      'SINKER__KAFKA__RDKAFKA__SESSION_TIMEOUT_MS',
    )
  })

  test('addresses list items by index and may append one past the end', () => {
    const { value, issues } = applyEnvOverrides(minimalRaw(), {
      SINKER__TABLES__0__TABLE: 'renamed',
      SINKER__TABLES__1__TOPIC: 'other',
      SINKER__TABLES__1__TABLE: 'other_t',
    })
    expect(issues).toEqual([])
    expect(getAt(value, 'tables')).toEqual([
      { topic: 'events', table: 'renamed' },
      { topic: 'other', table: 'other_t' },
    ])
  })

  test('applies indices in numeric order, so item 2 exists before item 10', () => {
    const env: Record<string, string> = {}
    for (let i = 0; i <= 11; i++) env[`SINKER__KAFKA__TOPICS__${i}`] = `t${i}`
    const { value, issues } = applyEnvOverrides({}, env)
    expect(issues).toEqual([])
    expect(getAt(value, 'kafka.topics')).toEqual(Array.from({ length: 12 }, (_, i) => `t${i}`))
  })

  test('reports an index past the end of a list', () => {
    const { issues } = applyEnvOverrides(minimalRaw(), { SINKER__TABLES__5__TABLE: 'x' })
    expect(issues).toEqual([
      'SINKER__TABLES__5__TABLE: tables.5: index 5 is past the end of a list of 1',
    ])
  })

  test('reports a path through a scalar', () => {
    const { issues } = applyEnvOverrides(minimalRaw(), { SINKER__KAFKA__GROUP_ID__X: '1' })
    expect(issues).toEqual(['SINKER__KAFKA__GROUP_ID__X: kafka.group_id is not a mapping or list'])
  })

  test('reports a value that is not valid YAML', () => {
    const { issues } = applyEnvOverrides(minimalRaw(), { SINKER__KAFKA__TOPICS: '[a, b' })
    expect(issues).toHaveLength(1)
    expect(issues[0]).toStartWith('SINKER__KAFKA__TOPICS: value is not a YAML scalar or flow list')
  })

  test('takes secrets verbatim, never as YAML', () => {
    const { value } = applyEnvOverrides(minimalRaw(), {
      SINKER__SINK__CLICKHOUSE__PASSWORD: '0123',
      SINKER__SERVER__DEBUG_TOKEN: 'a #b',
      SINKER__KAFKA__SECURITY__SASL__PASSWORD: '"quoted"',
    })
    expect(getAt(value, 'sink.clickhouse.password')).toBe('0123')
    expect(getAt(value, 'server.debug_token')).toBe('a #b')
    expect(getAt(value, 'kafka.security.sasl.password')).toBe('"quoted"')
  })

  test('creates missing mappings on the way and starts from an empty document', () => {
    const { value } = applyEnvOverrides(null, { SINKER__LOG__LEVEL: 'debug' })
    expect(value).toEqual({ log: { level: 'debug' } })
  })

  test('ignores other variables and never mutates its input', () => {
    const raw = minimalRaw()
    const before = structuredClone(raw)
    const { value } = applyEnvOverrides(raw, {
      SINKER__KAFKA__GROUP_ID: 'g2',
      SINKER_KAFKA: 'x',
      HOME: '/root',
      SINKER__LOG__LEVEL: undefined,
    })
    expect(raw).toEqual(before)
    expect(value).toEqual({ ...before, kafka: { ...(before.kafka as object), group_id: 'g2' } })
  })

  test('round-trips any path and any scalar or flow list value', () => {
    const segment = fc.stringMatching(/^[a-z][a-z0-9]{0,8}(_[a-z0-9]{1,5})?$/)
    const scalar = fc.oneof(
      fc.integer(),
      fc.boolean(),
      fc
        .stringMatching(/^[a-z][a-z0-9_./-]{0,20}(:[0-9]{1,5})?$/)
        .filter((s) => !['true', 'false', 'null'].includes(s)),
    )
    const value = fc.oneof(scalar, fc.array(fc.oneof(fc.integer(), fc.boolean()), { maxLength: 5 }))
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), value, (path, expected) => {
        fc.pre(!(path[0] === 'kafka' && path[1] === 'rdkafka') && path.at(-1) !== 'password')
        fc.pre(path.at(-1) !== 'debug_token')
        const text = Array.isArray(expected) ? `[${expected.join(', ')}]` : String(expected)
        const name = `SINKER__${path.map((s) => s.toUpperCase()).join('__')}`
        const { value: result, issues } = applyEnvOverrides({}, { [name]: text })
        expect(issues).toEqual([])
        expect(getAt(result, path.join('.'))).toEqual(expected)
      }),
      { numRuns: 300 },
    )
  })

  test('round-trips any rdkafka property name and any secret text', () => {
    const property = fc.stringMatching(/^[a-z]{1,8}(\.[a-z]{1,8}){0,3}$/)
    fc.assert(
      fc.property(property, fc.string(), (name, secret) => {
        const env = {
          [`SINKER__KAFKA__RDKAFKA__${name.replaceAll('.', '_').toUpperCase()}`]: 'v',
          SINKER__SINK__DORIS__PASSWORD: secret,
        }
        const { value } = applyEnvOverrides({}, env)
        expect(getAt(value, 'kafka.rdkafka')).toEqual({ [name]: 'v' })
        expect(getAt(value, 'sink.doris.password')).toBe(secret)
      }),
    )
  })
})
