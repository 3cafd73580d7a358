import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { NumberText } from '../../../src/decode/number-text'
import { ok, problem } from './coerce-helper'

describe('Float columns', () => {
  test('numbers are written as their shortest text', () => {
    expect(ok('Float64', 1.5)).toBe('1.5')
    expect(ok('Float64', 0.1)).toBe('0.1')
    expect(ok('Float64', 1e308)).toBe('1e+308')
    expect(ok('Float32', 3)).toBe('3')
    expect(ok('Float64', -0)).toBe('-0')
  })

  test('numeric strings are read, including exponents and leading or trailing dots', () => {
    expect(ok('Float64', '1.5e3')).toBe('1500')
    expect(ok('Float64', ' -2.25 ')).toBe('-2.25')
    expect(ok('Float64', '.5')).toBe('0.5')
    expect(ok('Float64', '5.')).toBe('5')
    expect(ok('Float64', '+1E-2')).toBe('0.01')
  })

  test('NaN and infinities become the quoted words ClickHouse parses', () => {
    expect(ok('Float64', 'NaN')).toBe('"nan"')
    expect(ok('Float64', 'nan')).toBe('"nan"')
    expect(ok('Float64', 'inf')).toBe('"inf"')
    expect(ok('Float64', '+Infinity')).toBe('"inf"')
    expect(ok('Float32', '-inf')).toBe('"-inf"')
    expect(ok('Float32', '-Infinity')).toBe('"-inf"')
    expect(ok('Float64', new NumberText('1e400'))).toBe('"inf"')
  })

  test('number text is read to the nearest double', () => {
    expect(ok('Float64', new NumberText('3.14159265358979323846'))).toBe('3.141592653589793')
  })

  test('hex, empty text, words and booleans are refused', () => {
    for (const v of ['0x10', '', 'abc', '1,5', true, {}, [1]]) {
      expect(problem('Float64', v)).toBe('not a number')
    }
  })
})

describe('Decimal columns', () => {
  test('values are written exactly with S fraction digits', () => {
    expect(ok('Decimal(9, 2)', '12.5')).toBe('12.50')
    expect(ok('Decimal(9, 2)', 12.35)).toBe('12.35')
    expect(ok('Decimal(9, 2)', 0.1)).toBe('0.10')
    expect(ok('Decimal(9, 2)', -7)).toBe('-7.00')
    expect(ok('Decimal(9, 0)', '42')).toBe('42')
    expect(ok('Decimal(9, 2)', '007.5')).toBe('7.50')
    expect(ok('Decimal(9, 2)', '1.5e2')).toBe('150.00')
    expect(ok('Decimal(9, 2)', 1e-7)).toBe('0.00')
  })

  test('more than S fraction digits round half to even, with carries', () => {
    expect(ok('Decimal(9, 2)', '9.995')).toBe('10.00')
    expect(ok('Decimal(9, 2)', '9.985')).toBe('9.98')
    expect(ok('Decimal(9, 2)', '-9.995')).toBe('-10.00')
    expect(ok('Decimal(9, 2)', '-9.985')).toBe('-9.98')
    expect(ok('Decimal(9, 2)', '0.015')).toBe('0.02')
    expect(ok('Decimal(9, 2)', '0.025')).toBe('0.02')
    expect(ok('Decimal(9, 2)', '0.0251')).toBe('0.03')
    expect(ok('Decimal(9, 2)', '0.005')).toBe('0.00')
    expect(ok('Decimal(9, 2)', '0.0051')).toBe('0.01')
    expect(ok('Decimal(9, 0)', '2.5')).toBe('2')
    expect(ok('Decimal(9, 0)', '3.5')).toBe('4')
    expect(ok('Decimal(9, 0)', '-2.5')).toBe('-2')
    expect(ok('Decimal(9, 2)', '999.9999')).toBe('1000.00')
  })

  test('a value that rounds to zero has no minus sign', () => {
    expect(ok('Decimal(9, 2)', '-0.004')).toBe('0.00')
    expect(ok('Decimal(9, 2)', '-0')).toBe('0.00')
    expect(ok('Decimal(9, 2)', -0)).toBe('0.00')
  })

  test('more than P digits is refused, including after a rounding carry', () => {
    expect(ok('Decimal(9, 2)', '1234567.99')).toBe('1234567.99')
    expect(problem('Decimal(9, 2)', '12345678')).toBe('more than 9 digits for Decimal(9, 2)')
    expect(problem('Decimal(9, 2)', '9999999.995')).toBe('more than 9 digits for Decimal(9, 2)')
    expect(problem('Decimal(9, 2)', '1e10')).toContain('more than 9 digits')
  })

  test('wide decimals keep every digit of number text and strings', () => {
    const big = '12345678901234567890.123456789'
    expect(ok('Decimal(38, 10)', new NumberText(big))).toBe('12345678901234567890.1234567890')
    expect(ok('Decimal128(10)', big)).toBe('12345678901234567890.1234567890')
    const max76 = '9'.repeat(76)
    expect(ok('Decimal256(0)', max76)).toBe(max76)
    expect(problem('Decimal256(0)', `1${'0'.repeat(76)}`)).toContain('more than 76 digits')
  })

  test('non-numeric values, NaN and infinities are refused', () => {
    for (const v of ['abc', '', 'NaN', 'inf', '1.2.3', true, {}, []]) {
      expect(problem('Decimal(9, 2)', v)).toBe('not a decimal number')
    }
  })

  test('rounding matches a BigInt half-even reference', () => {
    const arb = fc.record({
      units: fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
      extra: fc.integer({ min: 0, max: 6 }),
      scale: fc.integer({ min: 0, max: 8 }),
    })
    fc.assert(
      fc.property(arb, ({ units, extra, scale }) => {
        const text = decimalText(units, scale + extra)
        expect(ok(`Decimal(38, ${scale})`, text)).toBe(decimalText(halfEven(units, extra), scale))
      }),
      { numRuns: 2000 },
    )
  })
})

/** units / 10^digits, rounded half-even to an integer count of the remaining units. */
function halfEven(units: bigint, digits: number): bigint {
  const neg = units < 0n
  const abs = neg ? -units : units
  const div = 10n ** BigInt(digits)
  let q = abs / div
  const r = abs % div
  const twice = 2n * r
  if (twice > div || (twice === div && q % 2n === 1n)) q += 1n
  return neg ? -q : q
}

/** The decimal text of units × 10^-scale with exactly `scale` fraction digits. */
function decimalText(units: bigint, scale: number): string {
  const neg = units < 0n
  const digits = (neg ? -units : units).toString().padStart(scale + 1, '0')
  const int = digits.slice(0, digits.length - scale)
  const text = scale === 0 ? int : `${int}.${digits.slice(digits.length - scale)}`
  return neg && units !== 0n ? `-${text}` : text
}
