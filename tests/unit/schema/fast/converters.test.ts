import { describe, expect, test } from 'bun:test'
import { decodeJson } from '../../../../src/decode/decode-json'
import { compileFastEncoder, DECLINED } from '../../../../src/schema/fast/fast-encoder'
import { compileRowEncoder } from '../../../../src/schema/row-encoder'
import type { ColumnDef } from '../../../../src/schema/table-schema'

const enc = new TextEncoder()
const dec = new TextDecoder()

/** The fast row of one message over `columns`, or null when declined. */
function fast(columns: ColumnDef[], message: string, timezone = 'UTC'): string | null {
  const snapshot = { target: { database: 'd', table: 't' }, version: 1, columns }
  const encoder = compileFastEncoder(snapshot, { timezone })
  const src = enc.encode(message)
  const out = new Uint8Array(encoder.maxRowBytes(src.length))
  const end = encoder.encode(src, 0, src.length, out, 0)
  if (end === DECLINED) return null
  const row = dec.decode(out.subarray(0, end))
  // Every accepted row is the slow path's row too.
  const decoded = decodeJson(src, 0, src.length)
  if (!decoded.ok) throw new Error(`fast accepted what the slow path refuses: ${message}`)
  expect(compileRowEncoder(snapshot, { timezone }).encode(decoded.value)).toBe(row)
  return row
}

/** The value the fast path writes for `value` in a column `v` of `type`, or null if declined. */
function value(type: string, valueText: string, timezone = 'UTC'): string | null {
  const row = fast([{ name: 'v', type, defaultKind: '' }], `{"v":${valueText}}`, timezone)
  if (row === null) return null
  return row === '{}' ? '(omitted)' : row.slice('{"v":'.length, -1)
}

describe('fast integers', () => {
  test('pass digits through after a range check', () => {
    expect(value('UInt8', '255')).toBe('255')
    expect(value('Int8', '-128')).toBe('-128')
    expect(value('UInt64', '18446744073709551615')).toBe('18446744073709551615')
    expect(value('Int128', '-170141183460469231731687303715884105728')).toBe(
      '-170141183460469231731687303715884105728',
    )
    expect(value('Int32', '"-42"')).toBe('-42')
    expect(value('UInt8', 'true')).toBe('1')
    expect(value('Int16', '-0')).toBe('0')
  })

  test('decline what the slow path must judge: out of range, fractions, odd spellings', () => {
    for (const [type, v] of [
      ['UInt8', '256'],
      ['UInt64', '18446744073709551616'],
      ['UInt32', '-1'],
      ['Int32', '1.0'],
      ['Int32', '1e3'],
      ['Int32', '" 5"'],
      ['Int32', '"007"'],
      ['UInt8', '"true"'],
    ] as const) {
      expect(value(type, v)).toBeNull()
    }
  })
})

describe('fast floats, decimals and booleans', () => {
  test('a float is copied only when JS prints it as written', () => {
    expect(value('Float64', '12.5')).toBe('12.5')
    expect(value('Float32', '-0')).toBe('-0')
    expect(value('Float64', '0.000001')).toBe('0.000001')
    for (const v of ['1.50', '1e3', '0.0000001', '12345678901234567', '"1.5"']) {
      expect(value('Float64', v)).toBeNull()
    }
  })

  test('a decimal is padded to its scale, from numbers and strings', () => {
    expect(value('Decimal(12, 2)', '12.3')).toBe('12.30')
    expect(value('Decimal(12, 2)', '0.00')).toBe('0.00')
    expect(value('Decimal(12, 2)', '12.30')).toBe('12.30')
    expect(value('Decimal(12, 2)', '"7"')).toBe('7.00')
    expect(value('Decimal(9, 0)', '5.0')).toBe('5')
    expect(value('Decimal(38, 10)', '1234567890.1234567891')).toBe('1234567890.1234567891')
    for (const v of ['1.234', '-0.5', '1e2', '12345678901', '"1.2.3"', '"+1"']) {
      expect(value('Decimal(12, 2)', v)).toBeNull()
    }
  })

  test('Bool takes true/false and 1/0', () => {
    expect(value('Bool', 'true')).toBe('true')
    expect(value('Bool', '0')).toBe('false')
    expect(value('Bool', '"true"')).toBeNull()
  })
})

describe('fast strings', () => {
  test('strings pass through; escapes come out as JSON.stringify writes them', () => {
    expect(value('String', '"plain é 日本"')).toBe('"plain é 日本"')
    expect(value('String', '"a\\/b\\u0041\\u00e9\\n\\u0001"')).toBe('"a/bAé\\n\\u0001"')
    expect(value('String', '"\\ud83d\\ude00"')).toBeNull()
  })

  test('numbers and booleans become their JSON text, objects and arrays their compact text', () => {
    expect(value('String', '42')).toBe('"42"')
    expect(value('String', 'false')).toBe('"false"')
    expect(value('String', '{ "a" : [1, "x\\"y"], "b":null }')).toBe(
      '"{\\"a\\":[1,\\"x\\\\\\"y\\"],\\"b\\":null}"',
    )
    expect(value('String', '{"1":1}')).toBeNull()
    expect(value('String', '{"a":1,"a":2}')).toBeNull()
    expect(value('String', '1.50')).toBeNull()
  })

  test('FixedString counts UTF-8 bytes', () => {
    expect(value('FixedString(2)', '"US"')).toBe('"US"')
    expect(value('FixedString(2)', '"é"')).toBe('"é"')
    expect(value('FixedString(2)', '"USA"')).toBeNull()
  })

  test('UUIDs are written lower-case and dashed; IPs and enum names pass through', () => {
    expect(value('UUID', '"6BA7B8109DAD11D180B400C04FD430C8"')).toBe(
      '"6ba7b810-9dad-11d1-80b4-00c04fd430c8"',
    )
    expect(value('UUID', '"6ba7b810-9dad-11d1-80b4-00c04fd430c8"')).toBe(
      '"6ba7b810-9dad-11d1-80b4-00c04fd430c8"',
    )
    expect(value('UUID', '"6ba7b810-9dad-11d1-80b4-00c04fd430c"')).toBeNull()
    expect(value('IPv4', '"10.0.0.255"')).toBe('"10.0.0.255"')
    expect(value('IPv4', '"10.0.0.256"')).toBeNull()
    expect(value('IPv6', '"::1"')).toBe('"::1"')
    expect(value("Enum8('a' = 1, 'b' = 2)", '"b"')).toBe('"b"')
    expect(value("Enum8('a' = 1, 'b' = 2)", '1')).toBe('"a"')
    expect(value("Enum8('a' = 1, 'b' = 2)", '"c"')).toBeNull()
  })
})

describe('fast dates', () => {
  test('DateTime is epoch seconds, with the route zone for text without an offset', () => {
    expect(value('DateTime', '"2026-11-01T00:00:00.123Z"')).toBe('1793491200')
    expect(value('DateTime', '"2026-11-01 01:00:00"', 'Europe/Berlin')).toBe('1793491200')
    expect(value("DateTime('Asia/Tokyo')", '"2026-11-01 09:00:00"', 'UTC')).toBe('1793491200')
    expect(value('DateTime', '"2026-11-01T05:30:00+05:30"')).toBe('1793491200')
    expect(value('DateTime', '1793491200123')).toBe('1793491200')
    expect(value('DateTime', '"2026-02-30"')).toBeNull()
    expect(value('DateTime', '"1793491200"')).toBeNull()
    // A year whose last two characters are not digits (read once as 2900 - 1000 = 1900).
    expect(value('DateTime', '"29ab-01-01T00:00:00Z"')).toBeNull()
    expect(value('Date32', '"29ab-01-01"')).toBeNull()
    expect(value('Date32', '"ab29-01-01"')).toBeNull()
  })

  test('Date in the route zone, DateTime64 as zero-padded seconds with the fraction', () => {
    expect(value('Date', '"2026-11-01T23:30:00Z"', 'Europe/Berlin')).toBe('"2026-11-02"')
    expect(value('Date32', '"1950-01-01"')).toBe('"1950-01-01"')
    expect(value('DateTime64(3)', '"2026-11-01T00:00:00.1239Z"')).toBe('"1793491200.123"')
    expect(value('DateTime64(6)', '1000')).toBe('"0000001000.000000"')
    expect(value('DateTime64(3)', '"1969-12-31T23:59:59Z"')).toBeNull()
  })
})

describe('fast nullable, arrays and rows', () => {
  test('null and missing values: null for Nullable, left out otherwise', () => {
    expect(value('Nullable(Int8)', 'null')).toBe('null')
    expect(value('Int8', 'null')).toBe('(omitted)')
    expect(fast([{ name: 'n', type: 'Nullable(String)', defaultKind: '' }], '{}')).toBe(
      '{"n":null}',
    )
  })

  test('arrays convert each element; a null needs a Nullable element', () => {
    expect(value('Array(String)', '[ "a" , "b" ]')).toBe('["a","b"]')
    expect(value('Array(Int64)', '[1,-2,3]')).toBe('[1,-2,3]')
    expect(value('Array(Nullable(Int8))', '[1,null]')).toBe('[1,null]')
    expect(value('Array(Int8)', '[1,null]')).toBeNull()
    expect(value('Array(Decimal(5, 1))', '[1,2.5]')).toBe('[1.0,2.5]')
    expect(value('Map(String, Int32)', '{"a":1}')).toBeNull()
  })

  test('columns come out in schema order, renamed and nested sources included', () => {
    const columns: ColumnDef[] = [
      { name: 'b', type: 'String', defaultKind: '' },
      { name: 'a', type: 'UInt8', defaultKind: '' },
      { name: 'region', type: 'String', defaultKind: '', source: 'meta.region' },
      { name: 'x', type: 'UInt8', defaultKind: 'MATERIALIZED' },
    ]
    expect(fast(columns, '{"a":1,"zz":[{}],"b":"s","meta":{"region":"eu","v":1},"x":5}')).toBe(
      '{"b":"s","a":1,"region":"eu"}',
    )
    expect(fast(columns, '{"a":1,"a":2}')).toBeNull()
    expect(fast(columns, '{"meta.region":"flat"}')).toBeNull()
    expect(fast(columns, '{"a":1} x')).toBeNull()
    expect(fast(columns, '{"a":1,"b":"\u0001"}')).toBeNull()
  })
})
