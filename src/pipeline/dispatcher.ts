/**
 * @module pipeline/dispatcher
 * Sends drained batches to the sink with bounded concurrency and settles their offsets: written
 * rows are acked, rows the sink rejected are dead-lettered and then acked. What is in flight is
 * the set of batches held here, never a counter. A batch that exhausts its retries makes the
 * dispatcher fail (exit 1) with the batch unacked.
 */
import type { DrainedBatch } from '../batch/batch-set'
import type { BodyPool } from '../batch/body-pool'
import type { Clock } from '../core/clock'
import type { DeadLetter, DeadLetterInput } from '../deadletter/dead-letter'
import { writeBatch } from '../delivery/batch-writer'
import type { OffsetTracker } from '../delivery/offset-tracker'
import type { Metrics } from '../metrics/metrics'
import { targetKey } from '../schema/table-schema'
import type { Sink, Verdict } from '../sinks/sink'

export interface DispatcherDeps {
  sink: Sink
  tracker: OffsetTracker
  deadLetter: DeadLetter
  metrics: Metrics
  clock: Clock
  retry: { max_attempts: number; initial_backoff_ms: number; max_backoff_ms: number }
  /** Batches of one target written at the same time; more only adds parts to merge. */
  concurrency: number
  /**
   * Batches written at the same time over all targets. Each db key needs writes of its own and
   * a write's latency is mostly waiting (ClickHouse 18.16: ~30 ms per small insert, 34/s one at
   * a time, 196/s eight at a time), so many targets need more writes in flight than one does.
   */
  totalConcurrency: number
  onVerdict(verdict: Verdict, table: string): void
  onFatal(error: Error): void
  onWritten(table: string, rows: number, bytes: number): void
  /** 'drop' when the batch task a batch belongs to was deprecated (SPEC §5 rule 4). */
  taskVerdict?(task: string): 'write' | 'drop' | undefined
  /** exactly_once: stores the batch's manifest before its first attempt (SPEC §6). */
  beforeSend?(batch: DrainedBatch, signal: AbortSignal): Promise<void>
  /** exactly_once: records that the batch was written, before its offsets are acked. */
  afterWritten?(batch: DrainedBatch): Promise<void>
  /** Takes a batch's body back once nothing reads it any more (batch/body-pool). */
  bodies?: BodyPool
}

interface Job {
  readonly batch: DrainedBatch
  readonly target: string
  readonly done: Promise<void>
  resolve(): void
}

export class Dispatcher {
  private readonly queue: Job[] = []
  private readonly jobs = new Set<Job>()
  private running = 0
  private readonly runningByTarget = new Map<string, number>()
  private readonly queuedByTarget = new Map<string, number>()
  private readonly abort = new AbortController()

  constructor(private readonly deps: DispatcherDeps) {}

  dispatch(batch: DrainedBatch): void {
    let resolve!: () => void
    const done = new Promise<void>((r) => {
      resolve = r
    })
    const job = { batch, target: targetKey(batch.target), done, resolve }
    this.jobs.add(job)
    this.queue.push(job)
    this.queuedByTarget.set(job.target, (this.queuedByTarget.get(job.target) ?? 0) + 1)
    this.pump()
  }

  /** True while a batch of the target (by targetKey) waits for a write slot. */
  waiting(target: string): boolean {
    return this.queuedByTarget.has(target)
  }

  /** Bytes of the batches waiting for a write slot (not yet being written). */
  queuedBytes(): number {
    let bytes = 0
    for (const job of this.queue) bytes += job.batch.bytes
    return bytes
  }

  /** Batches queued or being written. */
  get pending(): number {
    return this.jobs.size
  }

  /** The batches queued or being written that match `holds`. */
  holding(holds: (b: DrainedBatch) => boolean): DrainedBatch[] {
    return [...this.jobs].filter((j) => holds(j.batch)).map((j) => j.batch)
  }

  /** Resolves when every batch that matches `holds` (now queued or running) is settled. */
  async settled(holds: (b: DrainedBatch) => boolean): Promise<void> {
    await Promise.all([...this.jobs].filter((j) => holds(j.batch)).map((j) => j.done))
  }

  /** Stops retrying: writes under way are abandoned, their offsets stay unacked. Idempotent. */
  cancel(reason: Error): void {
    if (!this.abort.signal.aborted) this.abort.abort(reason)
  }

  /** Starts queued batches in dispatch order, skipping those whose target has no free slot. */
  private pump(): void {
    const { concurrency, totalConcurrency } = this.deps
    for (let i = 0; i < this.queue.length && this.running < totalConcurrency; ) {
      const job = this.queue[i]!
      const busy = this.runningByTarget.get(job.target) ?? 0
      if (busy >= concurrency) {
        i++
        continue
      }
      this.queue.splice(i, 1)
      const queued = (this.queuedByTarget.get(job.target) ?? 1) - 1
      if (queued > 0) this.queuedByTarget.set(job.target, queued)
      else this.queuedByTarget.delete(job.target)
      this.running++
      this.runningByTarget.set(job.target, busy + 1)
      this.run(job)
        .catch((e: unknown) => {
          if (!this.abort.signal.aborted) this.deps.onFatal(e as Error)
        })
        .finally(() => {
          this.running--
          const left = (this.runningByTarget.get(job.target) ?? 1) - 1
          if (left > 0) this.runningByTarget.set(job.target, left)
          else this.runningByTarget.delete(job.target)
          this.jobs.delete(job)
          job.resolve()
          this.pump()
        })
    }
  }

  private async run(job: Job): Promise<void> {
    const { batch } = job
    const { sink, tracker, metrics, clock } = this.deps
    if (this.abort.signal.aborted) return
    const table = `${batch.target.database}.${batch.target.table}`
    if (batch.task !== undefined && this.deps.taskVerdict?.(batch.task) === 'drop') {
      // Its task was deprecated while the batch waited: its rows must never reach the target.
      tracker.ackRows(batch)
      metrics.rowsDropped.inc({ table, reason: 'deprecated_batch' }, batch.rows.length)
      this.deps.bodies?.give(batch.rows.body)
      return
    }
    await this.deps.beforeSend?.(batch, this.abort.signal)
    const started = clock.now()
    const outcome = await writeBatch(batch, sink, {
      retry: this.deps.retry,
      clock,
      random: Math.random,
      signal: this.abort.signal,
      onAttempt: (verdict) => this.deps.onVerdict(verdict, table),
    })
    if (outcome.rejected.length > 0) {
      const inputs: DeadLetterInput[] = outcome.rejected.map((r) => ({
        reason: 'sink_rejected',
        detail: r.why,
        topic: batch.topics[batch.topicIndexes[r.index]!]!,
        partition: batch.partitions[r.index]!,
        offset: batch.offsets[r.index]!,
        timestamp: -1,
        key: null,
        headers: [],
        value: Buffer.from(batch.rows.row(r.index)),
        now: clock.now(),
      }))
      await this.deps.deadLetter.write(inputs, this.abort.signal)
      metrics.deadLettered.inc({ reason: 'sink_rejected' }, inputs.length)
    }
    await this.deps.afterWritten?.(batch)
    tracker.ackRows(batch)
    metrics.flushDuration.observe({ table }, (clock.now() - started) / 1000)
    metrics.batchRows.observe({ table }, outcome.written)
    metrics.rowsWritten.inc({ table }, outcome.written)
    metrics.batchesWritten.inc({ table })
    this.deps.onWritten(table, outcome.written, batch.bytes)
    // Every request is over (fetch copied the body as each started), and so is the batch.
    this.deps.bodies?.give(batch.rows.body)
  }
}
