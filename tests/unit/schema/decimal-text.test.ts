import { describe, expect, test } from 'bun:test'
import {
  compareDigits,
  type DecimalParts,
  formatUnits,
  increment,
  integerDigits,
  parseDecimalText,
  roundedUnits,
} from '../../../src/schema/decimal-text'

function parse(text: string): DecimalParts | null {
  const out: DecimalParts = { neg: false, digits: '', exp: 0 }
  return parseDecimalText(text, out) ? out : null
}

describe('parseDecimalText', () => {
  test('normalises digits and exponent without leading or trailing zeros', () => {
    expect(parse('0012.3400')).toEqual({ neg: false, digits: '1234', exp: -2 })
    expect(parse('-1.5e3')).toEqual({ neg: true, digits: '15', exp: 2 })
    expect(parse('+.5')).toEqual({ neg: false, digits: '5', exp: -1 })
    expect(parse('5.')).toEqual({ neg: false, digits: '5', exp: 0 })
    expect(parse('1000')).toEqual({ neg: false, digits: '1', exp: 3 })
    expect(parse('0.000')).toEqual({ neg: false, digits: '', exp: 0 })
    expect(parse('1E-2')).toEqual({ neg: false, digits: '1', exp: -2 })
  })

  test('refuses anything that is not a JSON-style number', () => {
    for (const t of ['', '-', '.', 'e5', '1e', '1e+', '0x10', '1.2.3', ' 1', '1 ', 'NaN', '1_0']) {
      expect(parse(t)).toBeNull()
    }
  })
})

describe('digit arithmetic', () => {
  test('integerDigits expands exponents and refuses fractions', () => {
    expect(integerDigits(parse('1.5e2') as DecimalParts, 10)).toBe('150')
    expect(integerDigits(parse('0') as DecimalParts, 10)).toBe('0')
    expect(integerDigits(parse('1.5') as DecimalParts, 10)).toBeNull()
    expect(integerDigits(parse('1e20') as DecimalParts, 10)).toBe('overflow')
  })

  test('roundedUnits rounds half to even and reports overflow', () => {
    expect(roundedUnits(parse('2.345') as DecimalParts, 2, 9)).toBe('234')
    expect(roundedUnits(parse('2.355') as DecimalParts, 2, 9)).toBe('236')
    expect(roundedUnits(parse('0.0049') as DecimalParts, 2, 9)).toBe('0')
    expect(roundedUnits(parse('99.995') as DecimalParts, 2, 4)).toBe('overflow')
    expect(roundedUnits(parse('1e-99999') as DecimalParts, 2, 4)).toBe('0')
    expect(roundedUnits(parse('1e99999') as DecimalParts, 2, 76)).toBe('overflow')
  })

  test('increment carries through nines', () => {
    expect(increment('')).toBe('1')
    expect(increment('129')).toBe('130')
    expect(increment('999')).toBe('1000')
  })

  test('formatUnits places the point and drops the sign of zero', () => {
    expect(formatUnits(false, '5', 3)).toBe('0.005')
    expect(formatUnits(true, '12345', 2)).toBe('-123.45')
    expect(formatUnits(true, '0', 2)).toBe('0.00')
    expect(formatUnits(false, '7', 0)).toBe('7')
  })

  test('compareDigits orders by length, then lexically', () => {
    expect(compareDigits('99', '100')).toBeLessThan(0)
    expect(compareDigits('101', '100')).toBeGreaterThan(0)
    expect(compareDigits('100', '100')).toBe(0)
  })
})
