/**
 * @module deadletter/dead-letter
 * Where messages that cannot be delivered go (SPEC §9). A write resolves only once its records
 * are durable, so the caller acks their offsets only then; an implementation never drops a record
 * it has resolved for, except the dropping one, which is chosen by omitting `dead_letter`.
 */
import type { DeadLetterInput } from './record'

export type { DeadLetterInput } from './record'

export interface DeadLetter {
  /** Resolves when the records are durable; rejects with the signal's reason on abort. */
  write(records: readonly DeadLetterInput[], signal: AbortSignal): Promise<void>
  /** Waits for writes under way, then releases the resources. Idempotent. */
  close(): Promise<void>
}

/** For an omitted `dead_letter`: the caller counts and logs (rate-limited); this keeps nothing. */
export function createDroppingDeadLetter(): DeadLetter {
  return {
    write: (_records, signal) =>
      signal.aborted ? Promise.reject(signal.reason) : Promise.resolve(),
    close: () => Promise.resolve(),
  }
}
