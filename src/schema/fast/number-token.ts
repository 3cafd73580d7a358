/**
 * @module schema/fast/number-token
 * Reads the parts of a JSON number token (already validated by json-scan) and answers what the
 * slow path's text of it would be, without making a double or a string. Never guesses: a case it
 * cannot prove says no, and the caller declines.
 */

export interface NumberParts {
  neg: boolean
  intStart: number
  intEnd: number
  /** fracStart === fracEnd when there is no fraction. */
  fracStart: number
  fracEnd: number
  hasExp: boolean
  /** Digits before the exponent, leading zeros not counted (decode-json's loosesDigits). */
  sig: number
  /** Zeros right after the point when the integer part is 0. */
  leadingFracZeros: number
}

export function newNumberParts(): NumberParts {
  return {
    neg: false,
    intStart: 0,
    intEnd: 0,
    fracStart: 0,
    fracEnd: 0,
    hasExp: false,
    sig: 0,
    leadingFracZeros: 0,
  }
}

/** Fills `n` from the valid number token src[start, end). */
export function readNumber(src: Uint8Array, start: number, end: number, n: NumberParts): void {
  let i = start
  n.neg = src[i] === 0x2d
  if (n.neg) i++
  n.intStart = i
  while (i < end && src[i]! >= 0x30 && src[i]! <= 0x39) i++
  n.intEnd = i
  n.fracStart = i
  n.fracEnd = i
  if (i < end && src[i] === 0x2e) {
    n.fracStart = ++i
    while (i < end && src[i]! >= 0x30 && src[i]! <= 0x39) i++
    n.fracEnd = i
  }
  n.hasExp = i < end
  const intZero = n.intEnd - n.intStart === 1 && src[n.intStart] === 0x30
  let zeros = 0
  if (intZero) while (n.fracStart + zeros < n.fracEnd && src[n.fracStart + zeros] === 0x30) zeros++
  n.leadingFracZeros = zeros
  const intDigits = intZero ? 0 : n.intEnd - n.intStart
  n.sig = intDigits + (n.fracEnd - n.fracStart) - (intZero ? zeros : 0)
}

export function isPlainInteger(n: NumberParts): boolean {
  return !n.hasExp && n.fracEnd === n.fracStart
}

/**
 * True when String(JSON.parse(token)) is the token itself: at most 15 significant digits (a
 * double keeps them, so no shorter text reads back as the same double), no exponent, no trailing
 * fraction zero, not negative zero, and a magnitude JS prints without an exponent (>= 1e-6).
 */
export function printsAsToken(src: Uint8Array, n: NumberParts): boolean {
  if (n.sig > 15 || n.hasExp) return false
  if (n.fracEnd > n.fracStart && src[n.fracEnd - 1] === 0x30) return false
  if (n.sig === 0) return !n.neg
  return n.leadingFracZeros <= 5
}

/**
 * True when the slow path's text of this number (String(value), or NumberText for digits a
 * double would lose) is the token itself.
 */
export function textIsToken(src: Uint8Array, n: NumberParts): boolean {
  // With an exponent, 16 digits that make a safe integer are reprinted without it.
  return (n.sig >= 16 && !n.hasExp) || printsAsToken(src, n)
}
