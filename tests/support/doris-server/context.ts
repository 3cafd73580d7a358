/**
 * @module tests/support/doris-server/context
 * What every route handler is given: state, users, fault switches, counters, clock, BE address.
 * One object per server; there is never module-level state.
 */
import type { Clock } from '../../../src/core/clock'
import type { FaultSwitches, RequestCounts } from './faults'
import type { DorisState } from './state'

export interface ServerContext {
  readonly clock: Clock
  /** Decides probabilistic faults; tests inject a fixed sequence. */
  readonly random: () => number
  readonly log: (line: string) => void
  readonly users: Readonly<Record<string, string>>
  readonly state: DorisState
  readonly faults: FaultSwitches
  readonly counts: RequestCounts
  /** The zone date-times with an offset are converted to when a load sends no `timezone`. */
  readonly defaultTimezone: string
  /** Host the FE redirects to and the ErrorURL names. */
  readonly beHost: string
  /** Set once the BE listens (port 0 picks a free one). */
  bePort: number
}

export function beUrl(ctx: ServerContext): string {
  return `http://${ctx.beHost}:${ctx.bePort}`
}
