import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { NumberText } from '../../../src/decode/number-text'
import { ok, problem } from './coerce-helper'

const WIDTHS = [8, 16, 32, 64, 128, 256] as const

describe('integer columns', () => {
  for (const bits of WIDTHS) {
    const min = -(2n ** BigInt(bits - 1))
    const max = 2n ** BigInt(bits - 1) - 1n
    const umax = 2n ** BigInt(bits) - 1n
    test(`Int${bits} takes its min and max and refuses one beyond, as strings and number text`, () => {
      for (const v of [min, max]) {
        expect(ok(`Int${bits}`, String(v))).toBe(String(v))
        expect(ok(`Int${bits}`, new NumberText(String(v)))).toBe(String(v))
      }
      expect(problem(`Int${bits}`, String(min - 1n))).toBe(`out of range for Int${bits}`)
      expect(problem(`Int${bits}`, String(max + 1n))).toBe(`out of range for Int${bits}`)
    })
    test(`UInt${bits} takes 0 and its max and refuses -1 and max + 1`, () => {
      expect(ok(`UInt${bits}`, '0')).toBe('0')
      expect(ok(`UInt${bits}`, String(umax))).toBe(String(umax))
      expect(ok(`UInt${bits}`, new NumberText(String(umax)))).toBe(String(umax))
      expect(problem(`UInt${bits}`, '-1')).toBe(`out of range for UInt${bits}`)
      expect(problem(`UInt${bits}`, -1)).toBe(`out of range for UInt${bits}`)
      expect(problem(`UInt${bits}`, String(umax + 1n))).toBe(`out of range for UInt${bits}`)
    })
  }

  test('small widths check JSON numbers against their range', () => {
    expect(ok('Int8', -128)).toBe('-128')
    expect(ok('Int8', 127)).toBe('127')
    expect(problem('Int8', 128)).toContain('out of range')
    expect(problem('Int8', -129)).toContain('out of range')
    expect(ok('UInt32', 4294967295)).toBe('4294967295')
    expect(problem('UInt32', 4294967296)).toContain('out of range')
    expect(ok('Int32', -2147483648)).toBe('-2147483648')
  })

  test('2^53 + 1 and 2^64 - 1 keep every digit when they arrive as text', () => {
    expect(ok('UInt64', new NumberText('9007199254740993'))).toBe('9007199254740993')
    expect(ok('Int64', '-9223372036854775808')).toBe('-9223372036854775808')
    expect(ok('UInt64', '18446744073709551615')).toBe('18446744073709551615')
  })

  test('a large JSON number that a double holds exactly is written from its shortest text', () => {
    expect(ok('Int128', 1e21)).toBe('1000000000000000000000')
    expect(ok('UInt64', 1e19)).toBe('10000000000000000000')
    expect(problem('UInt64', 2 ** 64)).toContain('out of range')
  })

  test('fractions, hex, empty and non-numeric text are refused', () => {
    for (const v of [1.5, '1.5', '0x1A', '', ' ', 'abc', '1_000', '--1', '+-1', {}, [], 'NaN']) {
      expect(problem('Int32', v)).toBe('not an integer')
    }
    expect(problem('UInt64', new NumberText('12345678901234567.5'))).toBe('not an integer')
  })

  test('whitespace, a leading plus, leading zeros and minus zero are read as the number', () => {
    expect(ok('Int32', ' 42 ')).toBe('42')
    expect(ok('Int32', '+5')).toBe('5')
    expect(ok('Int32', '007')).toBe('7')
    expect(ok('Int32', '-0')).toBe('0')
    expect(ok('Int32', -0)).toBe('0')
  })

  test('integer-valued numeric text with a zero fraction or exponent is the integer it denotes', () => {
    expect(ok('Int32', '1e3')).toBe('1000')
    expect(ok('Int32', '1.0')).toBe('1')
    expect(ok('UInt64', new NumberText('1.8446744073709551615e19'))).toBe('18446744073709551615')
  })

  test('UInt8 also takes booleans as 1/0 (UInt8 used as bool), other widths do not', () => {
    expect(ok('UInt8', true)).toBe('1')
    expect(ok('UInt8', false)).toBe('0')
    expect(ok('UInt8', 'true')).toBe('1')
    expect(ok('UInt8', 'False')).toBe('0')
    expect(problem('Int8', true)).toBe('not an integer')
    expect(problem('UInt16', 'true')).toBe('not an integer')
  })

  test('random 64-bit integers round-trip exactly as strings and as number text', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (v) => {
        expect(ok('Int64', String(v))).toBe(String(v))
        expect(ok('Int64', new NumberText(String(v)))).toBe(String(v))
      }),
    )
  })

  test('random safe integers round-trip exactly as JSON numbers', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (v) => {
        expect(ok('Int64', v)).toBe(String(v))
      }),
    )
  })

  test('random 256-bit integers round-trip and one past either end is refused', () => {
    const max = 2n ** 255n - 1n
    fc.assert(
      fc.property(fc.bigInt({ min: -max - 1n, max }), (v) => {
        expect(ok('Int256', String(v))).toBe(String(v))
      }),
    )
    expect(problem('Int256', String(max + 1n))).toContain('out of range')
  })
})

describe('Bool columns', () => {
  test('take true/false, 1/0 and "true"/"false" and write true/false', () => {
    expect(ok('Bool', true)).toBe('true')
    expect(ok('Bool', false)).toBe('false')
    expect(ok('Bool', 1)).toBe('true')
    expect(ok('Bool', 0)).toBe('false')
    expect(ok('Bool', 'true')).toBe('true')
    expect(ok('Bool', 'FALSE')).toBe('false')
  })

  test('refuse other numbers and words', () => {
    for (const v of [2, -1, 0.5, 'yes', '1', '', {}])
      expect(problem('Bool', v)).toContain('not a boolean')
  })
})
