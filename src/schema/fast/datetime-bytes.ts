/**
 * @module schema/fast/datetime-bytes
 * schema/datetime-text's parseDateTimeText, reading bytes instead of a string: the same forms,
 * the same fields, so the fast and slow paths agree on every date-time. Pure; allocates nothing.
 */
import { DAY_SECONDS, daysFromCivil, daysInMonth, type ParsedDateTime } from '../datetime-text'

/** The last date part seen and its day number: rows of a batch mostly share their date. */
export interface DayCache {
  readonly date: Uint8Array
  days: number
}

export function newDayCache(): DayCache {
  return { date: new Uint8Array(10), days: Number.NaN }
}

/** Parses src[s, e) into `out`; false when it is not an accepted form or not a real date. */
export function parseDateTimeBytes(
  src: Uint8Array,
  s: number,
  e: number,
  out: ParsedDateTime,
  cache: DayCache,
): boolean {
  const n = e - s
  if (n < 10 || src[s + 4] !== 45 || src[s + 7] !== 45) return false
  const days = sameDate(src, s, cache) ? cache.days : dateDays(src, s, cache)
  if (Number.isNaN(days)) return false
  out.nanos = 0
  out.offset = null
  out.dateOnly = n === 10
  if (n === 10) {
    out.wall = days * DAY_SECONDS
    return true
  }
  const sep = src[s + 10]
  if (sep !== 84 && sep !== 116 && sep !== 32) return false
  return readTime(src, s, e, days, out)
}

function sameDate(src: Uint8Array, s: number, cache: DayCache): boolean {
  const date = cache.date
  for (let k = 0; k < 10; k++) if (src[s + k] !== date[k]) return false
  return !Number.isNaN(cache.days)
}

/** The day number of the `YYYY-MM-DD` at s (remembered in `cache`), or NaN. */
function dateDays(src: Uint8Array, s: number, cache: DayCache): number {
  const century = two(src, s)
  const yy = two(src, s + 2)
  // Each pair on its own: a bad second pair must not be absorbed by the first (29ab: 2900 - 1000).
  const year = century < 0 || yy < 0 ? -1 : century * 100 + yy
  const month = two(src, s + 5)
  const day = two(src, s + 8)
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return Number.NaN
  }
  const days = daysFromCivil(year, month, day)
  for (let k = 0; k < 10; k++) cache.date[k] = src[s + k]!
  cache.days = days
  return days
}

/** Two ASCII digits at k (in bounds), or a negative number when either is not a digit. */
function two(src: Uint8Array, k: number): number {
  const a = src[k]! - 48
  const b = src[k + 1]! - 48
  if (a < 0 || a > 9 || b < 0 || b > 9) return -1000
  return a * 10 + b
}

/** The byte at offset `k` of the text, or -1 past its end (charCodeAt's NaN). */
function at(src: Uint8Array, s: number, e: number, k: number): number {
  return s + k < e ? src[s + k]! : -1
}

function readTime(
  src: Uint8Array,
  s: number,
  e: number,
  days: number,
  out: ParsedDateTime,
): boolean {
  // `hh:mm` must be complete: a shorter text reads past its end, which parseDateTimeText refuses.
  if (e - s < 16) return false
  const hour = two(src, s + 11)
  const minute = src[s + 13] === 58 ? two(src, s + 14) : -1
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return false
  let second = 0
  let k = 16
  if (at(src, s, e, 16) === 58) {
    second = e - s < 19 ? -1 : two(src, s + 17)
    if (second < 0 || second > 59) return false
    k = readFraction(src, s, e, 19, out)
  }
  out.wall = days * DAY_SECONDS + hour * 3600 + minute * 60 + second
  return readOffset(src, s, e, k, out)
}

function readFraction(
  src: Uint8Array,
  s: number,
  e: number,
  k: number,
  out: ParsedDateTime,
): number {
  const c = at(src, s, e, k)
  if (c !== 46 && c !== 44) return k
  let i = k + 1
  let nanos = 0
  let scale = 100_000_000
  for (let d = at(src, s, e, i); d >= 48 && d <= 57; d = at(src, s, e, ++i)) {
    nanos += (d - 48) * scale
    scale = Math.floor(scale / 10)
  }
  if (i === k + 1) return -1
  out.nanos = nanos
  return i
}

function readOffset(
  src: Uint8Array,
  s: number,
  e: number,
  k: number,
  out: ParsedDateTime,
): boolean {
  if (k < 0) return false
  const n = e - s
  if (k === n) return true
  const c = at(src, s, e, k)
  if ((c === 90 || c === 122) && k + 1 === n) {
    out.offset = 0
    return true
  }
  if (c !== 43 && c !== 45) return false
  const hours = digits(src, s, e, k + 1, 2)
  let minutes = 0
  const rest = n - (k + 3)
  if (rest === 3 && at(src, s, e, k + 3) === 58) minutes = digits(src, s, e, k + 4, 2)
  else if (rest === 2) minutes = digits(src, s, e, k + 3, 2)
  else if (rest !== 0) return false
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return false
  const offset = hours * 3600 + minutes * 60
  out.offset = c === 45 ? -offset : offset
  return true
}

function digits(src: Uint8Array, s: number, e: number, k: number, count: number): number {
  let v = 0
  for (let i = k; i < k + count; i++) {
    const d = at(src, s, e, i) - 48
    if (!(d >= 0 && d <= 9)) return -1
    v = v * 10 + d
  }
  return v
}
