/**
 * @module batch/batcher
 * The buffer of one (target, schema version): a pure batch policy (style 9) that says when a
 * batch is due by rows, bytes or age. Never reads the time itself and never holds rows of
 * another target or version.
 */
import { ConfigError } from '../errors'
import type { TargetRef } from '../schema/table-schema'
import { batchLabel } from './label'

export type FlushReason = 'rows' | 'bytes' | 'age' | 'shutdown' | 'revoke' | 'schema_change'

/** Each limit is a positive number, or Infinity for none; at least one must be finite. */
export interface BatchLimits {
  readonly max_rows: number
  readonly max_bytes: number
  readonly max_interval_ms: number
}

export interface DrainedBatch {
  readonly target: TargetRef
  readonly version: number
  readonly rows: string[]
  /** Sum of the bytes given to add() (each row's UTF-8 length plus its newline). */
  readonly bytes: number
  /** Topic names; topicIndexes[i] indexes this list. */
  readonly topics: readonly string[]
  /** Per row, aligned with rows. */
  readonly partitions: Int32Array
  readonly topicIndexes: Uint16Array
  readonly offsets: Float64Array
  readonly label: string
  readonly reason: FlushReason
}

export interface DroppedOffset {
  readonly topicIndex: number
  readonly partition: number
  readonly offset: number
}

export interface BatcherOptions {
  readonly target: TargetRef
  readonly version: number
  readonly limits: BatchLimits
  /** The caller's append-only topic-name table that topicIndex values refer to. */
  readonly topics: readonly string[]
  readonly labelPrefix: string
}

const INITIAL_CAPACITY = 256

export class Batcher {
  readonly target: TargetRef
  readonly version: number
  private readonly limits: BatchLimits
  private readonly topics: readonly string[]
  private readonly labelPrefix: string
  private rows: string[] = []
  private rowBytes = new Uint32Array(INITIAL_CAPACITY)
  private partitions = new Int32Array(INITIAL_CAPACITY)
  private topicIndexes = new Uint16Array(INITIAL_CAPACITY)
  private offsets = new Float64Array(INITIAL_CAPACITY)
  private totalBytes = 0
  private firstAt = 0

  constructor(options: BatcherOptions) {
    checkLimits(options.limits)
    this.target = options.target
    this.version = options.version
    this.limits = options.limits
    this.topics = options.topics
    this.labelPrefix = options.labelPrefix
  }

  get size(): number {
    return this.rows.length
  }

  get bytes(): number {
    return this.totalBytes
  }

  /** True when a row of `bytes` fits under max_bytes (an empty batch takes any row). */
  fits(bytes: number): boolean {
    return this.rows.length === 0 || this.totalBytes + bytes <= this.limits.max_bytes
  }

  /** Buffers one row; returns the limit it tripped, or null. The first row starts the age. */
  add(
    row: string,
    bytes: number,
    topicIndex: number,
    partition: number,
    offset: number,
    now: number,
  ): FlushReason | null {
    const n = this.rows.length
    if (n === 0) this.firstAt = now
    if (n === this.offsets.length) this.grow(n * 2)
    this.rows.push(row)
    this.rowBytes[n] = bytes
    this.partitions[n] = partition
    this.topicIndexes[n] = topicIndex
    this.offsets[n] = offset
    this.totalBytes += bytes
    if (n + 1 >= this.limits.max_rows) return 'rows'
    if (this.totalBytes >= this.limits.max_bytes) return 'bytes'
    return null
  }

  /** Milliseconds until the age limit trips; 0 when overdue, Infinity when empty. */
  msUntilDue(now: number): number {
    if (this.rows.length === 0) return Number.POSITIVE_INFINITY
    return Math.max(0, this.firstAt + this.limits.max_interval_ms - now)
  }

  /** Hands the buffered rows over as one batch and starts empty. */
  drain(reason: FlushReason): DrainedBatch {
    const n = this.rows.length
    const rowOffsets = {
      topics: this.topics,
      topicIndexes: this.topicIndexes.slice(0, n),
      partitions: this.partitions.slice(0, n),
      offsets: this.offsets.slice(0, n),
    }
    const batch: DrainedBatch = {
      target: this.target,
      version: this.version,
      rows: this.rows,
      bytes: this.totalBytes,
      ...rowOffsets,
      label: batchLabel(this.labelPrefix, this.target, rowOffsets),
      reason,
    }
    this.rows = []
    this.totalBytes = 0
    return batch
  }

  /** Removes the rows of partitions matching `pred` (revoked) and returns their offsets. */
  dropPartitions(pred: (topicIndex: number, partition: number) => boolean): DroppedOffset[] {
    const dropped: DroppedOffset[] = []
    let kept = 0
    let keptBytes = 0
    for (let i = 0; i < this.rows.length; i++) {
      const topicIndex = this.topicIndexes[i]!
      const partition = this.partitions[i]!
      if (pred(topicIndex, partition)) {
        dropped.push({ topicIndex, partition, offset: this.offsets[i]! })
        continue
      }
      this.moveRow(i, kept)
      keptBytes += this.rowBytes[kept]!
      kept++
    }
    this.rows.length = kept
    this.totalBytes = keptBytes
    return dropped
  }

  private moveRow(from: number, to: number): void {
    if (from === to) return
    this.rows[to] = this.rows[from]!
    this.rowBytes[to] = this.rowBytes[from]!
    this.partitions[to] = this.partitions[from]!
    this.topicIndexes[to] = this.topicIndexes[from]!
    this.offsets[to] = this.offsets[from]!
  }

  private grow(capacity: number): void {
    const grow = <T extends Uint32Array | Int32Array | Uint16Array | Float64Array>(
      old: T,
      next: T,
    ): T => {
      next.set(old)
      return next
    }
    this.rowBytes = grow(this.rowBytes, new Uint32Array(capacity))
    this.partitions = grow(this.partitions, new Int32Array(capacity))
    this.topicIndexes = grow(this.topicIndexes, new Uint16Array(capacity))
    this.offsets = grow(this.offsets, new Float64Array(capacity))
  }
}

const LIMIT_KEYS = ['max_rows', 'max_bytes', 'max_interval_ms'] as const

/** Throws ConfigError unless every limit is positive and at least one is finite (style 9). */
export function checkLimits(limits: BatchLimits): void {
  const issues = LIMIT_KEYS.filter((key) => !(limits[key] > 0)).map(
    (key) => `batch.${key}: must be a positive number (or Infinity for no limit)`,
  )
  if (LIMIT_KEYS.every((key) => limits[key] === Number.POSITIVE_INFINITY)) {
    issues.push('batch: at least one of max_rows, max_bytes, max_interval_ms must be finite')
  }
  if (issues.length > 0) throw new ConfigError(issues)
}
