/**
 * @module schema/fast/convert-time
 * Date, Date32, DateTime and DateTime64 columns from bytes, by coerce-time's rules: text without
 * an offset is wall-clock time in the column's zone (else the route's), integer numbers are epoch
 * seconds below 1e11 and milliseconds above. Reuses the zone offset cache; declines what it does
 * not handle (epoch strings, fractional epochs, out-of-range values).
 */

import type { CoerceContext } from '../coercer'
import type { ColumnType } from '../column-type'
import { DAY_SECONDS, daysFromCivil, formatDays, type ParsedDateTime } from '../datetime-text'
import { MILLIS_FROM } from '../epoch'
import type { ZoneOffsets } from '../time-zone'
import { type Converter, DECLINE, WROTE } from './converter'
import { type DayCache, newDayCache, parseDateTimeBytes } from './datetime-bytes'
import { type FastRow, utf8, writeBytes, writeUint } from './fast-row'
import { KIND_NUMBER, KIND_STRING, type Token } from './json-scan'
import { type NumberParts, newNumberParts, readNumber } from './number-token'

const DATE_MAX = 65_535
const DATE32_MIN = daysFromCivil(1900, 1, 1)
const DATE32_MAX = daysFromCivil(2299, 12, 31)
const DATETIME_MAX = 4_294_967_295
const DT64_MIN = daysFromCivil(1900, 1, 1) * DAY_SECONDS
const DT64_MAX = (daysFromCivil(2299, 12, 31) + 1) * DAY_SECONDS - 1
const EPOCH_TEXT_MAX = 9_999_999_999

const NONE = 0
const WALL = 1
const INSTANT = 2

/** What one read found: wall-clock parts (WALL) or an epoch instant (INSTANT). */
class InstantBytes {
  readonly parsed: ParsedDateTime = { wall: 0, nanos: 0, offset: null, dateOnly: false }
  private readonly days: DayCache = newDayCache()
  sec = 0
  nanos = 0
  private readonly parts: NumberParts = newNumberParts()

  read(t: Token, src: Uint8Array): number {
    if (t.kind === KIND_STRING) {
      if (t.flags !== 0) return NONE
      return parseDateTimeBytes(src, t.start + 1, t.end - 1, this.parsed, this.days) ? WALL : NONE
    }
    if (t.kind !== KIND_NUMBER) return NONE
    const n = this.parts
    readNumber(src, t.start, t.end, n)
    if (n.hasExp || n.fracEnd > n.fracStart || n.intEnd - n.intStart > 15) return NONE
    let v = 0
    for (let k = n.intStart; k < n.intEnd; k++) v = v * 10 + (src[k]! - 0x30)
    if (n.neg) v = -v
    if (Math.abs(v) < MILLIS_FROM) {
      this.sec = v
      this.nanos = 0
    } else {
      this.sec = Math.floor(v / 1000)
      this.nanos = (v - this.sec * 1000) * 1_000_000
    }
    return INSTANT
  }
}

/** Date / Date32 as "YYYY-MM-DD" in the route's zone. */
export function dateConverter(wide: boolean, ctx: CoerceContext): Converter {
  const zone = ctx.zones.get(ctx.timezone)
  const min = wide ? DATE32_MIN : 0
  const max = wide ? DATE32_MAX : DATE_MAX
  const reader = new InstantBytes()
  const parsed = reader.parsed
  let lastDays = Number.NaN
  let lastText: Uint8Array = new Uint8Array(0)
  return (t, row) => {
    const kind = reader.read(t, row.src)
    if (kind === NONE) return DECLINE
    let local: number
    if (kind === INSTANT) local = localSeconds(zone, reader.sec)
    else if (parsed.offset === null) local = parsed.wall
    else local = localSeconds(zone, parsed.wall - parsed.offset)
    const days = Math.floor(local / DAY_SECONDS)
    if (!(days >= min && days <= max)) return DECLINE
    if (days !== lastDays) {
      lastDays = days
      lastText = utf8(`"${formatDays(days)}"`)
    }
    writeBytes(row, lastText)
    return WROTE
  }
}

function localSeconds(zone: ZoneOffsets, sec: number): number {
  return sec + zone.offsetAt(sec)
}

type TimeType = Extract<ColumnType, { kind: 'datetime' | 'datetime64' }>

/** DateTime as epoch seconds; DateTime64(p) as a quoted, zero-padded "seconds.fraction". */
export function dateTimeConverter(type: TimeType, ctx: CoerceContext): Converter {
  const zone = ctx.zones.get(type.timezone ?? ctx.timezone)
  const is64 = type.kind === 'datetime64'
  const precision = is64 ? type.precision : 0
  const [min, max] = is64 ? dt64Range(precision) : [0, DATETIME_MAX]
  const divisor = 10 ** (9 - precision)
  const reader = new InstantBytes()
  const parsed = reader.parsed
  return (t, row) => {
    const kind = reader.read(t, row.src)
    if (kind === NONE) return DECLINE
    let sec = reader.sec
    let nanos = reader.nanos
    if (kind === WALL) {
      sec = parsed.offset === null ? zone.toUtc(parsed.wall) : parsed.wall - parsed.offset
      nanos = parsed.nanos
    }
    if (!(sec >= min && sec <= max)) return DECLINE
    if (!is64) {
      writeUint(row, sec, 1)
      return WROTE
    }
    return write64(row, sec, Math.floor(nanos / divisor), precision) ? WROTE : DECLINE
  }
}

/** The 10-digit epoch form of coerce-time's emit64; instants outside it are declined. */
function write64(row: FastRow, sec: number, fraction: number, precision: number): boolean {
  if (sec < 0 || sec > EPOCH_TEXT_MAX) return false
  row.out[row.pos++] = 0x22
  writeUint(row, sec, 10)
  if (precision > 0) {
    row.out[row.pos++] = 0x2e
    writeUint(row, fraction, precision)
  }
  row.out[row.pos++] = 0x22
  return true
}

function dt64Range(precision: number): [number, number] {
  const ticks = 2 ** 63 / 10 ** precision
  return [Math.max(DT64_MIN, -Math.floor(ticks)), Math.min(DT64_MAX, Math.floor(ticks) - 1)]
}
