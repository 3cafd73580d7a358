/**
 * @module delivery/retry-policy
 * When to retry a failed write and how long to wait: capped exponential backoff with full jitter
 * (SPEC §6). Pure: the random source is passed in, and nothing here waits.
 */

export interface BackoffOptions {
  readonly initial_backoff_ms: number
  readonly max_backoff_ms: number
}

/** Doubling stops here: 2^52 already exceeds any sane max_backoff_ms, and it keeps 0 * 2^n finite. */
const MAX_DOUBLINGS = 52

/**
 * The wait before the next attempt after `attempt` failed ones (1-based): a uniform draw in
 * [0, min(max, initial * 2^(attempt - 1))). Full jitter spreads the retries of many batches
 * hitting one recovering server.
 */
export function backoffMs(attempt: number, opts: BackoffOptions, random: () => number): number {
  const doublings = Math.min(Math.max(attempt - 1, 0), MAX_DOUBLINGS)
  const cap = Math.min(opts.max_backoff_ms, opts.initial_backoff_ms * 2 ** doublings)
  return Math.floor(random() * cap)
}

/** True once `attempt` attempts were made and the limit is reached; max_attempts 0 = never. */
export function shouldGiveUp(attempt: number, max_attempts: number): boolean {
  return max_attempts > 0 && attempt >= max_attempts
}
