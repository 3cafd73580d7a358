import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { decodeJson, NumberText } from '../../../src/decode/decode-json'
import { ColumnTypeError } from '../../../src/schema/column-type'
import { compileRowEncoder, type RowEncoder, RowFailure } from '../../../src/schema/row-encoder'
import type { ColumnDef } from '../../../src/schema/table-schema'

function encoder(columns: Partial<ColumnDef>[], timezone = 'UTC', version = 7): RowEncoder {
  const defs = columns.map((c) => ({ name: 'x', type: 'String', defaultKind: '' as const, ...c }))
  return compileRowEncoder(
    { target: { database: 'db', table: 't' }, version, columns: defs },
    { timezone },
  )
}

function row(enc: RowEncoder, obj: Record<string, unknown>): string {
  const r = enc.encode(obj)
  if (r instanceof RowFailure) throw new Error(r.detail)
  return r
}

describe('compileRowEncoder', () => {
  test('writes one JSON object with the coerced columns in schema order', () => {
    const enc = encoder([
      { name: 'id', type: 'UInt64' },
      { name: 'name', type: 'String' },
      { name: 'ts', type: 'DateTime' },
    ])
    expect(
      row(enc, {
        ts: '1970-01-01T00:01:00Z',
        name: 'a',
        id: new NumberText('18446744073709551615'),
      }),
    ).toBe('{"id":18446744073709551615,"name":"a","ts":60}')
    expect(enc.version).toBe(7)
  })

  test('a missing or null value is left out for the server default, or null when Nullable', () => {
    const enc = encoder([
      { name: 'a', type: 'Int8' },
      { name: 'b', type: 'Nullable(Int8)' },
      { name: 'c', type: 'LowCardinality(Nullable(String))' },
    ])
    expect(row(enc, {})).toBe('{"b":null,"c":null}')
    expect(row(enc, { a: null, b: 1 })).toBe('{"b":1,"c":null}')
    expect(row(encoder([{ name: 'a', type: 'Int8' }]), {})).toBe('{}')
  })

  test('MATERIALIZED and ALIAS columns are never written, DEFAULT columns are', () => {
    const enc = encoder([
      { name: 'm', type: 'UInt8', defaultKind: 'MATERIALIZED' },
      { name: 'a', type: 'UInt8', defaultKind: 'ALIAS' },
      { name: 'd', type: 'UInt8', defaultKind: 'DEFAULT' },
    ])
    expect(row(enc, { m: 1, a: 2, d: 3 })).toBe('{"d":3}')
  })

  test('dotted sources read nested fields; a flat key with dots is the fallback', () => {
    const enc = encoder([
      { name: 'ts', type: 'DateTime', source: 'meta.time' },
      { name: 'deep', type: 'String', source: 'a.b.c' },
      { name: 'n.x', type: 'UInt8' },
    ])
    expect(row(enc, { meta: { time: 60 }, a: { b: { c: 'z' } }, 'n.x': 4 })).toBe(
      '{"ts":60,"deep":"z","n.x":4}',
    )
    expect(row(enc, { meta: 'not an object', a: { b: null } })).toBe('{}')
  })

  test('names inherited from Object.prototype are read only as own keys', () => {
    const enc = encoder([
      { name: 'constructor', type: 'String' },
      { name: 'toString', type: 'Nullable(String)' },
      { name: 'x', type: 'String', source: 'meta.constructor' },
    ])
    expect(row(enc, { meta: {} })).toBe('{"toString":null}')
    expect(row(enc, { constructor: 'c' })).toBe('{"constructor":"c","toString":null}')
  })

  test('a value that does not fit is a type_mismatch naming the column and the problem', () => {
    const enc = encoder([{ name: 'age', type: 'UInt8' }])
    const r = enc.encode({ age: 300 })
    expect(r).toBeInstanceOf(RowFailure)
    expect(r).toMatchObject({
      reason: 'type_mismatch',
      detail: 'column "age": out of range for UInt8: 300',
    })
  })

  test('the failure detail is cut to 200 characters', () => {
    const r = encoder([{ name: 'n', type: 'Int8' }]).encode({ n: 'x'.repeat(1000) })
    expect((r as RowFailure).detail.length).toBe(200)
    expect((r as RowFailure).detail).toStartWith('column "n": not an integer: "xxx')
  })

  test('column names are escaped in the output', () => {
    expect(row(encoder([{ name: 'we"ird', type: 'UInt8', source: 'w' }]), { w: 1 })).toBe(
      '{"we\\"ird":1}',
    )
  })

  test('an unknown column type throws ColumnTypeError naming the column', () => {
    expect(() => encoder([{ name: 'pt', type: 'Tuple(Int8, Int8)' }])).toThrow(
      'column "pt": type "Tuple(Int8, Int8)": Tuple is not supported',
    )
    expect(() => encoder([{ name: 'ts', type: "DateTime('Mars/Base')" }])).toThrow(ColumnTypeError)
  })

  test('an unknown route time zone throws RangeError', () => {
    expect(() => encoder([], 'Nowhere/Land')).toThrow(
      'timezone "Nowhere/Land" is not a known IANA time zone',
    )
  })

  test('encodes a realistic decoded message end to end', () => {
    const enc = encoder(
      [
        { name: 'id', type: 'UInt64' },
        { name: 'ts', type: "DateTime('Asia/Tokyo')" },
        { name: 'day', type: 'Date', source: 'ts' },
        { name: 'amount', type: 'Decimal(18, 2)' },
        { name: 'tags', type: 'Array(LowCardinality(String))' },
        { name: 'attrs', type: 'Map(String, String)' },
        { name: 'kind', type: "Enum8('a' = 1, 'b' = 2)" },
        { name: 'raw', type: 'String', source: 'payload' },
      ],
      'Europe/Berlin',
    )
    const text =
      '{"id":18446744073709551615,"ts":"2024-03-31 09:30:00","amount":"9.995","tags":["x","y"],' +
      '"attrs":{"k":1},"kind":2,"payload":{"n":12345678901234567890,"s":"é"}}'
    const bytes = new TextEncoder().encode(text)
    const d = decodeJson(bytes, 0, bytes.length)
    if (!d.ok) throw new Error(d.detail)
    expect(row(enc, d.value)).toBe(
      '{"id":18446744073709551615,"ts":1711845000,"day":"2024-03-31","amount":10.00,"tags":["x","y"],' +
        '"attrs":{"k":"1"},"kind":"b","raw":"{\\"n\\":12345678901234567890,\\"s\\":\\"é\\"}"}',
    )
  })

  test('output always parses as JSON, whatever the message holds', () => {
    const enc = encoder([
      { name: 's', type: 'String' },
      { name: 'n', type: 'Nullable(Float64)' },
      { name: 'i', type: 'Int64' },
      { name: 'a', type: 'Array(Nullable(String))' },
      { name: 'm', type: 'Map(String, String)' },
      { name: 'f', type: 'Float32' },
    ])
    const json = fc.jsonValue({ maxDepth: 3 })
    const message = fc.record(
      {
        s: json,
        n: json,
        i: json,
        a: json,
        m: json,
        f: fc.constantFrom('NaN', 'inf', '-inf', 1.5, '2e9'),
      },
      { requiredKeys: [] },
    )
    fc.assert(
      fc.property(message, (obj) => {
        const r = enc.encode(obj as Record<string, unknown>)
        if (r instanceof RowFailure) {
          expect(r.detail.length).toBeLessThanOrEqual(200)
          return
        }
        expect(typeof JSON.parse(r)).toBe('object')
      }),
      { numRuns: 500 },
    )
  })

  test('random integers round-trip exactly through decode and encode, as numbers and strings', () => {
    const enc = encoder([
      { name: 'a', type: 'Int128' },
      { name: 'b', type: 'Int128' },
    ])
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 127n), max: 2n ** 127n - 1n }), (n) => {
        const bytes = new TextEncoder().encode(`{"a":${n},"b":"${n}"}`)
        const d = decodeJson(bytes, 0, bytes.length)
        if (!d.ok) throw new Error(d.detail)
        expect(row(enc, d.value)).toBe(`{"a":${n},"b":${n}}`)
      }),
    )
  })
})
