/**
 * @module batch/batch-set
 * All open batches: one Batcher per (target, schema version, batch task), created on a row's
 * arrival and evicted once drained. Pure (the time is passed in); never mixes targets, versions
 * or batch tasks in a batch, so a deprecated task's rows can be dropped batch by batch.
 */
import { type TargetRef, targetKey } from '../schema/table-schema'
import {
  Batcher,
  type BatchLimits,
  checkLimits,
  type DrainedBatch,
  type FlushReason,
} from './batcher'
import type { BodyPool } from './body-pool'

export type { Batcher, BatchLimits, DrainedBatch, FlushReason } from './batcher'

/** What add() returns when nothing is due: shared, so the per-row path allocates nothing. */
export const NO_BATCHES: readonly DrainedBatch[] = Object.freeze([])

/** topicIndex values are Uint16 in the batch arrays. */
const MAX_TOPICS = 65_536
/** Kafka partitions are non-negative int32: a lane number is topic index × 2^31 + partition. */
const PARTITION_SPAN = 2 ** 31

export interface BatchSetOptions {
  /** Starts every batch label (batch/label). */
  readonly labelPrefix?: string
  /** Each batch holds rows of one partition (exactly_once: a manifest is one offset range). */
  readonly perPartition?: boolean
  /** Where batch bodies come from; the dispatcher gives them back once written. */
  readonly bodies?: BodyPool
}

export interface DroppedRow {
  readonly topic: string
  readonly partition: number
  readonly offset: number
  /** `database.table` of the batch the row was dropped from (dropTask only). */
  readonly table?: string
}

export class BatchSet {
  private readonly topics: string[] = []
  private readonly topicIndexes = new Map<string, number>()
  /** Per target key its batchers, usually one; several only while versions overlap. */
  private readonly byTarget = new Map<string, Batcher[]>()
  /** Per target key the size of its last drained batch. */
  private readonly lastBytes = new Map<string, number>()
  /** Rows arrive in runs of one topic: remembering the last lookup skips the Map per row. */
  private lastTopic: string | undefined
  private lastTopicIndex = 0
  /** Likewise for targets: a route hands out one TargetRef object per target. */
  private lastTarget: TargetRef | undefined
  private lastTargetKey = ''
  /** The list listOf() last returned; forgotten whenever evictEmpty may replace it. */
  private lastListKey = ''
  private lastList: Batcher[] | undefined

  private readonly labelPrefix: string
  private readonly perPartition: boolean
  private readonly bodies: BodyPool | undefined

  /** Throws ConfigError without a limit. */
  constructor(
    private readonly limits: BatchLimits,
    options: BatchSetOptions = {},
  ) {
    checkLimits(limits)
    this.labelPrefix = options.labelPrefix ?? 'sinker'
    this.perPartition = options.perPartition ?? false
    this.bodies = options.bodies
  }

  /** The index of a topic name in this set's table (added on first use; indexes are stable). */
  topicIndex(name: string): number {
    if (name === this.lastTopic) return this.lastTopicIndex
    let index = this.topicIndexes.get(name)
    if (index === undefined) {
      if (this.topics.length >= MAX_TOPICS) throw new Error(`more than ${MAX_TOPICS} topics`)
      index = this.topics.push(name) - 1
      this.topicIndexes.set(name, index)
    }
    this.lastTopic = name
    this.lastTopicIndex = index
    return index
  }

  topicName(index: number): string {
    return this.topics[index] ?? ''
  }

  /**
   * Buffers one row built with schema `version` of `target`, consumed from `topic`, encoding it
   * as UTF-8 into the batch body. Returns the batches that became due (see commit).
   */
  add(
    target: TargetRef,
    version: number,
    row: string,
    topic: string,
    partition: number,
    offset: number,
    now: number,
    task?: string,
  ): readonly DrainedBatch[] {
    const lane = this.perPartition ? this.topicIndex(topic) * PARTITION_SPAN + partition : -1
    const batcher = this.open(target, version, 0, task, lane)
    const end = batcher.writeText(row)
    return this.commit(batcher, end, topic, partition, offset, now)
  }

  /**
   * The batch of an exactly-once manifest re-formed after a restart: its rows as they were
   * re-encoded, its stored label. Not buffered here: the caller dispatches it at once.
   */
  replayed(
    target: TargetRef,
    version: number,
    label: string,
    rows: readonly { row: string; topic: string; partition: number; offset: number }[],
    now: number,
    task?: string,
  ): DrainedBatch {
    const { labelPrefix, topics } = this
    // No limit may cut it: the manifest's batch was cut once, at exactly these rows.
    const limits = {
      max_rows: rows.length + 1,
      max_bytes: Number.POSITIVE_INFINITY,
      max_interval_ms: Number.POSITIVE_INFINITY,
    }
    const b = new Batcher({ target, version, limits, topics, labelPrefix, task, label })
    for (const r of rows) {
      const end = b.writeText(r.row)
      b.commit(end - b.writePos, this.topicIndex(r.topic), r.partition, r.offset, now)
    }
    return b.drain('replay')
  }

  /**
   * The batcher that takes rows of (target, version), with room for a row of up to `maxBytes`
   * at its writePos. A row writer writes there, then commit()s; a declined row is never
   * committed and leaves nothing behind.
   */
  open(target: TargetRef, version: number, maxBytes = 0, task?: string, lane = -1): Batcher {
    const key = this.keyOf(target)
    const list = this.listOf(key)
    let batcher: Batcher | undefined
    for (let i = 0; i < list.length; i++) {
      const b = list[i]!
      if (b.version === version && b.task === task && b.lane === lane) batcher = b
    }
    if (batcher === undefined) {
      batcher = this.createBatcher(target, version, key, task, lane)
      list.push(batcher)
    }
    // One byte more for the newline commit() adds.
    batcher.reserve(maxBytes + 1)
    return batcher
  }

  /**
   * Buffers the row written into `batcher` (from open()) ending at `end`. Returns the batches
   * that became due, in the order they must be written: usually none (NO_BATCHES). A row of a
   * newer version first drains the target's older versions (reason 'schema_change'); a row that
   * would push the batch past max_bytes first drains it ('bytes'), so only a single oversized
   * row exceeds max_bytes; then the row's own batch when it reaches a limit.
   */
  commit(
    batcher: Batcher,
    end: number,
    topic: string,
    partition: number,
    offset: number,
    now: number,
  ): readonly DrainedBatch[] {
    const key = this.keyOf(batcher.target)
    const length = end - batcher.writePos
    let out = this.drainOlder(key, batcher)
    if (!batcher.fits(length + 1)) {
      out ??= []
      out.push(this.remember(key, batcher.drainKeeping(length, 'bytes')))
    }
    const reason = batcher.commit(length, this.topicIndex(topic), partition, offset, now)
    if (reason !== null) {
      out ??= []
      out.push(this.remember(key, batcher.drain(reason)))
      this.evictEmpty(key, this.listOf(key))
    }
    return out ?? NO_BATCHES
  }

  /**
   * Buffers a run encoder's `count` rows written into `batcher` (from open()) as commitRun
   * says; returns the batches that became due, as commit() does.
   */
  commitRun(
    batcher: Batcher,
    rowEnds: Uint32Array,
    count: number,
    topic: string,
    partition: number,
    offsets: Float64Array,
    from: number,
    now: number,
  ): readonly DrainedBatch[] {
    const key = this.keyOf(batcher.target)
    const out = this.drainOlder(key, batcher)
    const reason = batcher.commitRun(
      rowEnds,
      count,
      this.topicIndex(topic),
      partition,
      offsets,
      from,
      now,
    )
    if (reason === null) return out ?? NO_BATCHES
    const due = out ?? []
    due.push(this.remember(key, batcher.drain(reason)))
    this.evictEmpty(key, this.listOf(key))
    return due
  }

  /** Drains `batcher` because its next row would pass max_bytes; null when it holds no rows. */
  drainFull(batcher: Batcher): DrainedBatch | null {
    if (batcher.size === 0) return null
    const key = this.keyOf(batcher.target)
    const batch = this.remember(key, batcher.drain('bytes'))
    this.evictEmpty(key, this.listOf(key), batcher)
    return batch
  }

  /**
   * Drains every batch whose age limit has passed, except those of targets (by targetKey) that
   * `wait` holds back: their rows keep filling the open batch instead.
   */
  due(now: number, wait?: (key: string) => boolean): DrainedBatch[] {
    return this.drainWhere((b) => b.msUntilDue(now) === 0, 'age', wait)
  }

  /**
   * Milliseconds until the next batch is due by age, leaving out the targets `wait` holds back;
   * Infinity when nothing is buffered.
   */
  msUntilNextDue(now: number, wait?: (key: string) => boolean): number {
    let ms = Number.POSITIVE_INFINITY
    for (const [key, list] of this.byTarget) {
      if (wait?.(key)) continue
      for (const b of list) ms = Math.min(ms, b.msUntilDue(now))
    }
    return ms
  }

  /** Drains every buffered batch of `target` (all versions and tasks), e.g. before a schema change. */
  drainTarget(target: TargetRef, reason: FlushReason): DrainedBatch[] {
    const key = this.keyOf(target)
    const list = this.byTarget.get(key)
    if (list === undefined) return []
    const out: DrainedBatch[] = []
    for (const b of list) if (b.size > 0) out.push(this.remember(key, b.drain(reason)))
    this.evictEmpty(key, list)
    return out
  }

  drainAll(reason: FlushReason): DrainedBatch[] {
    return this.drainWhere(() => true, reason)
  }

  /** Removes the buffered rows of partitions matching `pred` (revoked) and returns their offsets. */
  dropPartitions(pred: (topic: string, partition: number) => boolean): DroppedRow[] {
    const dropped: DroppedRow[] = []
    const byIndex = (topicIndex: number, partition: number) =>
      pred(this.topicName(topicIndex), partition)
    for (const [key, list] of this.byTarget) {
      for (const b of list) {
        for (const d of b.dropPartitions(byIndex)) {
          dropped.push({
            topic: this.topicName(d.topicIndex),
            partition: d.partition,
            offset: d.offset,
          })
        }
      }
      this.evictEmpty(key, list)
    }
    return dropped
  }

  /** Removes every buffered row of batch task `task` (deprecated) and returns their offsets. */
  dropTask(task: string): DroppedRow[] {
    const dropped: DroppedRow[] = []
    for (const [key, list] of this.byTarget) {
      for (const b of list) {
        if (b.task !== task) continue
        for (const d of b.dropPartitions(() => true)) {
          dropped.push({
            topic: this.topicName(d.topicIndex),
            partition: d.partition,
            offset: d.offset,
            table: key,
          })
        }
      }
      this.evictEmpty(key, list)
    }
    return dropped
  }

  bufferedBytes(): number {
    let bytes = 0
    for (const list of this.byTarget.values()) for (const b of list) bytes += b.bytes
    return bytes
  }

  bufferedRows(): number {
    let rows = 0
    for (const list of this.byTarget.values()) for (const b of list) rows += b.size
    return rows
  }

  private drainWhere(
    pred: (b: Batcher) => boolean,
    reason: FlushReason,
    wait?: (key: string) => boolean,
  ): DrainedBatch[] {
    const out: DrainedBatch[] = []
    for (const [key, list] of this.byTarget) {
      if (wait?.(key)) continue
      let empty = false
      for (const b of list) {
        if (b.size > 0 && pred(b)) out.push(this.remember(key, b.drain(reason)))
        if (b.size === 0) empty = true
      }
      // With 10,000 targets this runs every loop turn: lists are rebuilt only when they changed.
      if (empty) this.evictEmpty(key, list)
    }
    return out
  }

  /** A row of a newer version first drains the target's older versions ('schema_change'). */
  private drainOlder(key: string, batcher: Batcher): DrainedBatch[] | undefined {
    const list = this.listOf(key)
    let out: DrainedBatch[] | undefined
    for (let i = 0; i < list.length; i++) {
      const b = list[i]!
      if (b.version < batcher.version && b.size > 0) {
        out ??= []
        out.push(b.drain('schema_change'))
      }
    }
    if (out !== undefined) this.evictEmpty(key, list, batcher)
    return out
  }

  private keyOf(target: TargetRef): string {
    if (target !== this.lastTarget) {
      this.lastTarget = target
      this.lastTargetKey = targetKey(target)
    }
    return this.lastTargetKey
  }

  private listOf(key: string): Batcher[] {
    // Rows come in runs of one target: open() and commit() of a row ask for the same list.
    if (key === this.lastListKey && this.lastList !== undefined) return this.lastList
    let list = this.byTarget.get(key)
    if (list === undefined) {
      list = []
      this.byTarget.set(key, list)
    }
    this.lastListKey = key
    this.lastList = list
    return list
  }

  /** Drops the empty batchers of `key`, except `keep` (a batcher with a row being written). */
  private evictEmpty(key: string, list: Batcher[], keep?: Batcher): void {
    this.lastList = undefined
    const kept = list.filter((b) => b.size > 0 || b === keep)
    if (kept.length === 0) this.byTarget.delete(key)
    else if (kept.length !== list.length) this.byTarget.set(key, kept)
  }

  private createBatcher(
    target: TargetRef,
    version: number,
    key: string,
    task: string | undefined,
    lane: number,
  ): Batcher {
    const { limits, labelPrefix, topics } = this
    const initialBytes = this.lastBytes.get(key)
    const { bodies } = this
    return new Batcher({
      target,
      version,
      limits,
      topics,
      labelPrefix,
      initialBytes,
      task,
      lane,
      bodies,
    })
  }

  /** Notes a drained batch's size: the target's next body starts that large (no regrowth). */
  private remember(key: string, batch: DrainedBatch): DrainedBatch {
    this.lastBytes.set(key, batch.bytes)
    return batch
  }
}
