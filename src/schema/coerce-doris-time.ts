/**
 * @module schema/coerce-doris-time
 * Doris DATE and DATETIME(p) from date-time text or epoch numbers (SPEC §9), written as the
 * wall-clock text Stream Load reads (`"YYYY-MM-DD hh:mm:ss[.ffffff]"`) in the route's zone. Text
 * without an offset is already wall-clock time there and is never moved; nothing wraps.
 */
import { type CoerceContext, CoerceFailure, type Coercer } from './coercer'
import { DAY_SECONDS, daysFromCivil, formatDays, formatWall, pad } from './datetime-text'
import { InstantReader } from './epoch'

const NOT_DATE = new CoerceFailure('not a date-time (ISO 8601 / RFC 3339 text or epoch number)')
/** Doris DATE and DATETIME both span 0000-01-01 .. 9999-12-31. */
const MIN_DAYS = daysFromCivil(0, 1, 1)
const MAX_DAYS = daysFromCivil(9999, 12, 31)

/**
 * Reads a value into wall-clock seconds and nanoseconds in the route's zone; returns false for
 * a value that is no date-time.
 */
function wallReader(
  ctx: CoerceContext,
): (v: unknown, out: { wall: number; nanos: number }) => boolean {
  const zone = ctx.zones.get(ctx.timezone)
  const reader = new InstantReader()
  const parsed = reader.parsed
  return (v, out) => {
    const kind = reader.read(v)
    if (kind === null) return false
    if (kind === 'wall' && parsed.offset === null) {
      out.wall = parsed.wall
      out.nanos = parsed.nanos
      return true
    }
    const sec = kind === 'wall' ? parsed.wall - (parsed.offset as number) : reader.sec
    out.wall = Number.isFinite(sec) ? sec + zone.offsetAt(sec) : sec
    out.nanos = kind === 'wall' ? parsed.nanos : reader.nanos
    return true
  }
}

/** DATE as `"YYYY-MM-DD"`: an instant becomes its date in the route's zone. */
export function dorisDateCoercer(ctx: CoerceContext): Coercer {
  const read = wallReader(ctx)
  const out = { wall: 0, nanos: 0 }
  const outOfRange = new CoerceFailure('out of range for DATE')
  return (v) => {
    if (!read(v, out)) return NOT_DATE
    const days = Math.floor(out.wall / DAY_SECONDS)
    if (!(days >= MIN_DAYS && days <= MAX_DAYS)) return outOfRange
    return `"${formatDays(days)}"`
  }
}

/** DATETIME(p) as `"YYYY-MM-DD hh:mm:ss"` plus p fraction digits (cut, never rounded up a day). */
export function dorisDateTimeCoercer(precision: number, ctx: CoerceContext): Coercer {
  const read = wallReader(ctx)
  const out = { wall: 0, nanos: 0 }
  const outOfRange = new CoerceFailure(`out of range for DATETIME(${precision})`)
  const divisor = 10 ** (9 - precision)
  return (v) => {
    if (!read(v, out)) return NOT_DATE
    const days = Math.floor(out.wall / DAY_SECONDS)
    if (!(days >= MIN_DAYS && days <= MAX_DAYS)) return outOfRange
    const fraction = precision === 0 ? '' : `.${pad(Math.floor(out.nanos / divisor), precision)}`
    return `"${formatWall(out.wall)}${fraction}"`
  }
}
