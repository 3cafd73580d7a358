/**
 * @module schema/epoch
 * Turns a JSON value into a point in time: date-time text into wall-clock parts, numbers into
 * epoch seconds + nanoseconds (SPEC §9: below 1e11 seconds, else milliseconds). Fractions are
 * read from the digit text, never multiplied through a double.
 */
import { NumberText } from '../decode/number-text'
import { trimmed } from './coercer'
import { type ParsedDateTime, parseDateTimeText } from './datetime-text'
import { type DecimalParts, parseDecimalText } from './decimal-text'

/** Numbers at or above this (in magnitude) are epoch milliseconds. */
export const MILLIS_FROM = 1e11
const EPOCH_DIGITS = /^[+-]?[0-9]+(?:\.[0-9]+)?$/

/**
 * One per coercer: its result fields are overwritten by every read, so reading allocates
 * nothing for text and integer epochs.
 */
export class InstantReader {
  /** Filled when read() returns 'wall'. */
  readonly parsed: ParsedDateTime = { wall: 0, nanos: 0, offset: null, dateOnly: false }
  /** Epoch seconds (floor), filled when read() returns 'instant'. */
  sec = 0
  /** 0..999_999_999 */
  nanos = 0
  private readonly parts: DecimalParts = { neg: false, digits: '', exp: 0 }

  /** Text dates give 'wall', epoch numbers and digit strings 'instant', anything else null. */
  read(v: unknown): 'wall' | 'instant' | null {
    if (typeof v === 'string') {
      const t = trimmed(v)
      if (parseDateTimeText(t, this.parsed)) return 'wall'
      return EPOCH_DIGITS.test(t) && this.fromText(t) ? 'instant' : null
    }
    if (typeof v === 'number') return this.fromNumber(v) ? 'instant' : null
    if (v instanceof NumberText) return this.fromText(v.text) ? 'instant' : null
    return null
  }

  private fromNumber(n: number): boolean {
    if (!Number.isFinite(n)) return false
    if (!Number.isInteger(n)) return this.fromText(String(n))
    if (Math.abs(n) < MILLIS_FROM) {
      this.sec = n
      this.nanos = 0
    } else {
      this.sec = Math.floor(n / 1000)
      this.nanos = (n - this.sec * 1000) * 1_000_000
    }
    return true
  }

  /** Exact epoch from decimal text; far-out values give ±Infinity seconds (out of every range). */
  private fromText(text: string): boolean {
    const parts = this.parts
    if (!parseDecimalText(text, parts)) return false
    const { neg, digits } = parts
    // At least 1e11 (12 integer digits) means milliseconds: move the point three places.
    const exp = digits.length + parts.exp > 11 ? parts.exp - 3 : parts.exp
    const whole = digits.length + exp
    if (whole > 15) {
      this.sec = neg ? -Infinity : Infinity
      this.nanos = 0
      return true
    }
    const int = whole <= 0 ? 0 : Number(digits.slice(0, whole) + '0'.repeat(Math.max(0, exp)))
    const frac =
      whole >= digits.length
        ? ''
        : '0'.repeat(Math.max(0, -whole)) + digits.slice(Math.max(0, whole))
    const nanos = frac === '' ? 0 : Number(`${frac}00000000`.slice(0, 9))
    this.sec = !neg ? int : nanos === 0 ? -int : -int - 1
    this.nanos = !neg || nanos === 0 ? nanos : 1_000_000_000 - nanos
    return true
  }
}
