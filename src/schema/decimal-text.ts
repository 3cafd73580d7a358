/**
 * @module schema/decimal-text
 * Exact arithmetic on decimal digit text: parsing JSON-style numbers, integer conversion and
 * half-even rounding to a scale (SPEC §9). Never goes through a double, never throws.
 */

/** value = (neg ? -1 : 1) × digits × 10^exp; digits has no leading or trailing zeros ('' is 0). */
export interface DecimalParts {
  neg: boolean
  digits: string
  exp: number
}

/** Exponents beyond this only make a value far out of every column's range, or zero. */
const EXP_LIMIT = 100_000

/**
 * Parses `[+-]digits[.digits][e[+-]digits]` (also `.5` and `5.`), or returns false.
 * Writes into `out` so the hot path allocates nothing but the digit string.
 */
export function parseDecimalText(text: string, out: DecimalParts): boolean {
  const n = text.length
  let i = 0
  let c = text.charCodeAt(0)
  out.neg = c === 45
  if (c === 45 || c === 43) c = text.charCodeAt(++i)
  const intStart = i
  while (c >= 48 && c <= 57) c = text.charCodeAt(++i)
  const intEnd = i
  let fracStart = i
  let fracEnd = i
  if (c === 46) {
    fracStart = ++i
    c = text.charCodeAt(i)
    while (c >= 48 && c <= 57) c = text.charCodeAt(++i)
    fracEnd = i
  }
  if (intEnd === intStart && fracEnd === fracStart) return false
  let exp = 0
  if (c === 101 || c === 69) {
    const parsed = parseExponent(text, i + 1)
    if (parsed === null) return false
    exp = parsed
    i = n
  }
  if (i !== n) return false
  const int = text.slice(intStart, intEnd)
  normalise(
    out,
    fracEnd > fracStart ? int + text.slice(fracStart, fracEnd) : int,
    exp - (fracEnd - fracStart),
  )
  return true
}

function parseExponent(text: string, from: number): number | null {
  let i = from
  let c = text.charCodeAt(i)
  const neg = c === 45
  if (c === 45 || c === 43) c = text.charCodeAt(++i)
  if (!(c >= 48 && c <= 57)) return null
  let exp = 0
  for (; i < text.length; i++) {
    c = text.charCodeAt(i)
    if (c < 48 || c > 57) return null
    if (exp < EXP_LIMIT) exp = exp * 10 + (c - 48)
  }
  return neg ? -exp : exp
}

/** Strips leading and trailing zeros from the raw digits of `raw × 10^exp` into `out`. */
function normalise(out: DecimalParts, raw: string, exp: number): void {
  let first = 0
  while (first < raw.length && raw.charCodeAt(first) === 48) first++
  let last = raw.length
  while (last > first && raw.charCodeAt(last - 1) === 48) last--
  out.exp = first === last ? 0 : exp + (raw.length - last)
  out.digits = first === 0 && last === raw.length ? raw : raw.slice(first, last)
}

/** The integer's digits (no sign, no leading zeros, '0' for zero), or null for a fraction. */
export function integerDigits(parts: DecimalParts, maxDigits: number): string | null | 'overflow' {
  if (parts.digits === '') return '0'
  if (parts.exp < 0) return null
  if (parts.digits.length + parts.exp > maxDigits) return 'overflow'
  return parts.exp === 0 ? parts.digits : parts.digits + '0'.repeat(parts.exp)
}

/**
 * The value rounded half-even to `scale` fraction digits, as a count of 10^-scale units (digits
 * only, '0' for zero), or 'overflow' when it needs more than `maxDigits` digits.
 */
export function roundedUnits(parts: DecimalParts, scale: number, maxDigits: number): string {
  const { digits, exp } = parts
  if (digits === '') return '0'
  const keep = digits.length + exp + scale
  if (keep > maxDigits) return 'overflow'
  if (exp + scale >= 0) return digits + '0'.repeat(exp + scale)
  if (keep < 0) return '0'
  const kept = digits.slice(0, keep)
  const first = digits.charCodeAt(keep) - 48
  const lastKept = keep === 0 ? 0 : digits.charCodeAt(keep - 1) - 48
  // Normalised digits end in a non-zero digit, so anything after `first` makes it above half.
  const up = first > 5 || (first === 5 && (digits.length > keep + 1 || lastKept % 2 === 1))
  if (!up) return kept === '' ? '0' : kept
  const bumped = increment(kept)
  return bumped.length > maxDigits ? 'overflow' : bumped
}

/** Adds one to a digit string ('' counts as 0). */
export function increment(digits: string): string {
  let i = digits.length - 1
  while (i >= 0 && digits.charCodeAt(i) === 57) i--
  if (i < 0) return `1${'0'.repeat(digits.length)}`
  const bumped = String.fromCharCode(digits.charCodeAt(i) + 1)
  return digits.slice(0, i) + bumped + '0'.repeat(digits.length - i - 1)
}

/** Formats a count of 10^-scale units as `int.frac` with exactly `scale` fraction digits. */
export function formatUnits(neg: boolean, units: string, scale: number): string {
  const sign = neg && units !== '0' ? '-' : ''
  if (scale === 0) return sign + units
  const padded = units.length > scale ? units : '0'.repeat(scale - units.length + 1) + units
  const cut = padded.length - scale
  return `${sign}${padded.slice(0, cut)}.${padded.slice(cut)}`
}

/** Compares two digit strings without leading zeros as non-negative integers. */
export function compareDigits(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length
  return a < b ? -1 : a > b ? 1 : 0
}
