/**
 * @module tests/support/doris-server/numeric
 * Exact integer and decimal casts from text, as Stream Load applies them: integers by their digits
 * (never through a double), DECIMAL(P,S) rounded half up to S digits. Pure.
 */

export type Cast<T> = { ok: true; value: T } | { ok: false; range: boolean }

const INTEGER = /^[+-]?\d+$/
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/

/** An integer that fits `bits` (signed); a number when it is a safe integer, else a bigint. */
export function castInteger(text: string, bits: number): Cast<number | bigint> {
  const t = text.trim()
  if (!INTEGER.test(t)) return { ok: false, range: false }
  const n = BigInt(t)
  const limit = 1n << BigInt(bits - 1)
  // Doris treats 2000 into TINYINT as a failed cast (NULL unless strict), not a range filter.
  if (n < -limit || n >= limit) return { ok: false, range: false }
  return { ok: true, value: Number.isSafeInteger(Number(n)) ? Number(n) : n }
}

/**
 * DECIMAL(P,S) text with exactly S fraction digits. A malformed value is a failed cast; more
 * integer digits than P-S is a range failure (filtered whatever strict_mode says, §12.2).
 */
export function castDecimal(text: string, precision: number, scale: number): Cast<string> {
  const m = DECIMAL.exec(text.trim())
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return { ok: false, range: false }
  const sign = m[1] === '-' ? -1n : 1n
  let digits = `${m[2]}${m[3] ?? ''}`
  let point = (m[2] ?? '').length + Number(m[4] ?? 0)
  if (point < 0) {
    digits = '0'.repeat(-point) + digits
    point = 0
  }
  digits = digits.padEnd(point, '0')
  const kept = BigInt(`0${digits.slice(0, point + scale).padEnd(point + scale, '0')}`)
  const roundUp = (digits[point + scale] ?? '0') >= '5' ? 1n : 0n
  const magnitude = kept + roundUp
  if (magnitude >= 10n ** BigInt(precision)) return { ok: false, range: true }
  return { ok: true, value: formatScaled(sign * magnitude, scale) }
}

function formatScaled(n: bigint, scale: number): string {
  const negative = n < 0n
  const abs = (negative ? -n : n).toString().padStart(scale + 1, '0')
  const body = scale === 0 ? abs : `${abs.slice(0, -scale)}.${abs.slice(-scale)}`
  return negative ? `-${body}` : body
}

const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/
const SPECIAL: Record<string, number> = {
  nan: Number.NaN,
  inf: Number.POSITIVE_INFINITY,
  infinity: Number.POSITIVE_INFINITY,
}

/** FLOAT/DOUBLE from text, including `NaN` and `inf`; FLOAT is rounded to single precision. */
export function castFloat(text: string, single: boolean): Cast<number> {
  const t = text.trim()
  const bare = t.replace(/^[+-]/, '').toLowerCase()
  let value: number
  if (FLOAT.test(t)) value = Number(t)
  else if (bare in SPECIAL) value = (t.startsWith('-') ? -1 : 1) * (SPECIAL[bare] as number)
  else return { ok: false, range: false }
  return { ok: true, value: single ? Math.fround(value) : value }
}
