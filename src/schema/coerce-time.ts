/**
 * @module schema/coerce-time
 * Date, Date32, DateTime and DateTime64 from date-time text or epoch numbers (SPEC §9). Text
 * without an offset is wall-clock time in the column's zone, else the route's. DateTime is written
 * as epoch seconds so the server's zone never matters; out-of-range values fail, never wrap.
 */

import { type CoerceContext, CoerceFailure, type Coercer } from './coercer'
import type { ColumnType } from './column-type'
import { DAY_SECONDS, daysFromCivil, formatDays, formatWall, pad } from './datetime-text'
import { InstantReader } from './epoch'
import type { ZoneOffsets } from './time-zone'

const NOT_DATE = new CoerceFailure('not a date-time (ISO 8601 / RFC 3339 text or epoch number)')
const DATE_MAX = 65_535
const DATE32_MIN = daysFromCivil(1900, 1, 1)
const DATE32_MAX = daysFromCivil(2299, 12, 31)
const DATETIME_MAX = 4_294_967_295
const DT64_MIN = daysFromCivil(1900, 1, 1) * DAY_SECONDS
const DT64_MAX = (daysFromCivil(2299, 12, 31) + 1) * DAY_SECONDS - 1
/** The longest epoch ClickHouse reads back as a timestamp in every parsing path (10 digits). */
const EPOCH_TEXT_MAX = 9_999_999_999

type TimeType = Extract<ColumnType, { kind: 'datetime' | 'datetime64' }>

/** Date / Date32 written as "YYYY-MM-DD"; an instant becomes its date in the route's zone. */
export function dateCoercer(wide: boolean, ctx: CoerceContext): Coercer {
  const zone = ctx.zones.get(ctx.timezone)
  const min = wide ? DATE32_MIN : 0
  const max = wide ? DATE32_MAX : DATE_MAX
  const outOfRange = new CoerceFailure(`out of range for ${wide ? 'Date32' : 'Date'}`)
  const reader = new InstantReader()
  const parsed = reader.parsed
  let lastDays = Number.NaN
  let lastText = ''
  return (v) => {
    const kind = reader.read(v)
    if (kind === null) return NOT_DATE
    let local: number
    if (kind === 'instant') local = localSeconds(zone, reader.sec)
    else if (parsed.offset === null) local = parsed.wall
    else local = localSeconds(zone, parsed.wall - parsed.offset)
    const days = Math.floor(local / DAY_SECONDS)
    if (!(days >= min && days <= max)) return outOfRange
    // Rows of one batch mostly share a date: keep the last text.
    if (days !== lastDays) {
      lastDays = days
      lastText = `"${formatDays(days)}"`
    }
    return lastText
  }
}

function localSeconds(zone: ZoneOffsets, sec: number): number {
  return sec + zone.offsetAt(sec)
}

/** DateTime as epoch seconds; DateTime64(p) as a quoted "seconds.fraction" (see emit64). */
export function dateTimeCoercer(type: TimeType, ctx: CoerceContext): Coercer {
  const zone = ctx.zones.get(type.timezone ?? ctx.timezone)
  const is64 = type.kind === 'datetime64'
  const precision = is64 ? type.precision : 0
  const [min, max] = is64 ? dt64Range(precision) : [0, DATETIME_MAX]
  const outOfRange = new CoerceFailure(
    `out of range for ${is64 ? `DateTime64(${precision})` : 'DateTime'}`,
  )
  const textZone = is64 && type.timezone !== null ? zone : null
  const reader = new InstantReader()
  const parsed = reader.parsed
  return (v) => {
    const kind = reader.read(v)
    if (kind === null) return NOT_DATE
    let sec = reader.sec
    let nanos = reader.nanos
    if (kind === 'wall') {
      sec = parsed.offset === null ? zone.toUtc(parsed.wall) : parsed.wall - parsed.offset
      nanos = parsed.nanos
    }
    if (!(sec >= min && sec <= max)) return outOfRange
    return is64 ? emit64(sec, nanos, precision, textZone) : String(sec)
  }
}

/** DateTime64(9) is an Int64 of nanoseconds, which ends before 2299. */
function dt64Range(precision: number): [number, number] {
  const ticks = 2 ** 63 / 10 ** precision
  return [Math.max(DT64_MIN, -Math.floor(ticks)), Math.min(DT64_MAX, Math.floor(ticks) - 1)]
}

/**
 * "SSSSSSSSSS.fff": epoch seconds zero-padded to the 10 digits every ClickHouse version reads as
 * a timestamp, whatever the server's zone. Instants before 1970 or after 2286 cannot be written
 * so; they are written as wall-clock text in the column's zone (UTC when the column has none,
 * which assumes a UTC server: see README).
 */
function emit64(sec: number, nanos: number, precision: number, zone: ZoneOffsets | null): string {
  const fraction =
    precision === 0 ? '' : `.${pad(Math.floor(nanos / 10 ** (9 - precision)), precision)}`
  if (sec >= 0 && sec <= EPOCH_TEXT_MAX) return `"${pad(sec, 10)}${fraction}"`
  const local = zone === null ? sec : sec + zone.offsetAt(sec)
  return `"${formatWall(local)}${fraction}"`
}
