/**
 * @module delivery/exactly-once
 * The I/O half of exactly_once (SPEC §6): before a batch is sent its manifest is stored in the
 * ledger (retried until stored: a batch is never sent without one), once written it is marked so,
 * manifests are read back when partitions are assigned, and pruned below committed offsets.
 * Each target is first asked whether it can drop a replayed batch; one that cannot stops the run
 * rather than risk writing rows twice.
 */
import type { DrainedBatch } from '../batch/batch-set'
import type { Clock } from '../core/clock'
import { withDeadline } from '../core/deadline'
import { ConfigError } from '../errors'
import type { Logger } from '../log/logger'
import { targetKey } from '../schema/table-schema'
import type { Sink } from '../sinks/sink'
import { type Manifest, type ManifestStore, manifestOf } from './manifest'
import { backoffMs } from './retry-policy'

export interface ExactlyOnceDeps {
  store: ManifestStore
  sink: Sink
  clock: Clock
  log: Logger
  retry: { initial_backoff_ms: number; max_backoff_ms: number }
  /** Deadline of one sink question (the dedup check). */
  timeoutMs: number
}

export class ExactlyOnce {
  /** Targets the sink confirmed can drop a replayed batch. */
  private readonly capable = new Set<string>()

  constructor(private readonly deps: ExactlyOnceDeps) {}

  /**
   * Throws ConfigError when the target cannot deduplicate (a table exactly_once cannot be kept
   * for); retries transport errors until `signal` aborts.
   */
  async requireDedup(target: DrainedBatch['target'], signal: AbortSignal): Promise<void> {
    const key = targetKey(target)
    if (this.capable.has(key)) return
    const check = await this.retrying(
      `dedup check of ${key}`,
      (s) =>
        withDeadline(
          `dedup check of ${key}`,
          this.deps.timeoutMs,
          (d) => this.deps.sink.deduplication(target, d),
          s,
        ),
      signal,
    )
    if (!check.ok) {
      throw new ConfigError([
        `delivery.guarantee: exactly_once cannot be kept for ${key}: ${check.detail}`,
      ])
    }
    this.capable.add(key)
  }

  /** Stores the batch's manifest before it is sent (SPEC §6); retried until stored or aborted. */
  async beforeSend(batch: DrainedBatch, signal: AbortSignal): Promise<void> {
    await this.requireDedup(batch.target, signal)
    const m = manifestOf(batch)
    await this.retrying(
      `manifest ${m.label}`,
      () => this.deps.store.record(m, this.deps.clock.now()),
      signal,
    )
  }

  /** Best effort: a manifest left unmarked is replayed, and the sink drops it as a duplicate. */
  async afterWritten(batch: DrainedBatch): Promise<void> {
    await this.deps.store.markWritten(batch.label, this.deps.clock.now()).catch((e: Error) => {
      this.deps.log.warn(
        { event: 'manifest_mark_failed', label: batch.label, error: e.message },
        'could not mark a manifest written; a replay will be deduplicated by the sink',
      )
    })
  }

  /** The stored manifests of newly assigned partitions; retried until read or aborted. */
  load(
    partitions: readonly { topic: string; partition: number }[],
    signal: AbortSignal,
  ): Promise<Manifest[]> {
    return this.retrying('read manifests', () => this.deps.store.forPartitions(partitions), signal)
  }

  /** Forgets manifests wholly below the committed offsets; failures wait for the next round. */
  async prune(
    committed: ReadonlyMap<string, { topic: string; partition: number; offset: number }>,
  ): Promise<number> {
    let pruned = 0
    for (const c of committed.values()) {
      pruned += await this.deps.store.prune(c.topic, c.partition, c.offset).catch(() => 0)
    }
    return pruned
  }

  private async retrying<T>(
    what: string,
    work: (signal: AbortSignal) => Promise<T>,
    signal: AbortSignal,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work(signal)
      } catch (e) {
        if (signal.aborted) throw signal.reason
        if (e instanceof ConfigError) throw e
        this.deps.log.warn(
          { event: 'exactly_once_retry', what, attempt, error: (e as Error).message },
          `${what} failed; retrying`,
        )
        await this.deps.clock.sleep(backoffMs(attempt, this.deps.retry, Math.random), signal)
      }
    }
  }
}
