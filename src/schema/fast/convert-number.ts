/**
 * @module schema/fast/convert-number
 * Integer, Bool, Float and Decimal columns from bytes. Integer and decimal digits pass through
 * after a digit-count and range check on the text; a number is copied only when it is exactly the
 * text the slow path prints. Never goes through a double; declines rather than rounds.
 */
import { type Converter, DECLINE, SAME, WROTE } from './converter'
import { copySrc, type FastRow, utf8, writeBytes } from './fast-row'
import {
  HAS_ESCAPE,
  KIND_FALSE,
  KIND_NUMBER,
  KIND_STRING,
  KIND_TRUE,
  type Token,
} from './json-scan'
import {
  isPlainInteger,
  type NumberParts,
  newNumberParts,
  printsAsToken,
  readNumber,
} from './number-token'

const TRUE_TEXT = utf8('true')
const FALSE_TEXT = utf8('false')

/** Int8..Int256, UInt8..UInt256; UInt8 also takes true/false as 1/0 (coerce-int). */
export function intConverter(bits: number, signed: boolean): Converter {
  const max = utf8(String(signed ? 2n ** BigInt(bits - 1) - 1n : 2n ** BigInt(bits) - 1n))
  const min = utf8(signed ? String(2n ** BigInt(bits - 1)) : '0')
  const asBool = bits === 8 && !signed
  const parts = newNumberParts()
  return (t, row) => {
    const { src } = row
    if (t.kind === KIND_NUMBER) {
      readNumber(src, t.start, t.end, parts)
      if (!isPlainInteger(parts) || !inRange(src, parts, max, min, signed)) return DECLINE
      // The digits are the output, except that -0 is written 0.
      if (!parts.neg || src[parts.intStart] !== 0x30) return SAME
      row.out[row.pos++] = 0x30
      return WROTE
    }
    if (t.kind === KIND_STRING) {
      if ((t.flags & HAS_ESCAPE) !== 0 || !digitString(src, t.start + 1, t.end - 1, parts)) {
        return DECLINE
      }
      return writeInteger(row, parts, max, min, signed) ? WROTE : DECLINE
    }
    if (asBool && (t.kind === KIND_TRUE || t.kind === KIND_FALSE)) {
      row.out[row.pos++] = t.kind === KIND_TRUE ? 0x31 : 0x30
      return WROTE
    }
    return DECLINE
  }
}

/** `-?(0|[1-9][0-9]*)` exactly (no sign, space or leading zero the slow parse would drop). */
function digitString(src: Uint8Array, s: number, e: number, n: NumberParts): boolean {
  n.neg = s < e && src[s] === 0x2d
  const d = n.neg ? s + 1 : s
  if (d >= e || (src[d] === 0x30 && e - d > 1)) return false
  for (let k = d; k < e; k++) if (src[k]! < 0x30 || src[k]! > 0x39) return false
  n.intStart = d
  n.intEnd = e
  return true
}

/** True when the digits fit the type (zero, of either sign, always does). */
function inRange(
  src: Uint8Array,
  n: NumberParts,
  max: Uint8Array,
  min: Uint8Array,
  signed: boolean,
): boolean {
  const s = n.intStart
  if (n.intEnd - s === 1 && src[s] === 0x30) return true
  if (n.neg && !signed) return false
  return compareDigits(src, s, n.intEnd, n.neg ? min : max) <= 0
}

function writeInteger(
  row: FastRow,
  n: NumberParts,
  max: Uint8Array,
  min: Uint8Array,
  signed: boolean,
): boolean {
  if (!inRange(row.src, n, max, min, signed)) return false
  const zero = n.intEnd - n.intStart === 1 && row.src[n.intStart] === 0x30
  if (n.neg && !zero) row.out[row.pos++] = 0x2d
  copySrc(row, n.intStart, n.intEnd)
  return true
}

/** Compares digits src[s, e) (no leading zeros) with `limit` as non-negative integers. */
function compareDigits(src: Uint8Array, s: number, e: number, limit: Uint8Array): number {
  if (e - s !== limit.length) return e - s - limit.length
  for (let k = 0; k < limit.length; k++) {
    const d = src[s + k]! - limit[k]!
    if (d !== 0) return d
  }
  return 0
}

/** Bool: true/false, and the numbers 1 and 0; written true/false. */
export const boolConverter: Converter = (t, row) => {
  let v = t.kind === KIND_TRUE ? 1 : t.kind === KIND_FALSE ? 0 : -1
  if (t.kind === KIND_NUMBER && t.end - t.start === 1) {
    const c = row.src[t.start]
    v = c === 0x31 ? 1 : c === 0x30 ? 0 : -1
  }
  if (v < 0) return DECLINE
  if (t.kind !== KIND_NUMBER) return SAME
  writeBytes(row, v === 1 ? TRUE_TEXT : FALSE_TEXT)
  return WROTE
}

/** Float32/Float64: a number whose shortest text is the token itself (and `-0`). */
export function floatConverter(): Converter {
  const parts = newNumberParts()
  return (t: Token, row: FastRow) => {
    if (t.kind !== KIND_NUMBER) return DECLINE
    const { src } = row
    readNumber(src, t.start, t.end, parts)
    const negZero = t.end - t.start === 2 && src[t.start] === 0x2d && src[t.start + 1] === 0x30
    return negZero || printsAsToken(src, parts) ? SAME : DECLINE
  }
}

/**
 * Decimal(P,S) as coerce-decimal's plainDecimal writes it: at most P-S integer digits and S
 * fraction digits, padded with zeros to S. A number's text is first made the one the slow path
 * sees: its shortest form (trailing fraction zeros dropped) below 16 digits, else the token.
 */
export function decimalConverter(precision: number, scale: number): Converter {
  const maxInt = precision - scale
  const parts = newNumberParts()
  return (t, row) => {
    const { src } = row
    if (t.kind === KIND_STRING) {
      if (t.flags !== 0) return DECLINE
      readNumber(src, t.start + 1, t.end - 1, parts)
      if (!plainDecimalText(src, t.end - 1, parts)) return DECLINE
      return writeDecimal(row, parts, parts.fracEnd, maxInt, scale) ? WROTE : DECLINE
    }
    if (t.kind !== KIND_NUMBER) return DECLINE
    readNumber(src, t.start, t.end, parts)
    if (parts.hasExp) return DECLINE
    let fracEnd = parts.fracEnd
    if (parts.sig <= 15) {
      while (fracEnd > parts.fracStart && src[fracEnd - 1] === 0x30) fracEnd--
      if (parts.sig === 0 && parts.neg) return DECLINE
      if (parts.leadingFracZeros > 5 && fracEnd > parts.fracStart) return DECLINE
    }
    // Written as the token's digits padded to the scale: the token itself when it had S digits.
    const same =
      parts.fracEnd - parts.fracStart === scale && (scale > 0 || parts.fracEnd === parts.intEnd)
    if (same && fitsDecimal(src, parts, fracEnd, maxInt, scale)) return SAME
    return writeDecimal(row, parts, fracEnd, maxInt, scale) ? WROTE : DECLINE
  }
}

/** A string is taken only as `-?(0|[1-9][0-9]*)(.[0-9]+)?`, the form plainDecimal copies. */
function plainDecimalText(src: Uint8Array, e: number, n: NumberParts): boolean {
  // readNumber stops at the first byte that does not fit; hasExp then means "bytes left over".
  if (n.intEnd === n.intStart || n.hasExp) return false
  if (src[n.intStart] === 0x30 && n.intEnd - n.intStart > 1) return false
  const dot = n.intEnd < e && src[n.intEnd] === 0x2e
  return !(dot && n.fracEnd === n.fracStart)
}

const ZERO = 0x30

/** plainDecimal's conditions: P-S integer digits, S fraction digits, not a negative below 1. */
function fitsDecimal(
  src: Uint8Array,
  n: NumberParts,
  fracEnd: number,
  maxInt: number,
  scale: number,
): boolean {
  if (n.intEnd - n.intStart > maxInt || fracEnd - n.fracStart > scale) return false
  // plainDecimal leaves a negative number below 1 to the general path (it would print "-0.x").
  return !(n.neg && src[n.intStart] === ZERO)
}

function writeDecimal(
  row: FastRow,
  n: NumberParts,
  fracEnd: number,
  maxInt: number,
  scale: number,
): boolean {
  if (!fitsDecimal(row.src, n, fracEnd, maxInt, scale)) return false
  const fracLen = fracEnd - n.fracStart
  if (n.neg) row.out[row.pos++] = 0x2d
  copySrc(row, n.intStart, n.intEnd)
  if (scale === 0) return true
  row.out[row.pos++] = 0x2e
  copySrc(row, n.fracStart, fracEnd)
  for (let k = fracLen; k < scale; k++) row.out[row.pos++] = ZERO
  return true
}
