/**
 * @module schema/coerce-int
 * Integers of every width (8..256 bits) and booleans. Beyond 2^53 values travel as digit text
 * (NumberText or strings), never through a double; a fraction or out-of-range value fails.
 */
import { NumberText } from '../decode/number-text'
import { CoerceFailure, type Coercer, trimmed } from './coercer'
import { compareDigits, type DecimalParts, integerDigits, parseDecimalText } from './decimal-text'

const NOT_INTEGER = new CoerceFailure('not an integer')
/** Flags, counts and versions are mostly small: their text is made once, not per row. */
const SMALL_INTS = Array.from({ length: 1024 }, (_, i) => String(i))
const NOT_BOOL = new CoerceFailure('not a boolean (true/false, 1/0, "true"/"false")')

/** JSON integers and integer-valued numeric strings; UInt8 also takes booleans (SPEC §9). */
export function intCoercer(bits: number, signed: boolean): Coercer {
  const name = `${signed ? '' : 'U'}Int${bits}`
  const outOfRange = new CoerceFailure(`out of range for ${name}`)
  const maxText = String(signed ? 2n ** BigInt(bits - 1) - 1n : 2n ** BigInt(bits) - 1n)
  const minText = signed ? String(2n ** BigInt(bits - 1)) : '0'
  const small = bits <= 32
  const max = small ? Number(maxText) : Number.MAX_SAFE_INTEGER
  const min = signed ? -Number(small ? minText : Number.MAX_SAFE_INTEGER) : 0
  const asBool = bits === 8 && !signed
  const parts: DecimalParts = { neg: false, digits: '', exp: 0 }

  const fromText = (text: string): string | CoerceFailure => {
    if (!parseDecimalText(text, parts)) return NOT_INTEGER
    const digits = integerDigits(parts, maxText.length + 1)
    if (digits === null) return NOT_INTEGER
    if (digits === 'overflow') return outOfRange
    if (digits === '0') return '0'
    if (!parts.neg) return compareDigits(digits, maxText) > 0 ? outOfRange : digits
    return compareDigits(digits, minText) > 0 ? outOfRange : `-${digits}`
  }

  return (v) => {
    if (typeof v === 'number') {
      // Safe integers are the common case and need no text; -0 prints as "0".
      if (Number.isSafeInteger(v)) {
        if (v < min || v > max) return outOfRange
        return v >= 0 && v < 1024 ? (SMALL_INTS[v] as string) : String(v)
      }
      // A larger integer parsed from a short text: its shortest text is exactly what was sent.
      return Number.isInteger(v) ? fromText(String(v)) : NOT_INTEGER
    }
    if (typeof v === 'string') {
      if (asBool) {
        const b = boolText(v)
        if (b !== null) return b ? '1' : '0'
      }
      return fromText(trimmed(v))
    }
    if (v instanceof NumberText) return fromText(v.text)
    if (asBool && typeof v === 'boolean') return v ? '1' : '0'
    return NOT_INTEGER
  }
}

/** The Bool type: true/false, 1/0, "true"/"false"; written as true/false. */
export const boolCoercer: Coercer = (v) => {
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  if (v === 1 || v === 0) return v === 1 ? 'true' : 'false'
  if (typeof v === 'string') {
    const b = boolText(v)
    if (b !== null) return b ? 'true' : 'false'
  }
  return NOT_BOOL
}

/** "true"/"false" in any letter case, else null. */
function boolText(s: string): boolean | null {
  if (s.length === 4 && s.toLowerCase() === 'true') return true
  if (s.length === 5 && s.toLowerCase() === 'false') return false
  return null
}
