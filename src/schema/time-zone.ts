/**
 * @module schema/time-zone
 * UTC offsets of an IANA time zone, correct across DST, without calling Intl per row: offsets
 * are cached per UTC hour, and an hour holding a transition remembers its exact second.
 * Never reads the clock; never returns an offset it did not compute from the zone's rules.
 */

interface Transition {
  /** First epoch second with the `after` offset. */
  readonly at: number
  readonly before: number
  readonly after: number
}

const HOUR = 3600
const DAY = 86_400
/** A stream spanning years touches ~9k hours per year; past this the cache starts over. */
const CACHE_LIMIT = 100_000

export class ZoneOffsets {
  private readonly hours = new Map<number, number | Transition>()
  private readonly format: Intl.DateTimeFormat | null

  /** Throws RangeError for a name Intl does not know. */
  constructor(readonly name: string) {
    const utc = name === 'UTC' || name === 'Etc/UTC' || name === 'GMT' || name === 'Etc/GMT'
    this.format = utc
      ? null
      : new Intl.DateTimeFormat('en-US', {
          timeZone: name,
          hourCycle: 'h23',
          era: 'short',
          year: 'numeric',
          month: 'numeric',
          day: 'numeric',
          hour: 'numeric',
          minute: 'numeric',
          second: 'numeric',
        })
  }

  /** Seconds east of UTC at epoch second `t`. */
  offsetAt(t: number): number {
    if (this.format === null) return 0
    const hour = Math.floor(t / HOUR)
    let entry = this.hours.get(hour)
    if (entry === undefined) {
      entry = this.hourEntry(hour)
      if (this.hours.size >= CACHE_LIMIT) this.hours.clear()
      this.hours.set(hour, entry)
    }
    if (typeof entry === 'number') return entry
    return t < entry.at ? entry.before : entry.after
  }

  /**
   * The epoch second of wall-clock time `local` (seconds since 1970-01-01T00:00 as if UTC).
   * A time skipped by DST moves forward by the gap; a repeated time takes its first occurrence
   * (Temporal's "compatible" disambiguation).
   */
  toUtc(local: number): number {
    if (this.format === null) return local
    const before = this.offsetAt(local - DAY)
    const after = this.offsetAt(local + DAY)
    if (before === after) return local - before
    const early = local - before
    const late = local - after
    const earlyValid = this.offsetAt(early) === before
    const lateValid = this.offsetAt(late) === after
    if (earlyValid && lateValid) return Math.min(early, late)
    if (earlyValid) return early
    if (lateValid) return late
    return early
  }

  private hourEntry(hour: number): number | Transition {
    const start = hour * HOUR
    const before = this.exactOffset(start)
    const after = this.exactOffset(start + HOUR)
    if (before === after) return before
    let lo = start
    let hi = start + HOUR
    // Invariant: offset(lo) === before, offset(hi) !== before.
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2)
      if (this.exactOffset(mid) === before) lo = mid
      else hi = mid
    }
    return { at: hi, before, after }
  }

  private exactOffset(t: number): number {
    const parts = (this.format as Intl.DateTimeFormat).formatToParts(t * 1000)
    let year = 0
    let month = 0
    let day = 0
    let hour = 0
    let minute = 0
    let second = 0
    let bc = false
    for (const p of parts) {
      if (p.type === 'year') year = Number(p.value)
      else if (p.type === 'month') month = Number(p.value)
      else if (p.type === 'day') day = Number(p.value)
      else if (p.type === 'hour') hour = Number(p.value)
      else if (p.type === 'minute') minute = Number(p.value)
      else if (p.type === 'second') second = Number(p.value)
      else if (p.type === 'era') bc = p.value === 'BC' || p.value === 'B'
    }
    const wall = Date.UTC(bc ? 1 - year : year, month - 1, day, hour, minute, second)
    // Date.UTC maps years 0..99 to 1900..1999; setUTCFullYear would fix it, but those years are
    // far outside every column's range, so an approximate offset there changes no outcome.
    return Math.round(wall / 1000) - t
  }
}

/** One ZoneOffsets per zone name, shared by the coercers of one compiled encoder. */
export class ZoneCache {
  private readonly zones = new Map<string, ZoneOffsets>()

  get(name: string): ZoneOffsets {
    let zone = this.zones.get(name)
    if (zone === undefined) {
      zone = new ZoneOffsets(name)
      this.zones.set(name, zone)
    }
    return zone
  }
}
