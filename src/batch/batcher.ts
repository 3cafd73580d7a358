/**
 * @module batch/batcher
 * The buffer of one (target, schema version): rows kept as bytes in one growable body (DESIGN
 * point 8) and a pure batch policy (style 9) that says when a batch is due by rows, bytes or age.
 * Never reads the time itself and never holds rows of another target or version.
 */
import { ConfigError } from '../errors'
import type { TargetRef } from '../schema/table-schema'
import type { BodyPool } from './body-pool'
import { batchLabel } from './label'
import { RowBytes } from './row-bytes'

export type FlushReason =
  | 'rows'
  | 'bytes'
  | 'age'
  | 'shutdown'
  | 'revoke'
  | 'schema_change'
  /** An exactly-once batch re-formed from its manifest after a restart (SPEC §6). */
  | 'replay'

/** Each limit is a positive number, or Infinity for none; at least one must be finite. */
export interface BatchLimits {
  readonly max_rows: number
  readonly max_bytes: number
  readonly max_interval_ms: number
}

export interface DrainedBatch {
  readonly target: TargetRef
  readonly version: number
  /** The rows as one body of newline-terminated rows. */
  readonly rows: RowBytes
  /** The body's length: every row's UTF-8 bytes plus its newline. */
  readonly bytes: number
  /** Topic names; topicIndexes[i] indexes this list. */
  readonly topics: readonly string[]
  /** Per row, aligned with rows. */
  readonly partitions: Int32Array
  readonly topicIndexes: Uint16Array
  readonly offsets: Float64Array
  readonly label: string
  readonly reason: FlushReason
  /** The batch task (SPEC §5 batch_id) all its rows belong to, or undefined for none. */
  readonly task?: string | undefined
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
  /** The batch task every row of this batcher belongs to (undefined: rows without one). */
  readonly task?: string | undefined
  /** The body's first capacity (e.g. the size of this target's last batch). */
  readonly initialBytes?: number
  /** Which partition's rows it takes, when batches hold one partition each; -1 for any. */
  readonly lane?: number
  /** A label fixed in advance (a replayed manifest's) instead of one derived from the rows. */
  readonly label?: string
  /** Where bodies come from (and where a body outgrown here goes back). */
  readonly bodies?: BodyPool | undefined
}

const INITIAL_CAPACITY = 64
/** Small: with 10,000 db keys every target holds a body, and their batches are small. */
const MIN_BODY = 4 * 1024
const NEWLINE = 0x0a
const EMPTY = new Uint8Array(0)

export class Batcher {
  readonly target: TargetRef
  readonly version: number
  readonly task: string | undefined
  readonly lane: number
  private readonly fixedLabel: string | undefined
  private readonly bodies: BodyPool | undefined
  private readonly limits: BatchLimits
  private readonly topics: readonly string[]
  private readonly labelPrefix: string
  private nextBody: number
  private buf: Uint8Array = EMPTY
  /** Bytes of committed rows; a row being written sits past it until commit(). */
  private pos = 0
  private n = 0
  private rowEnds = new Uint32Array(INITIAL_CAPACITY)
  private partitions = new Int32Array(INITIAL_CAPACITY)
  private topicIndexes = new Uint16Array(INITIAL_CAPACITY)
  private offsets = new Float64Array(INITIAL_CAPACITY)
  private firstAt = 0
  private readonly encoder = new TextEncoder()

  constructor(options: BatcherOptions) {
    checkLimits(options.limits)
    this.target = options.target
    this.version = options.version
    this.task = options.task
    this.lane = options.lane ?? -1
    this.fixedLabel = options.label
    this.bodies = options.bodies
    this.limits = options.limits
    this.topics = options.topics
    this.labelPrefix = options.labelPrefix
    this.nextBody = bodySize(options.initialBytes ?? 0)
  }

  get size(): number {
    return this.n
  }

  get bytes(): number {
    return this.pos
  }

  /** The body a row writer writes into, at writePos (valid until the next reserve or drain). */
  get body(): Uint8Array {
    return this.buf
  }

  get writePos(): number {
    return this.pos
  }

  /** True when a row of `bytes` fits under max_bytes (an empty batch takes any row). */
  fits(bytes: number): boolean {
    return this.n === 0 || this.pos + bytes <= this.limits.max_bytes
  }

  /** Makes room for `bytes` more bytes past writePos; returns the (maybe new) body. */
  reserve(bytes: number): Uint8Array {
    const need = this.pos + bytes
    if (need <= this.buf.length) return this.buf
    // Not zero-filled: only bytes below pos are ever read or sent, so clearing a body of tens of
    // MiB per batch would be wasted work.
    const size = Math.max(need, this.buf.length * 2, this.nextBody)
    const next: Uint8Array = this.bodies?.take(size) ?? Buffer.allocUnsafeSlow(size)
    next.set(this.buf.subarray(0, this.pos))
    // Outgrown, and never handed to a batch (drain leaves EMPTY behind): nothing else reads it.
    if (this.buf !== EMPTY) this.bodies?.give(this.buf)
    this.buf = next
    return next
  }

  /** Writes `row` as UTF-8 at writePos (uncommitted); returns where it ends. */
  writeText(row: string): number {
    this.reserve(row.length * 3 + 1)
    return this.pos + this.encoder.encodeInto(row, this.buf.subarray(this.pos)).written
  }

  /**
   * Buffers the row written at [writePos, writePos + length), adding its newline; returns the
   * limit it tripped, or null. The first row starts the age. Needs one reserved byte past it.
   */
  commit(
    length: number,
    topicIndex: number,
    partition: number,
    offset: number,
    now: number,
  ): FlushReason | null {
    const n = this.n
    if (n === 0) this.firstAt = now
    if (n === this.offsets.length) this.grow(n * 2)
    this.buf[this.pos + length] = NEWLINE
    this.pos += length + 1
    this.rowEnds[n] = this.pos
    this.partitions[n] = partition
    this.topicIndexes[n] = topicIndex
    this.offsets[n] = offset
    this.n = n + 1
    return this.tripped()
  }

  /**
   * Buffers `count` rows a run encoder wrote back to back at writePos, each ending (past its
   * newline) at rowEnds[k], all of one partition, with offsets[from + k]. Returns the limit the
   * last row tripped, or null. The run encoder kept them within max_bytes; max_rows is the
   * caller's to keep (count <= max_rows - size).
   */
  commitRun(
    rowEnds: Uint32Array,
    count: number,
    topicIndex: number,
    partition: number,
    offsets: Float64Array,
    from: number,
    now: number,
  ): FlushReason | null {
    const n = this.n
    if (n === 0) this.firstAt = now
    if (n + count > this.offsets.length) this.grow(Math.max(n * 2, n + count))
    this.rowEnds.set(rowEnds.subarray(0, count), n)
    this.partitions.fill(partition, n, n + count)
    this.topicIndexes.fill(topicIndex, n, n + count)
    this.offsets.set(offsets.subarray(from, from + count), n)
    this.n = n + count
    this.pos = rowEnds[count - 1]!
    return this.tripped()
  }

  /** The limit the rows buffered so far reached, or null. */
  private tripped(): FlushReason | null {
    if (this.n >= this.limits.max_rows) return 'rows'
    if (this.pos >= this.limits.max_bytes) return 'bytes'
    return null
  }

  /** How many more rows this batch takes before max_rows trips. */
  get roomRows(): number {
    return this.limits.max_rows - this.n
  }

  /** max_bytes as a body position (a finite number for a run encoder's limit). */
  get limitBytes(): number {
    return Math.min(this.limits.max_bytes, 2 ** 31)
  }

  /** Milliseconds until the age limit trips; 0 when overdue, Infinity when empty. */
  msUntilDue(now: number): number {
    if (this.n === 0) return Number.POSITIVE_INFINITY
    return Math.max(0, this.firstAt + this.limits.max_interval_ms - now)
  }

  /** Hands the committed rows over as one batch and starts empty. */
  drain(reason: FlushReason): DrainedBatch {
    return this.drainKeeping(0, reason)
  }

  /**
   * Like drain, but the uncommitted `pending` bytes at writePos (a row written, not yet
   * committed) move to the start of the next body, so it can still be committed.
   */
  drainKeeping(pending: number, reason: FlushReason): DrainedBatch {
    const n = this.n
    const rowOffsets = {
      topics: this.topics,
      topicIndexes: this.topicIndexes.slice(0, n),
      partitions: this.partitions.slice(0, n),
      offsets: this.offsets.slice(0, n),
    }
    const body = this.buf.subarray(0, this.pos)
    const batch: DrainedBatch = {
      target: this.target,
      version: this.version,
      rows: new RowBytes(body, this.rowEnds.slice(0, n)),
      bytes: this.pos,
      ...rowOffsets,
      label: this.fixedLabel ?? batchLabel(this.labelPrefix, this.target, rowOffsets),
      reason,
      task: this.task,
    }
    // The drained batch owns the old body: the next rows go into a new one of a similar size.
    this.nextBody = bodySize(this.pos)
    const old = this.buf
    this.buf = EMPTY
    if (pending > 0) this.reserve(pending + 1).set(old.subarray(body.length, body.length + pending))
    this.pos = 0
    this.n = 0
    return batch
  }

  /** Removes the rows of partitions matching `pred` (revoked) and returns their offsets. */
  dropPartitions(pred: (topicIndex: number, partition: number) => boolean): DroppedOffset[] {
    const dropped: DroppedOffset[] = []
    let kept = 0
    let keptBytes = 0
    for (let i = 0; i < this.n; i++) {
      const topicIndex = this.topicIndexes[i]!
      const partition = this.partitions[i]!
      if (pred(topicIndex, partition)) {
        dropped.push({ topicIndex, partition, offset: this.offsets[i]! })
        continue
      }
      keptBytes = this.moveRow(i, kept, keptBytes)
      kept++
    }
    this.n = kept
    this.pos = keptBytes
    return dropped
  }

  /** Moves row `from` to slot `to`, its bytes to `at`; returns where its bytes now end. */
  private moveRow(from: number, to: number, at: number): number {
    const start = from === 0 ? 0 : this.rowEnds[from - 1]!
    const end = this.rowEnds[from]!
    if (from === to) return end
    this.buf.copyWithin(at, start, end)
    this.rowEnds[to] = at + end - start
    this.partitions[to] = this.partitions[from]!
    this.topicIndexes[to] = this.topicIndexes[from]!
    this.offsets[to] = this.offsets[from]!
    return at + end - start
  }

  private grow(capacity: number): void {
    const grow = <T extends Uint32Array | Int32Array | Uint16Array | Float64Array>(
      old: T,
      next: T,
    ): T => {
      next.set(old)
      return next
    }
    this.rowEnds = grow(this.rowEnds, new Uint32Array(capacity))
    this.partitions = grow(this.partitions, new Int32Array(capacity))
    this.topicIndexes = grow(this.topicIndexes, new Uint16Array(capacity))
    this.offsets = grow(this.offsets, new Float64Array(capacity))
  }
}

/**
 * The first capacity of a body after a batch of `last` bytes: a quarter more, so a slightly
 * larger next batch is not copied into a doubled body near its end.
 */
function bodySize(last: number): number {
  return Math.max(MIN_BODY, Math.ceil(last * 1.25))
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
