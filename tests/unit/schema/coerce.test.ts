import { describe, expect, test } from 'bun:test'
import { compileCoercer, isNullable } from '../../../src/schema/coerce'
import { parseClickHouseType } from '../../../src/schema/column-type'
import { ZoneCache } from '../../../src/schema/time-zone'
import { ok, problem } from './coerce-helper'

describe('Nullable and LowCardinality', () => {
  test('Nullable(T) writes null for JSON null and T otherwise', () => {
    expect(ok('Nullable(Int8)', null)).toBe('null')
    expect(ok('Nullable(Int8)', 5)).toBe('5')
    expect(problem('Nullable(Int8)', 500)).toContain('out of range')
  })

  test('LowCardinality(Nullable(String)) is nullable', () => {
    expect(ok('LowCardinality(Nullable(String))', null)).toBe('null')
    expect(isNullable(parseClickHouseType('LowCardinality(Nullable(String))'))).toBe(true)
    expect(isNullable(parseClickHouseType('Array(Nullable(String))'))).toBe(false)
  })
})

describe('Array columns', () => {
  test('coerce element by element', () => {
    expect(ok('Array(Nullable(Int8))', [1, null, -3])).toBe('[1,null,-3]')
    expect(ok('Array(String)', [])).toBe('[]')
    expect(ok('Array(Array(UInt8))', [[1], [], [true]])).toBe('[[1],[],[1]]')
    expect(ok('Array(DateTime)', ['1970-01-01 00:00:01'])).toBe('[1]')
  })

  test('name the element that does not fit', () => {
    expect(problem('Array(Int8)', [1, 300])).toBe('element 1: out of range for Int8')
    expect(problem('Array(Int8)', [1, null])).toBe('element 1: null where the type is not Nullable')
  })

  test('refuse a value that is not an array', () => {
    expect(problem('Array(Int8)', '1,2')).toBe('not a JSON array')
    expect(problem('Array(Int8)', { 0: 1 })).toBe('not a JSON array')
  })
})

describe('Map columns', () => {
  test('Map(String, UInt64) coerces each value and keeps big numbers exact', () => {
    expect(ok('Map(String, UInt64)', { a: 1, b: '18446744073709551615' })).toBe(
      '{"a":1,"b":18446744073709551615}',
    )
    expect(ok('Map(String, UInt64)', {})).toBe('{}')
  })

  test('integer keys are checked and written quoted', () => {
    expect(ok('Map(UInt16, String)', { '1': 'x', '007': 'y' })).toBe('{"1":"x","7":"y"}')
    expect(problem('Map(UInt16, String)', { x: 'y' })).toBe('key "x": not an integer')
  })

  test('name the key whose value does not fit, and refuse non-objects', () => {
    expect(problem('Map(String, UInt8)', { a: 1, b: -1 })).toBe('key "b": out of range for UInt8')
    expect(problem('Map(String, UInt8)', [1])).toBe('not a JSON object')
    expect(problem('Map(String, UInt8)', null)).toBe('not a JSON object')
  })

  test('a Map whose key type cannot be a key is refused when compiled', () => {
    const type = parseClickHouseType('Map(Nullable(String), UInt8)')
    expect(() => compileCoercer(type, { timezone: 'UTC', zones: new ZoneCache() })).toThrow(
      'a Map key cannot be nullable',
    )
  })
})
