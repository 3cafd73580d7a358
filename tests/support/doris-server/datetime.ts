/**
 * @module tests/support/doris-server/datetime
 * DATE and DATETIME(p) text as Stream Load reads it (protocol reference §12.1): ISO forms with a
 * space or `T`, an optional zone converted to the load's `timezone`, extra fraction digits rounded.
 * Pure and exact (days + microseconds, never a double of the whole instant).
 */

interface Stamp {
  /** Days since 1970-01-01. */
  days: number
  /** Seconds into the day. */
  seconds: number
  /** Fraction digits already rounded to the target scale. */
  fraction: string
}

const PATTERN =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?|[A-Za-z][A-Za-z0-9_]*(?:\/[A-Za-z0-9_+-]+)*)?$/

const DAY = 86_400

/**
 * Parses a date-time and renders it as `YYYY-MM-DD HH:MM:SS[.f]` with `scale` fraction digits in
 * `timezone`; null when the text is not a valid date-time.
 */
export function convertDateTime(text: string, scale: number, timezone: string): string | null {
  const stamp = parseStamp(text.trim(), scale, timezone)
  if (!stamp) return null
  const date = formatDays(stamp.days)
  if (!date) return null
  const s = stamp.seconds
  const time = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60].map(pad2).join(':')
  return scale > 0 ? `${date} ${time}.${stamp.fraction}` : `${date} ${time}`
}

/** Parses a date (a date-time keeps its date part, after zone conversion) as `YYYY-MM-DD`. */
export function convertDate(text: string, timezone: string): string | null {
  const stamp = parseStamp(text.trim(), 0, timezone)
  return stamp ? formatDays(stamp.days) : null
}

function parseStamp(text: string, scale: number, timezone: string): Stamp | null {
  const m = PATTERN.exec(text)
  if (!m) return null
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as number[]
  if (!validDate(y!, mo!, d!) || h! > 23 || mi! > 59 || s! > 59) return null
  const rounded = roundFraction(m[7] ?? '', scale)
  const stamp: Stamp = {
    days: daysFromCivil(y!, mo!, d!),
    seconds: h! * 3600 + mi! * 60 + s! + rounded.carry,
    fraction: rounded.digits,
  }
  normalize(stamp)
  const zone = m[8]
  if (!zone) return stamp
  const from = zoneOffsetMinutes(zone, stamp)
  if (from === null) return null
  stamp.seconds -= from * 60
  normalize(stamp)
  const to = zoneOffsetMinutes(timezone, stamp)
  if (to === null) return null
  stamp.seconds += to * 60
  normalize(stamp)
  return stamp
}

/** Rounds half up to `scale` digits; `carry` is 1 when 0.9995 became the next second. */
function roundFraction(digits: string, scale: number): { digits: string; carry: number } {
  const kept = digits.slice(0, scale).padEnd(scale, '0')
  if ((digits[scale] ?? '0') < '5') return { digits: kept, carry: 0 }
  if (scale === 0) return { digits: '', carry: 1 }
  const up = (BigInt(kept) + 1n).toString().padStart(scale, '0')
  return up.length > scale ? { digits: '0'.repeat(scale), carry: 1 } : { digits: up, carry: 0 }
}

function normalize(stamp: Stamp): void {
  const shift = Math.floor(stamp.seconds / DAY)
  stamp.days += shift
  stamp.seconds -= shift * DAY
}

/** Offset of a zone from UTC in minutes at the instant `utc`; null for an unknown zone. */
function zoneOffsetMinutes(zone: string, utc: Stamp): number | null {
  const fixed = fixedOffset(zone)
  if (fixed !== undefined) return fixed
  try {
    const ms = (utc.days * DAY + utc.seconds) * 1000
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    }).formatToParts(new Date(ms))
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value)
    const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'))
    return Math.round((local - Math.floor(ms / 60_000) * 60_000) / 60_000)
  } catch {
    return null
  }
}

function fixedOffset(zone: string): number | undefined {
  if (/^(z|utc|gmt)$/i.test(zone)) return 0
  const m = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/i.exec(zone)
  if (!m) return undefined
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0)
  return m[1] === '-' ? -minutes : minutes
}

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
  const lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
  return d <= lengths[m - 1]!
}

function formatDays(days: number): string | null {
  const [y, m, d] = civilFromDays(days)
  if (y < 0 || y > 9999) return null
  return `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`
}

function pad2(n: number): string {
  return String(n).padStart(2, '0')
}

/** Howard Hinnant's days_from_civil: exact for the whole proleptic Gregorian calendar. */
function daysFromCivil(year: number, m: number, d: number): number {
  const y = m <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146_097 + doe - 719_468
}

function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  )
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1
  const m = mp + (mp < 10 ? 3 : -9)
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d]
}
