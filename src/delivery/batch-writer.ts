/**
 * @module delivery/batch-writer
 * Writes one drained batch through a Sink: retries temporary failures with backoff, splits a
 * rejected batch to isolate the bad rows (SPEC §6). Never sends a batch (or any part of it) twice
 * at the same time, and never reports rows written once its signal has aborted.
 */
import type { DrainedBatch } from '../batch/batcher'
import { subLabel } from '../batch/label'
import type { Clock } from '../core/clock'
import { FatalError } from '../errors'
import type { Sink, SinkBatch, Verdict } from '../sinks/sink'
import { backoffMs, shouldGiveUp } from './retry-policy'

export interface RetryOptions {
  /** 0 = retry without limit. */
  readonly max_attempts: number
  readonly initial_backoff_ms: number
  readonly max_backoff_ms: number
}

export interface WriteOptions {
  readonly retry: RetryOptions
  readonly clock: Clock
  readonly random: () => number
  readonly signal: AbortSignal
  /** Called after every attempt (metrics: requests, retries). */
  readonly onAttempt?: (verdict: Verdict, attempt: number) => void
}

export interface RejectedRow {
  /** The row's index in the drained batch. */
  readonly index: number
  /** The server's reason, as the sink classified it. */
  readonly why: string
}

export interface WriteOutcome {
  /** Rows the sink accepted (or already held). */
  readonly written: number
  /** Single rows the sink refused on their own, in batch order: dead-letter them. */
  readonly rejected: RejectedRow[]
}

/**
 * Resolves once every row is written or isolated as rejected. Throws FatalError when a part of
 * the batch exhausts max_attempts, and the signal's reason on abort: in both cases the caller
 * acks nothing, so the batch stays uncommitted.
 */
export async function writeBatch(
  batch: DrainedBatch,
  sink: Sink,
  opts: WriteOptions,
): Promise<WriteOutcome> {
  let written = 0
  const rejected: RejectedRow[] = []
  // Ranges [start, end) still to write, left half on top: one request at a time, in row order.
  const pending: Array<[number, number]> = batch.rows.length > 0 ? [[0, batch.rows.length]] : []
  while (pending.length > 0) {
    const [start, end] = pending.pop()!
    const verdict = await sendUntilAnswered(part(batch, start, end), sink, opts)
    if (verdict.kind !== 'reject') written += end - start
    else if (end - start === 1) rejected.push({ index: start, why: verdict.why })
    else {
      const mid = start + Math.floor((end - start) / 2)
      pending.push([mid, end], [start, mid])
    }
  }
  opts.signal.throwIfAborted()
  return { written, rejected }
}

/** Sends until the verdict is not 'retry'; each attempt starts only after the last answered. */
async function sendUntilAnswered(
  batch: SinkBatch,
  sink: Sink,
  opts: WriteOptions,
): Promise<Exclude<Verdict, { kind: 'retry' }>> {
  for (let attempt = 1; ; attempt++) {
    opts.signal.throwIfAborted()
    const verdict = await sink.send(batch, opts.signal)
    opts.onAttempt?.(verdict, attempt)
    // An answer that lands after the abort is not trusted: the caller must not ack on it.
    opts.signal.throwIfAborted()
    if (verdict.kind !== 'retry') return verdict
    if (shouldGiveUp(attempt, opts.retry.max_attempts)) {
      const { database, table } = batch.target
      throw new FatalError(
        `batch ${batch.label} to ${database}.${table} failed ${attempt} attempts: ${verdict.why}`,
      )
    }
    await opts.clock.sleep(backoffMs(attempt, opts.retry, opts.random), opts.signal)
  }
}

/**
 * Rows [start, end) as a SinkBatch: a view of the batch body, no copy. A part other than the
 * whole carries a sub-label.
 */
function part(batch: DrainedBatch, start: number, end: number): SinkBatch {
  if (start === 0 && end === batch.rows.length) {
    return { target: batch.target, rows: batch.rows, bytes: batch.bytes, label: batch.label }
  }
  const rows = batch.rows.slice(start, end)
  return {
    target: batch.target,
    rows,
    bytes: rows.body.length,
    label: subLabel(batch.label, start, end),
  }
}
