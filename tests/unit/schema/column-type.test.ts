import { describe, expect, test } from 'bun:test'
import { ColumnTypeError, parseClickHouseType } from '../../../src/schema/column-type'

describe('parseClickHouseType', () => {
  test('reads every integer width, signed and unsigned', () => {
    for (const bits of [8, 16, 32, 64, 128, 256] as const) {
      expect(parseClickHouseType(`Int${bits}`)).toEqual({ kind: 'int', bits, signed: true })
      expect(parseClickHouseType(`UInt${bits}`)).toEqual({ kind: 'int', bits, signed: false })
    }
  })

  test('reads scalar types', () => {
    expect(parseClickHouseType('Float32')).toEqual({ kind: 'float', bits: 32 })
    expect(parseClickHouseType('Float64')).toEqual({ kind: 'float', bits: 64 })
    expect(parseClickHouseType('Bool')).toEqual({ kind: 'bool' })
    expect(parseClickHouseType('String')).toEqual({ kind: 'string', maxBytes: null })
    expect(parseClickHouseType('FixedString(16)')).toEqual({ kind: 'fixed_string', bytes: 16 })
    expect(parseClickHouseType('UUID')).toEqual({ kind: 'uuid' })
    expect(parseClickHouseType('IPv4')).toEqual({ kind: 'ip', version: 4 })
    expect(parseClickHouseType('IPv6')).toEqual({ kind: 'ip', version: 6 })
    expect(parseClickHouseType('Date')).toEqual({ kind: 'date', wide: false })
    expect(parseClickHouseType('Date32')).toEqual({ kind: 'date', wide: true })
    expect(parseClickHouseType('JSON')).toEqual({ kind: 'json' })
    expect(parseClickHouseType('JSON(max_dynamic_paths = 10, a.b UInt32)')).toEqual({
      kind: 'json',
    })
    expect(parseClickHouseType("Object('json')")).toEqual({ kind: 'json' })
  })

  test('reads decimals in all their spellings', () => {
    expect(parseClickHouseType('Decimal(9, 2)')).toEqual({
      kind: 'decimal',
      precision: 9,
      scale: 2,
    })
    expect(parseClickHouseType('Decimal(10)')).toEqual({ kind: 'decimal', precision: 10, scale: 0 })
    expect(parseClickHouseType('Decimal32(4)')).toEqual({ kind: 'decimal', precision: 9, scale: 4 })
    expect(parseClickHouseType('Decimal64(4)')).toEqual({
      kind: 'decimal',
      precision: 18,
      scale: 4,
    })
    expect(parseClickHouseType('Decimal128(10)')).toEqual({
      kind: 'decimal',
      precision: 38,
      scale: 10,
    })
    expect(parseClickHouseType('Decimal256(20)')).toEqual({
      kind: 'decimal',
      precision: 76,
      scale: 20,
    })
  })

  test('reads date-times with and without zones and precision', () => {
    expect(parseClickHouseType('DateTime')).toEqual({ kind: 'datetime', timezone: null })
    expect(parseClickHouseType("DateTime('Asia/Tokyo')")).toEqual({
      kind: 'datetime',
      timezone: 'Asia/Tokyo',
    })
    expect(parseClickHouseType('DateTime64(3)')).toEqual({
      kind: 'datetime64',
      precision: 3,
      timezone: null,
    })
    expect(parseClickHouseType("DateTime64(6, 'UTC')")).toEqual({
      kind: 'datetime64',
      precision: 6,
      timezone: 'UTC',
    })
  })

  test('reads enums as DESCRIBE prints them, with escaped quotes and negative values', () => {
    expect(parseClickHouseType("Enum8('a' = 1, 'it\\'s' = -2)")).toEqual({
      kind: 'enum',
      bits: 8,
      members: [
        { name: 'a', value: 1 },
        { name: "it's", value: -2 },
      ],
    })
    expect(parseClickHouseType("Enum16('x' = 1000)")).toMatchObject({ kind: 'enum', bits: 16 })
  })

  test('reads wrappers and containers, nested', () => {
    expect(parseClickHouseType("Nullable(DateTime('Asia/Tokyo'))")).toEqual({
      kind: 'nullable',
      inner: { kind: 'datetime', timezone: 'Asia/Tokyo' },
    })
    expect(parseClickHouseType('LowCardinality(Nullable(String))')).toEqual({
      kind: 'low_cardinality',
      inner: { kind: 'nullable', inner: { kind: 'string', maxBytes: null } },
    })
    expect(parseClickHouseType('Array(Nullable(Int8))')).toEqual({
      kind: 'array',
      element: { kind: 'nullable', inner: { kind: 'int', bits: 8, signed: true } },
    })
    expect(parseClickHouseType('Map(String, Array(UInt64))')).toEqual({
      kind: 'map',
      key: { kind: 'string', maxBytes: null },
      value: { kind: 'array', element: { kind: 'int', bits: 64, signed: false } },
    })
  })

  test('tolerates spaces around names and arguments', () => {
    expect(parseClickHouseType(' Map( String ,  UInt8 ) ')).toMatchObject({ kind: 'map' })
  })

  test('unknown and unsupported types name the column and the type', () => {
    const cases: [string, string][] = [
      ['Tuple(a String, b Int8)', 'Tuple is not supported'],
      ['Nested(a String)', 'Nested is not supported'],
      ['Int512', 'unknown type Int512'],
      ['Strin', 'unknown type Strin'],
      ['Decimal(77, 2)', 'Decimal argument 1 must be an integer 0..76'],
      ['Decimal(9, 10)', 'Decimal argument 2 must be an integer 0..9'],
      ['DateTime64(10)', 'DateTime64 argument 1 must be an integer 0..9'],
      ['Nullable(String, Int8)', 'Nullable takes 1 argument'],
      ['Array', 'Array takes 1 argument'],
      ['String(3)', 'String takes no arguments'],
      ["Enum8('a' = 300)", 'Enum8 value 300 is out of range'],
      ["Enum8('a', 'b')", "Enum8 members are 'name' = number"],
      ['Nullable(String', 'expected "," or ")"'],
      ['String) x', 'unexpected text'],
      ["DateTime('UTC", 'unterminated quoted string'],
      ["Object('xml')", "Object is supported only as Object('json')"],
    ]
    for (const [text, why] of cases) {
      let error: unknown
      try {
        parseClickHouseType(text, 'col_a')
      } catch (err) {
        error = err
      }
      expect(error).toBeInstanceOf(ColumnTypeError)
      expect((error as Error).message).toStartWith(`column "col_a": type "${text}": `)
      expect((error as Error).message).toContain(why)
    }
  })
})
