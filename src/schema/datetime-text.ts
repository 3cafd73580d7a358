/**
 * @module schema/datetime-text
 * Reads date-time text (RFC 3339 / ISO 8601 with or without `T` and offset, `YYYY-MM-DD`,
 * `YYYY-MM-DD hh:mm:ss[.fff]`) into wall-clock seconds, and does civil-calendar arithmetic.
 * Pure and allocation-free on success; never consults a time zone (the caller does).
 */

/** The result of parseDateTimeText; reused across calls by its owner. */
export interface ParsedDateTime {
  /** Seconds since 1970-01-01T00:00 of the written wall-clock time, as if it were UTC. */
  wall: number
  /** Fraction of the second, 0..999_999_999. */
  nanos: number
  /** The written UTC offset in seconds, or null when the text carries none. */
  offset: number | null
  /** True for a bare `YYYY-MM-DD`. */
  dateOnly: boolean
}

export const DAY_SECONDS = 86_400

/** Parses the text into `out`; false when it is not one of the accepted forms or not a real date. */
export function parseDateTimeText(text: string, out: ParsedDateTime): boolean {
  const n = text.length
  if (n < 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return false
  const year = digits(text, 0, 4)
  const month = digits(text, 5, 2)
  const day = digits(text, 8, 2)
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false
  const days = daysFromCivil(year, month, day)
  out.nanos = 0
  out.offset = null
  out.dateOnly = n === 10
  if (n === 10) {
    out.wall = days * DAY_SECONDS
    return true
  }
  const sep = text.charCodeAt(10)
  if (sep !== 84 && sep !== 116 && sep !== 32) return false
  return readTime(text, days, out)
}

/** `hh:mm[:ss[.fff]]` from position 11, then an optional offset. */
function readTime(text: string, days: number, out: ParsedDateTime): boolean {
  const hour = digits(text, 11, 2)
  const minute = text.charCodeAt(13) === 58 ? digits(text, 14, 2) : -1
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return false
  let second = 0
  let at = 16
  if (text.charCodeAt(16) === 58) {
    second = digits(text, 17, 2)
    if (second < 0 || second > 59) return false
    at = readFraction(text, 19, out)
  }
  out.wall = days * DAY_SECONDS + hour * 3600 + minute * 60 + second
  return readOffset(text, at, out)
}

/** An optional `.fff` (or `,fff`, up to nanoseconds, more digits truncated) at `at`. */
function readFraction(text: string, at: number, out: ParsedDateTime): number {
  const c = text.charCodeAt(at)
  if (c !== 46 && c !== 44) return at
  let i = at + 1
  let nanos = 0
  let scale = 100_000_000
  for (let d = text.charCodeAt(i); d >= 48 && d <= 57; d = text.charCodeAt(++i)) {
    nanos += (d - 48) * scale
    scale = Math.floor(scale / 10)
  }
  if (i === at + 1) return -1
  out.nanos = nanos
  return i
}

/** An optional `Z` or `±hh[:mm]` / `±hhmm` ending the text. */
function readOffset(text: string, at: number, out: ParsedDateTime): boolean {
  if (at < 0) return false
  const n = text.length
  if (at === n) return true
  const c = text.charCodeAt(at)
  if ((c === 90 || c === 122) && at + 1 === n) {
    out.offset = 0
    return true
  }
  if (c !== 43 && c !== 45) return false
  const hours = digits(text, at + 1, 2)
  let minutes = 0
  const rest = n - (at + 3)
  if (rest === 3 && text.charCodeAt(at + 3) === 58) minutes = digits(text, at + 4, 2)
  else if (rest === 2) minutes = digits(text, at + 3, 2)
  else if (rest !== 0) return false
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return false
  const offset = hours * 3600 + minutes * 60
  out.offset = c === 45 ? -offset : offset
  return true
}

/** The decimal value of `count` ASCII digits at `at`, or -1 when any is not a digit. */
function digits(text: string, at: number, count: number): number {
  let v = 0
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - 48
    if (!(d >= 0 && d <= 9)) return -1
    v = v * 10 + d
  }
  return v
}

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
}

export function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y
  const era = Math.floor(yy / 400)
  const yoe = yy - era * 400
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146_097 + doe - 719_468
}

/** `YYYY-MM-DD` of a day count since 1970-01-01 (H. Hinnant's civil_from_days). */
export function formatDays(days: number): string {
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  )
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1
  const m = mp < 10 ? mp + 3 : mp - 9
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0)
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`
}

/** `YYYY-MM-DD hh:mm:ss` of wall-clock seconds since 1970-01-01T00:00. */
export function formatWall(wall: number): string {
  const days = Math.floor(wall / DAY_SECONDS)
  const s = wall - days * DAY_SECONDS
  const time = `${pad(Math.floor(s / 3600), 2)}:${pad(Math.floor(s / 60) % 60, 2)}:${pad(s % 60, 2)}`
  return `${formatDays(days)} ${time}`
}

export function pad(v: number, width: number): string {
  const s = String(v)
  return s.length >= width ? s : '0'.repeat(width - s.length) + s
}
