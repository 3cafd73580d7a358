import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { decodeJson } from '../../../src/decode/decode-json'
import { NumberText } from '../../../src/decode/number-text'
import { kindOf, newColumnsOf } from '../../../src/schema/dynamic-column'
import type { ColumnDef, SchemaSnapshot } from '../../../src/schema/table-schema'

const col = (name: string, source?: string): ColumnDef => ({
  name,
  type: 'String',
  defaultKind: '',
  ...(source ? { source } : {}),
})
const snapshot = (columns: ColumnDef[]): SchemaSnapshot => ({
  target: { database: 'db', table: 't' },
  version: 1,
  columns,
})
const policy = { allow: /^[a-z][a-z0-9_]{0,62}$/, maxColumns: 10 }
const NONE = new Set<string>()
const decoded = (text: string) => {
  const bytes = new TextEncoder().encode(text)
  const d = decodeJson(bytes, 0, bytes.length)
  if (!d.ok) throw new Error(d.detail)
  return d.value
}

describe('kindOf', () => {
  test('types a column from the first value (SPEC §9)', () => {
    const v = decoded(
      '{"i":42,"n":-7,"f":1.5,"e":2.5e-3,"b":true,"s":"x","o":{"a":1},"a":[1],"z":null,"big":18446744073709551615,"i64":9223372036854775807,"long":0.1000000000000000055511151231257827}',
    )
    expect(kindOf(v.i)).toBe('int')
    expect(kindOf(v.n)).toBe('int')
    expect(kindOf(v.f)).toBe('float')
    expect(kindOf(v.e)).toBe('float')
    expect(kindOf(v.b)).toBe('bool')
    expect(kindOf(v.s)).toBe('string')
    expect(kindOf(v.o)).toBe('json')
    expect(kindOf(v.a)).toBe('json')
    expect(kindOf(v.z)).toBeNull()
    // Beyond Int64 an integer cannot go into Int64: it becomes a Float64 column.
    expect(v.big).toBeInstanceOf(NumberText)
    expect(kindOf(v.big)).toBe('float')
    expect(kindOf(v.i64)).toBe('int')
    expect(kindOf(v.long)).toBe('float')
    expect(kindOf(1e300)).toBe('float')
  })

  test('any integer within Int64 is int, any other finite number float', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const int = Number.isInteger(x) && x >= -(2 ** 63) && x < 2 ** 63
        expect(kindOf(x)).toBe(int ? 'int' : 'float')
      }),
    )
  })
})

describe('newColumnsOf', () => {
  test('offers the keys that match no column, in key order, typed', () => {
    const s = snapshot([col('id'), col('ts', 'meta.time')])
    const found = newColumnsOf(s, { id: 1, meta: { time: 1 }, b: 'x', a: 2, ts: 3 }, policy, NONE)
    // `meta` feeds a column through its source; `ts` is a column name.
    expect(found).toEqual({
      add: [
        { name: 'b', kind: 'string' },
        { name: 'a', kind: 'int' },
      ],
      capped: [],
    })
  })

  test('skips null values, refused names, names outside allow or unsafe in SQL', () => {
    const s = snapshot([col('id')])
    const loose = { allow: /.*/, maxColumns: 10 }
    const value = { n: null, gone: 1, Upper: 1, 'a-b': 1, 'x`y': 1, ['q'.repeat(65)]: 1, ok: false }
    expect(newColumnsOf(s, value, policy, new Set(['gone'])).add).toEqual([
      { name: 'ok', kind: 'bool' },
    ])
    expect(newColumnsOf(s, value, loose, new Set(['gone'])).add.map((c) => c.name)).toEqual([
      'Upper',
      'ok',
    ])
  })

  test('stops at max_columns and reports the keys left out', () => {
    const s = snapshot([col('id'), col('a')])
    const found = newColumnsOf(s, { b: 1, c: 2, d: 3 }, { ...policy, maxColumns: 3 }, NONE)
    expect(found).toEqual({ add: [{ name: 'b', kind: 'int' }], capped: ['c', 'd'] })
    const full = newColumnsOf(s, { b: 1 }, { ...policy, maxColumns: 2 }, NONE)
    expect(full).toEqual({ add: [], capped: ['b'] })
  })

  test('a message with only known keys offers nothing', () => {
    const s = snapshot([col('id'), col('a')])
    expect(newColumnsOf(s, { id: 1, a: 'x' }, policy, NONE)).toEqual({ add: [], capped: [] })
    expect(newColumnsOf(s, {}, policy, NONE)).toEqual({ add: [], capped: [] })
  })
})
