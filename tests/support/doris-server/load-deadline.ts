/**
 * @module tests/support/doris-server/load-deadline
 * A load's `timeout` (seconds; 600 when absent, as the docs say) on the injected Clock: reading the
 * body and injected delays race it. Never uses timers of its own; cancelling frees the clock's.
 */
import type { Clock } from '../../../src/core/clock'

export const TIMED_OUT = Symbol('timed out')

export interface LoadDeadline {
  race<T>(work: Promise<T>): Promise<T | typeof TIMED_OUT>
  cancel(): void
}

export function startDeadline(clock: Clock, ms: number): LoadDeadline {
  const controller = new AbortController()
  const expired: Promise<typeof TIMED_OUT> = clock.sleep(ms, controller.signal).then(
    () => TIMED_OUT,
    // Cancelled: this side of the race must simply never win.
    () => new Promise<never>(() => {}),
  )
  return {
    race: (work) => Promise.race([work, expired]),
    cancel: () => controller.abort(),
  }
}

/** Seconds from the `timeout` header as the BE reads it (std::stoi: leading digits). */
export function loadTimeoutMs(header: string | null): number {
  const seconds = header === null ? Number.NaN : Number.parseInt(header.trim(), 10)
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : 600) * 1000
}
