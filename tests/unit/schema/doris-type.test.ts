import { describe, expect, test } from 'bun:test'
import { ColumnTypeError } from '../../../src/schema/column-type'
import { parseDorisType } from '../../../src/schema/doris-type'
import { compileRowEncoder } from '../../../src/schema/row-encoder'

describe('parseDorisType', () => {
  const cases: Array<[string, unknown]> = [
    ['BOOLEAN', { kind: 'bool' }],
    ['TINYINT', { kind: 'int', bits: 8, signed: true }],
    ['SMALLINT', { kind: 'int', bits: 16, signed: true }],
    ['INT', { kind: 'int', bits: 32, signed: true }],
    ['BIGINT', { kind: 'int', bits: 64, signed: true }],
    ['LARGEINT', { kind: 'int', bits: 128, signed: true }],
    ['FLOAT', { kind: 'float', bits: 32 }],
    ['DOUBLE', { kind: 'float', bits: 64 }],
    ['DECIMAL(10,2)', { kind: 'decimal', precision: 10, scale: 2 }],
    ['DECIMAL', { kind: 'decimal', precision: 38, scale: 9 }],
    ['DECIMAL(5)', { kind: 'decimal', precision: 5, scale: 0 }],
    ['decimalv3(18, 4)', { kind: 'decimal', precision: 18, scale: 4 }],
    ['DATE', { kind: 'date', wide: true }],
    ['DATEV2', { kind: 'date', wide: true }],
    ['DATETIME', { kind: 'datetime64', precision: 0, timezone: null }],
    ['DATETIME(6)', { kind: 'datetime64', precision: 6, timezone: null }],
    ['datetimev2(3)', { kind: 'datetime64', precision: 3, timezone: null }],
    ['CHAR(4)', { kind: 'fixed_string', bytes: 4 }],
    ['VARCHAR(64)', { kind: 'string', maxBytes: 64 }],
    ['VARCHAR', { kind: 'string', maxBytes: 65_533 }],
    ['STRING', { kind: 'string', maxBytes: null }],
    ['JSON', { kind: 'json' }],
    ['JSONB', { kind: 'json' }],
    [
      'ARRAY<INT>',
      {
        kind: 'array',
        element: { kind: 'nullable', inner: { kind: 'int', bits: 32, signed: true } },
      },
    ],
    ['array<NOT NULL(int)>', { kind: 'array', element: { kind: 'int', bits: 32, signed: true } }],
    [
      'MAP<VARCHAR(8),DOUBLE>',
      {
        kind: 'map',
        key: { kind: 'string', maxBytes: 8 },
        value: { kind: 'nullable', inner: { kind: 'float', bits: 64 } },
      },
    ],
    ['INT NULL', { kind: 'nullable', inner: { kind: 'int', bits: 32, signed: true } }],
    ['INT NOT NULL', { kind: 'int', bits: 32, signed: true }],
  ]
  for (const [text, type] of cases) {
    test(`maps ${text}`, () => {
      expect(parseDorisType(text)).toEqual(type as ReturnType<typeof parseDorisType>)
    })
  }

  test('refuses unknown, unsupported and malformed types with the column named', () => {
    for (const bad of [
      'HLL',
      'STRUCT<a:INT>',
      'DATETIME(7)',
      'VARCHAR(0)',
      'DECIMAL(80,2)',
      'INT(',
      'ARRAY<INT',
    ]) {
      expect(() => parseDorisType(bad, 'c')).toThrow(ColumnTypeError)
    }
    expect(() => parseDorisType('BITMAP', 'col')).toThrow('column "col"')
  })
})

describe('the row encoder in the doris dialect', () => {
  const encoder = compileRowEncoder(
    {
      target: { database: 'd', table: 't' },
      version: 3,
      columns: [
        { name: 'id', type: 'LARGEINT', defaultKind: '' },
        { name: 'ok', type: 'BOOLEAN NULL', defaultKind: '' },
        { name: 'price', type: 'DECIMAL(10,2)', defaultKind: '' },
        { name: 'day', type: 'DATE NULL', defaultKind: '' },
        { name: 'ts', type: 'DATETIME(6) NULL', defaultKind: '' },
        { name: 'ts0', type: 'DATETIME NULL', defaultKind: '' },
        { name: 'doc', type: 'JSON NULL', defaultKind: '' },
        { name: 'tags', type: 'ARRAY<INT> NULL', defaultKind: '' },
        { name: 'm', type: 'MAP<INT,STRING> NULL', defaultKind: '' },
      ],
    },
    { timezone: 'Asia/Shanghai', dialect: 'doris' },
  )

  test('writes date-times as wall-clock text in the route zone, numbers as bare digits', () => {
    const row = encoder.encode({
      id: '-170141183460469231731687303715884105728',
      ok: 1,
      price: '1.005',
      day: 1_700_000_000,
      ts: '2026-01-02T03:04:05.1234567Z',
      ts0: '2026-01-02 03:04:05.9',
      doc: { a: '1', n: null },
      tags: ['1', null],
      m: { 7: 'x' },
    })
    expect(row).toBe(
      '{"id":-170141183460469231731687303715884105728,"ok":true,"price":1.00,' +
        '"day":"2023-11-15","ts":"2026-01-02 11:04:05.123456","ts0":"2026-01-02 03:04:05",' +
        '"doc":{"a":"1","n":null},"tags":[1,null],"m":{"7":"x"}}',
    )
  })

  test('keeps a JSON string a string, writes null for NULL columns, leaves NOT NULL ones out', () => {
    expect(encoder.encode({ id: 1, doc: 'plain' })).toBe(
      '{"id":1,"ok":null,"day":null,"ts":null,"ts0":null,"doc":"\\"plain\\"","tags":null,"m":null}',
    )
  })

  test('refuses dates beyond year 9999 and writes the clickhouse dialect unchanged by default', () => {
    expect(encoder.encode({ id: 1, price: 1, day: '10000-01-01' })).toHaveProperty(
      'reason',
      'type_mismatch',
    )
    const ch = compileRowEncoder(
      {
        target: { database: 'd', table: 't' },
        version: 1,
        columns: [{ name: 'ts', type: 'DateTime', defaultKind: '' }],
      },
      { timezone: 'UTC' },
    )
    expect(ch.encode({ ts: '1970-01-01 00:01:00' })).toBe('{"ts":60}')
  })
})
