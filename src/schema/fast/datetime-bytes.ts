/**
 * @module schema/fast/datetime-bytes
 * schema/datetime-text's parseDateTimeText, reading bytes instead of a string: the same forms,
 * the same fields, so the fast and slow paths agree on every date-time. Pure; allocates nothing.
 */
import { DAY_SECONDS, daysFromCivil, daysInMonth, type ParsedDateTime } from '../datetime-text'

/** Parses src[s, e) into `out`; false when it is not an accepted form or not a real date. */
export function parseDateTimeBytes(
  src: Uint8Array,
  s: number,
  e: number,
  out: ParsedDateTime,
): boolean {
  const n = e - s
  if (n < 10 || src[s + 4] !== 45 || src[s + 7] !== 45) return false
  const year = digits(src, s, e, 0, 4)
  const month = digits(src, s, e, 5, 2)
  const day = digits(src, s, e, 8, 2)
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false
  const days = daysFromCivil(year, month, day)
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
  const hour = digits(src, s, e, 11, 2)
  const minute = at(src, s, e, 13) === 58 ? digits(src, s, e, 14, 2) : -1
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return false
  let second = 0
  let k = 16
  if (at(src, s, e, 16) === 58) {
    second = digits(src, s, e, 17, 2)
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
