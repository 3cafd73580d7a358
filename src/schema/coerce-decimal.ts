/**
 * @module schema/coerce-decimal
 * Floats and Decimal(P,S). Decimals are exact: digit text in, half-even rounding to S digits,
 * more than P digits fails; a double is never used to hold a decimal's value.
 */
import { NumberText } from '../decode/number-text'
import { CoerceFailure, type Coercer, trimmed } from './coercer'
import { type DecimalParts, formatUnits, parseDecimalText, roundedUnits } from './decimal-text'

const NOT_NUMBER = new CoerceFailure('not a number')
const NOT_DECIMAL = new CoerceFailure('not a decimal number')
/** JSON numbers only; hex, empty and `Infinity` spellings that Number() accepts are refused. */
const FLOAT_TEXT = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/
const SPECIAL: Record<string, string> = {
  nan: '"nan"',
  '+nan': '"nan"',
  '-nan': '"nan"',
  inf: '"inf"',
  '+inf': '"inf"',
  infinity: '"inf"',
  '+infinity': '"inf"',
  '-inf': '"-inf"',
  '-infinity': '"-inf"',
}

/**
 * Float32/Float64 from numbers and numeric strings ("1.5e3", "NaN", "inf"). NaN and infinities
 * are written as the quoted words ClickHouse parses ("nan", "inf", "-inf"), so rows stay JSON.
 */
export function floatCoercer(): Coercer {
  return (v) => {
    if (typeof v === 'number') return floatText(v)
    if (typeof v === 'string') {
      const t = trimmed(v)
      if (FLOAT_TEXT.test(t)) return floatText(Number(t))
      return SPECIAL[t.toLowerCase()] ?? NOT_NUMBER
    }
    if (v instanceof NumberText) return floatText(Number(v.text))
    return NOT_NUMBER
  }
}

function floatText(n: number): string {
  if (Number.isFinite(n)) return n === 0 && 1 / n < 0 ? '-0' : String(n)
  if (Number.isNaN(n)) return '"nan"'
  return n > 0 ? '"inf"' : '"-inf"'
}

/** Decimal(P,S) from numbers (their shortest text, or NumberText) and numeric strings. */
export function decimalCoercer(precision: number, scale: number): Coercer {
  const tooManyDigits = new CoerceFailure(
    `more than ${precision} digits for Decimal(${precision}, ${scale})`,
  )
  const parts: DecimalParts = { neg: false, digits: '', exp: 0 }
  const maxInt = precision - scale
  const fromText = (text: string): string | CoerceFailure => {
    const plain = plainDecimal(text, scale, maxInt)
    if (plain !== null) return plain
    if (!parseDecimalText(text, parts)) return NOT_DECIMAL
    const units = roundedUnits(parts, scale, precision)
    return units === 'overflow' ? tooManyDigits : formatUnits(parts.neg, units, scale)
  }
  return (v) => {
    // String(n) is the shortest text that reads back as n: the sender's digits whenever they
    // fit a double (decodeJson turns longer ones into NumberText).
    if (typeof v === 'number') return Number.isFinite(v) ? fromText(String(v)) : NOT_DECIMAL
    if (typeof v === 'string') return fromText(trimmed(v))
    if (v instanceof NumberText) return fromText(v.text)
    return NOT_DECIMAL
  }
}

const ZEROS = Array.from({ length: 77 }, (_, i) => '0'.repeat(i))

/**
 * The common case without any arithmetic: `[-]int[.frac]` already canonical (no leading zero,
 * not negative zero) with at most `scale` fraction digits and `maxInt` integer digits is written
 * as is, padded to `scale` digits. Anything else returns null for the exact general path.
 */
function plainDecimal(t: string, scale: number, maxInt: number): string | null {
  const neg = t.charCodeAt(0) === 45 ? 1 : 0
  let i = neg
  let c = t.charCodeAt(i)
  while (c >= 48 && c <= 57) c = t.charCodeAt(++i)
  const intLen = i - neg
  if (intLen === 0 || intLen > maxInt) return null
  if (t.charCodeAt(neg) === 48 && (intLen > 1 || neg === 1)) return null
  if (i === t.length) return scale === 0 ? t : `${t}.${ZEROS[scale]}`
  if (c !== 46) return null
  const fracStart = ++i
  c = t.charCodeAt(i)
  while (c >= 48 && c <= 57) c = t.charCodeAt(++i)
  const fracLen = i - fracStart
  if (i !== t.length || fracLen === 0 || fracLen > scale) return null
  return fracLen === scale ? t : t + ZEROS[scale - fracLen]
}
