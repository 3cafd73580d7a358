/**
 * @module schema/coercer
 * The shared shape of every coercer. A failure is a value, never an exception: one bad message
 * must not cost a throw on the hot path (SPEC §4: it is dead-lettered, never crashes).
 */
import type { ZoneCache } from './time-zone'

/** Why a value does not fit its type, e.g. `out of range for UInt8`. */
export class CoerceFailure {
  constructor(readonly problem: string) {}
}

/** Returns the value's JSONEachRow text (e.g. `42`, `"abc"`, `null`) or a CoerceFailure. */
export type Coercer = (value: unknown) => string | CoerceFailure

export interface CoerceContext {
  /** The route's IANA time zone for date-times without an offset (a column's own zone wins). */
  readonly timezone: string
  readonly zones: ZoneCache
  /**
   * Whose text to write (default 'clickhouse'). 'doris' writes DATE/DATETIME as wall-clock text
   * in the route's zone and JSON columns as JSON values (Stream Load json lines).
   */
  readonly dialect?: Dialect
}

export type Dialect = 'clickhouse' | 'doris'

/** The text without surrounding ASCII whitespace; cheap when there is none. */
export function trimmed(s: string): string {
  const n = s.length
  if (n === 0) return s
  return s.charCodeAt(0) > 32 && s.charCodeAt(n - 1) > 32 ? s : s.trim()
}
