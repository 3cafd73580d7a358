/**
 * @module tests/unit/support/doris-server/values.test
 * The pure pieces under the server: type text, casts by type (§12), date-times and zones, exact
 * decimals, CSV splitting and range partitions.
 */
import { describe, expect, test } from 'bun:test'
import { parseDorisType, primitiveName, typeText } from '../../../support/doris-server/column-type'
import { convertValue } from '../../../support/doris-server/convert-value'
import { convertDateTime } from '../../../support/doris-server/datetime'
import { JsonNumber, parseJsonLossless } from '../../../support/doris-server/json-value'
import { castDecimal } from '../../../support/doris-server/numeric'
import { addRange, findPartition } from '../../../support/doris-server/partitions'
import { csvRows, decodeSeparator } from '../../../support/doris-server/source-rows'

const ctx = { timezone: 'UTC' }
const cast = (raw: Parameters<typeof convertValue>[0], type: string) =>
  convertValue(raw, parseDorisType(type), ctx)

describe('Doris type text', () => {
  test('parses aliases, defaults and nested types and prints them back canonically', () => {
    expect(typeText(parseDorisType('decimalv3(10, 2)'))).toBe('DECIMAL(10,2)')
    expect(typeText(parseDorisType('DECIMAL'))).toBe('DECIMAL(38,9)')
    expect(typeText(parseDorisType('datetimev2(3)'))).toBe('DATETIME(3)')
    expect(typeText(parseDorisType('map<string, array<int>>'))).toBe('MAP<STRING,ARRAY<INT>>')
    expect(typeText(parseDorisType('STRUCT<a:INT, b:VARCHAR(4)>'))).toBe(
      'STRUCT<a:INT,b:VARCHAR(4)>',
    )
    expect(() => parseDorisType('DATETIME(7)')).toThrow()
    expect(() => parseDorisType('WHATEVER')).toThrow()
  })

  test('names the primitive type as the schema API does', () => {
    const names = [
      'DECIMAL(9,0)',
      'DECIMAL(18,2)',
      'DECIMAL(38,2)',
      'DECIMAL(40,2)',
      'DATE',
      'DATETIME',
      'JSONB',
      'TEXT',
    ]
    expect(names.map((t) => primitiveName(parseDorisType(t)))).toEqual([
      'DECIMAL32',
      'DECIMAL64',
      'DECIMAL128',
      'DECIMAL256',
      'DATEV2',
      'DATETIMEV2',
      'JSON',
      'STRING',
    ])
  })
})

describe('casts', () => {
  test('integers keep every digit and fail outside their width', () => {
    expect(cast(new JsonNumber('18446744073709551615'), 'LARGEINT')).toEqual({
      ok: true,
      value: 18446744073709551615n,
    })
    expect(cast('-7', 'TINYINT')).toEqual({ ok: true, value: -7 })
    expect(cast(new JsonNumber('2000'), 'TINYINT')).toMatchObject({ ok: false, range: false })
    expect(cast(new JsonNumber('1.5'), 'INT')).toMatchObject({ ok: false, range: false })
  })

  test('decimals round half up and refuse too many integer digits as a range failure', () => {
    expect(castDecimal('1.005', 10, 2)).toEqual({ ok: true, value: '1.01' })
    expect(castDecimal('-2.5', 10, 0)).toEqual({ ok: true, value: '-3' })
    expect(castDecimal('1.5e2', 5, 1)).toEqual({ ok: true, value: '150.0' })
    expect(castDecimal('10', 1, 0)).toEqual({ ok: false, range: true })
    expect(castDecimal('x', 5, 1)).toEqual({ ok: false, range: false })
  })

  test('strings count bytes against VARCHAR(M) and take objects as compact JSON', () => {
    expect(cast('ab', 'VARCHAR(2)')).toEqual({ ok: true, value: 'ab' })
    expect(cast('é', 'VARCHAR(1)')).toMatchObject({ ok: false, range: true })
    expect(cast(parseJsonLossless('{"a": 1.50}'), 'STRING')).toEqual({
      ok: true,
      value: '{"a":1.50}',
    })
    expect(cast(true, 'STRING')).toEqual({ ok: true, value: 'true' })
  })

  test('booleans, floats, IPs and JSON columns', () => {
    expect(cast('TRUE', 'BOOLEAN')).toEqual({ ok: true, value: true })
    expect(cast(new JsonNumber('0'), 'BOOLEAN')).toEqual({ ok: true, value: false })
    expect(cast('-inf', 'DOUBLE')).toEqual({ ok: true, value: Number.NEGATIVE_INFINITY })
    expect(cast('0.1', 'FLOAT')).toEqual({ ok: true, value: Math.fround(0.1) })
    expect(cast('10.0.0.256', 'IPV4')).toMatchObject({ ok: false })
    expect(cast('::1', 'IPV6')).toEqual({ ok: true, value: '::1' })
    expect(cast('{"k":[1]}', 'JSON')).toEqual({ ok: true, value: { k: [1] } })
    expect(cast('not json', 'JSON')).toMatchObject({ ok: false })
  })

  test('arrays, maps and structs convert their parts, also from CSV text', () => {
    expect(cast('[1,2,null]', 'ARRAY<INT>')).toEqual({ ok: true, value: [1, 2, null] })
    expect(cast(parseJsonLossless('["x"]'), 'ARRAY<INT>')).toMatchObject({ ok: false })
    expect(cast('{"1":"a"}', 'MAP<INT,STRING>')).toEqual({ ok: true, value: { 1: 'a' } })
    expect(cast(parseJsonLossless('{"a":1}'), 'STRUCT<a:INT,b:STRING>')).toEqual({
      ok: true,
      value: { a: 1, b: null },
    })
  })
})

describe('date-times', () => {
  test('accept a space or T, round extra digits, and move zoned values to the load zone', () => {
    expect(convertDateTime('2024-02-29 23:59:59.9996', 3, 'UTC')).toBe('2024-03-01 00:00:00.000')
    expect(convertDateTime('2024-01-01T00:30:00+01:00', 0, 'UTC')).toBe('2023-12-31 23:30:00')
    expect(convertDateTime('2024-01-01 12:00:00 Asia/Tokyo', 0, 'Europe/Paris')).toBe(
      '2024-01-01 04:00:00',
    )
    expect(convertDateTime('2024-07-01T12:00:00Z', 0, 'America/New_York')).toBe(
      '2024-07-01 08:00:00',
    )
    expect(convertDateTime('2024-01-05', 2, 'UTC')).toBe('2024-01-05 00:00:00.00')
    expect(convertDateTime('2023-02-29 00:00:00', 0, 'UTC')).toBeNull()
    expect(convertDateTime('yesterday', 0, 'UTC')).toBeNull()
  })

  test('a DATE column keeps the date of a date-time', () => {
    expect(cast('2024-01-02 23:00:00', 'DATE')).toEqual({ ok: true, value: '2024-01-02' })
  })
})

describe('CSV splitting', () => {
  const opts = {
    columnSeparator: ',',
    lineDelimiter: '\n',
    enclose: '"',
    escape: '\\',
    trimDoubleQuotes: false,
    skipLines: 0,
  }

  test('keeps separators and line breaks inside enclosed fields and reads \\N as NULL', () => {
    const rows = csvRows('1,"a,b\nc",\\N\n2,"x\\"y",""\n', opts)
    expect(rows.map((r) => (r.ok ? r.record : null))).toEqual([
      ['1', 'a,b\nc', null],
      ['2', 'x"y', ''],
    ])
  })

  test('decodes hex and escaped separators', () => {
    expect(decodeSeparator('\\x01')).toBe('\x01')
    expect(decodeSeparator('\\t')).toBe('\t')
    expect(decodeSeparator('||')).toBe('||')
  })
})

describe('range partitions', () => {
  const date = parseDorisType('DATE')

  test('find the partition of a value, NULL in the MINVALUE one, and refuse overlaps', () => {
    const ranges = addRange(
      addRange([], { name: 'p1', lower: null, upper: '2024-01-02' }, date),
      { name: 'p2', lower: '2024-01-02', upper: null },
      date,
    )
    expect(findPartition(ranges, '2024-01-01', date)?.name).toBe('p1')
    expect(findPartition(ranges, '2030-01-01', date)?.name).toBe('p2')
    expect(findPartition(ranges, null, date)?.name).toBe('p1')
    expect(() =>
      addRange(ranges, { name: 'p3', lower: '2024-05-01', upper: '2024-06-01' }, date),
    ).toThrow('is intersected with')
    expect(() => addRange(ranges, { name: 'p1', lower: null, upper: null }, date)).toThrow(
      'Duplicate partition name p1',
    )
  })
})
