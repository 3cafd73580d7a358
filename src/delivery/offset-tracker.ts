/**
 * @module delivery/offset-tracker
 * The only place that knows offsets (DESIGN 3, style 6): per partition it commits one past the
 * prefix of offsets that have an outcome. It never reports a commit point past an offset without
 * an outcome, and never a commit point for a revoked partition.
 */
import { ChunkPool, PartitionWindow } from './partition-window'

export interface TopicPartition {
  readonly topic: string
  readonly partition: number
}

export interface CommitPoint extends TopicPartition {
  readonly offset: number
}

export interface Inflight {
  readonly messages: number
  readonly bytes: number
}

/** Per-row offsets as a drained batch carries them (batch/batcher DrainedBatch fits). */
export interface RowOffsets {
  readonly topics: readonly string[]
  readonly topicIndexes: ArrayLike<number>
  readonly partitions: ArrayLike<number>
  readonly offsets: ArrayLike<number>
}

interface Waiter {
  readonly partitions: readonly TopicPartition[]
  readonly done: () => void
}

const POOLED_CHUNKS = 64

export class OffsetTracker {
  private readonly windows = new Map<string, Array<PartitionWindow | undefined>>()
  private readonly pool = new ChunkPool(POOLED_CHUNKS)
  private readonly waiters = new Set<Waiter>()
  private late = 0

  /** Acks that arrived for a partition this tracker does not hold (revoked or never assigned). */
  get lateAcks(): number {
    return this.late
  }

  /** Starts tracking a partition; a no-op when it is already assigned. */
  assign(topic: string, partition: number): void {
    let byPartition = this.windows.get(topic)
    if (byPartition === undefined) {
      byPartition = []
      this.windows.set(topic, byPartition)
    }
    byPartition[partition] ??= new PartitionWindow(this.pool)
  }

  /**
   * Drops the partition's state. Acks that arrive later are counted in lateAcks and ignored, so a
   * partition another member now owns can never be committed from here (connect's markRevoked).
   */
  revoke(topic: string, partition: number): void {
    const byPartition = this.windows.get(topic)
    const window = byPartition?.[partition]
    if (window === undefined) return
    window.release()
    byPartition![partition] = undefined
    this.notify()
  }

  assigned(): TopicPartition[] {
    const out: TopicPartition[] = []
    for (const [topic, byPartition] of this.windows) {
      for (let partition = 0; partition < byPartition.length; partition++) {
        if (byPartition[partition]) out.push({ topic, partition })
      }
    }
    return out
  }

  /**
   * Records a consumed offset, in consumption order (ascending per partition, gaps allowed).
   * Returns false, tracking nothing, when the partition is not assigned: drop that message.
   */
  track(topic: string, partition: number, offset: number, bytes: number): boolean {
    const window = this.window(topic, partition)
    if (window === undefined) return false
    window.track(offset, bytes)
    return true
  }

  /**
   * track() for messages [from, to) of one partition of a packed batch: offsets[k], whose values
   * end at valueEnd[k], each followed by one separator byte when `separated`. False, tracking
   * nothing, when the partition is not assigned.
   */
  trackRun(
    topic: string,
    partition: number,
    offsets: Float64Array,
    valueEnd: Uint32Array,
    separated: boolean,
    from: number,
    to: number,
  ): boolean {
    const window = this.window(topic, partition)
    if (window === undefined) return false
    const step = separated ? 1 : 0
    let start = from === 0 ? 0 : valueEnd[from - 1]! + step
    for (let k = from; k < to; k++) {
      const end = valueEnd[k]!
      window.track(offsets[k]!, end - start)
      start = end + step
    }
    return true
  }

  /** Idempotent: true only when this call gave a tracked offset its ack. */
  ack(topic: string, partition: number, offset: number): boolean {
    const window = this.window(topic, partition)
    if (window === undefined) {
      this.late++
      return false
    }
    const acked = window.ack(offset)
    if (acked && this.waiters.size > 0) this.notify()
    return acked
  }

  /** Acks several offsets of one partition; returns how many were newly acked. */
  ackMany(topic: string, partition: number, offsets: ArrayLike<number>): number {
    return this.settleMany(topic, partition, offsets, (w, offset) => w.ack(offset))
  }

  /**
   * Marks offsets whose buffered rows were dropped on revocation: they stop counting as in
   * flight and no longer hold up whenSettled, but the commit point never passes them.
   */
  abandon(topic: string, partition: number, offsets: ArrayLike<number>): number {
    if (this.window(topic, partition) === undefined) return 0
    return this.settleMany(topic, partition, offsets, (w, offset) => w.abandon(offset))
  }

  /** Acks every row of a batch except the indexes in `skip`; returns how many were newly acked. */
  ackRows(rows: RowOffsets, skip?: ReadonlySet<number>): number {
    let count = 0
    const { offsets, partitions, topicIndexes } = rows
    for (let i = 0; i < offsets.length; ) {
      const topicIndex = topicIndexes[i]!
      const partition = partitions[i]!
      // The run of rows of one partition with nothing skipped: acked in one call.
      let end = i + 1
      while (
        end < offsets.length &&
        partitions[end] === partition &&
        topicIndexes[end] === topicIndex &&
        !skip?.has(end)
      ) {
        end++
      }
      const from = skip?.has(i) ? i + 1 : i
      const window = this.window(rows.topics[topicIndex] ?? '', partition)
      if (window === undefined) this.late += end - from
      else count += window.ackRun(offsets, from, end)
      i = end
    }
    if (count > 0 && this.waiters.size > 0) this.notify()
    return count
  }

  /** One past the highest offset below which every tracked offset is acked; null if none. */
  commitPoint(topic: string, partition: number): number | null {
    return this.window(topic, partition)?.commitPoint() ?? null
  }

  /** Partitions whose commit point moved past the last markCommitted. */
  commitCandidates(): CommitPoint[] {
    const out: CommitPoint[] = []
    for (const [topic, byPartition] of this.windows) {
      for (let partition = 0; partition < byPartition.length; partition++) {
        const window = byPartition[partition]
        const offset = window?.commitPoint() ?? null
        if (offset !== null && offset > window!.committed) out.push({ topic, partition, offset })
      }
    }
    return out
  }

  /** Records what Kafka accepted; entries of partitions revoked meanwhile are ignored. */
  markCommitted(list: readonly CommitPoint[]): void {
    for (const { topic, partition, offset } of list) {
      const window = this.window(topic, partition)
      if (window !== undefined && offset > window.committed) window.committed = offset
    }
  }

  /** Tracked offsets of the partition without an outcome yet, and their bytes. */
  inflight(topic: string, partition: number): Inflight {
    return this.window(topic, partition)?.inflight() ?? { messages: 0, bytes: 0 }
  }

  inflightBytes(): number {
    let bytes = 0
    for (const byPartition of this.windows.values()) {
      for (const w of byPartition) if (w) bytes += w.inflight().bytes
    }
    return bytes
  }

  /** True while some tracked offset of these partitions has no outcome. */
  unsettled(partitions: readonly TopicPartition[]): boolean {
    return partitions.some((tp) => this.window(tp.topic, tp.partition)?.settled() === false)
  }

  /**
   * Resolves once every tracked offset of these partitions has an outcome (or the partition was
   * revoked); rejects with the signal's reason when it aborts first, so a revoke drain is bounded.
   */
  whenSettled(partitions: readonly TopicPartition[], signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason)
    if (!this.unsettled(partitions)) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.waiters.delete(waiter)
        reject(signal.reason)
      }
      const waiter: Waiter = {
        partitions,
        done: () => {
          signal.removeEventListener('abort', onAbort)
          resolve()
        },
      }
      this.waiters.add(waiter)
      signal.addEventListener('abort', onAbort, { once: true })
    })
  }

  private settleMany(
    topic: string,
    partition: number,
    offsets: ArrayLike<number>,
    settle: (window: PartitionWindow, offset: number) => boolean,
  ): number {
    const window = this.window(topic, partition)
    if (window === undefined) {
      this.late += offsets.length
      return 0
    }
    let count = 0
    for (let i = 0; i < offsets.length; i++) if (settle(window, offsets[i]!)) count++
    if (count > 0 && this.waiters.size > 0) this.notify()
    return count
  }

  private notify(): void {
    for (const waiter of this.waiters) {
      if (this.unsettled(waiter.partitions)) continue
      this.waiters.delete(waiter)
      waiter.done()
    }
  }

  private window(topic: string, partition: number): PartitionWindow | undefined {
    return this.windows.get(topic)?.[partition]
  }
}
