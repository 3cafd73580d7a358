/**
 * @module delivery/partition-window
 * The offsets of one partition between the committed prefix and the last tracked offset, in
 * chunked typed arrays (no object per offset). Never moves its commit point past an offset
 * that has no outcome.
 */

const SHIFT = 10
const CHUNK = 1 << SHIFT
const MASK = CHUNK - 1

const PENDING = 0
const ACKED = 1
/** Dropped before it was written (revocation): not in flight, but never committed past. */
const ABANDONED = 2

class Chunk {
  readonly offsets = new Float64Array(CHUNK)
  /** Message bytes; a Kafka message is far below 4 GiB. */
  readonly bytes = new Uint32Array(CHUNK)
  readonly state = new Uint8Array(CHUNK)
  /**
   * A memo of the pending entries, recomputed by a scan whenever `stale`: in-flight figures are
   * derived from the entries themselves, never incremented and decremented in step (DESIGN 3).
   */
  stale = true
  pendingMessages = 0
  pendingBytes = 0
}

/** Chunks handed back by settled windows, reused so a busy partition does not churn memory. */
export class ChunkPool {
  private readonly free: Chunk[] = []
  constructor(private readonly cap: number) {}

  take(): Chunk {
    const chunk = this.free.pop() ?? new Chunk()
    chunk.stale = true
    return chunk
  }

  give(chunk: Chunk): void {
    if (this.free.length < this.cap) this.free.push(chunk)
  }
}

/**
 * Entries are numbered by a sequence (seq) in tracking order; chunks[k] holds seqs
 * [baseSeq + k * CHUNK, baseSeq + (k + 1) * CHUNK). Offsets strictly ascend with seq.
 */
export class PartitionWindow {
  /**
   * The offset last passed to markCommitted. It starts at the first tracked offset: the point
   * must move past where consumption began before there is anything worth committing.
   */
  committed = -1
  private readonly chunks: Chunk[] = []
  private baseSeq = 0
  /** First entry not acked: the commit point. */
  private headSeq = 0
  /** First entry still pending: everything before it has an outcome (headSeq <= settleSeq). */
  private settleSeq = 0
  private tailSeq = 0
  private lastOffset = -1
  /** Where the next ack probably is: a batch acks its rows in consumption order. */
  private hint = 0

  constructor(private readonly pool: ChunkPool) {}

  track(offset: number, bytes: number): void {
    if (!(offset > this.lastOffset)) {
      throw new Error(`offset ${offset} tracked after ${this.lastOffset}: must ascend`)
    }
    const rel = this.tailSeq - this.baseSeq
    if (rel === this.chunks.length * CHUNK) this.chunks.push(this.pool.take())
    const chunk = this.chunks[rel >> SHIFT]!
    const i = rel & MASK
    chunk.offsets[i] = offset
    chunk.bytes[i] = bytes
    chunk.state[i] = PENDING
    chunk.stale = true
    this.tailSeq++
    if (this.lastOffset < 0 && this.committed < offset) this.committed = offset
    this.lastOffset = offset
  }

  /** True when this call gave the offset its ack; false for a repeat or an untracked offset. */
  ack(offset: number): boolean {
    const seq = this.find(offset)
    if (seq < 0 || this.stateAt(seq) === ACKED) return false
    this.setState(seq, ACKED)
    this.hint = seq + 1
    if (seq === this.settleSeq) this.advanceSettle()
    if (seq === this.headSeq) this.advanceHead()
    return true
  }

  /**
   * ack() for offsets[from, to), ascending: a batch's rows of this partition. Where they are
   * consecutive entries of the window (the usual case) they are acked in one pass over the
   * chunks; anything else falls back to one ack() each. Returns how many were newly acked.
   */
  ackRun(offsets: ArrayLike<number>, from: number, to: number): number {
    let k = from
    let count = 0
    const first = to > from ? this.find(offsets[from]!) : -1
    if (first >= 0) {
      let seq = first
      while (k < to && seq < this.tailSeq) {
        const rel = seq - this.baseSeq
        const chunk = this.chunks[rel >> SHIFT]!
        const i = rel & MASK
        if (chunk.offsets[i] !== offsets[k]) break
        if (chunk.state[i] !== ACKED) {
          chunk.state[i] = ACKED
          chunk.stale = true
          count++
        }
        seq++
        k++
      }
      this.hint = seq
      if (this.settleSeq >= first && this.settleSeq < seq) this.advanceSettle()
      if (this.headSeq >= first && this.headSeq < seq) this.advanceHead()
    }
    for (; k < to; k++) if (this.ack(offsets[k]!)) count++
    return count
  }

  /** Marks a pending offset as given up: no longer awaited, still never committed past. */
  abandon(offset: number): boolean {
    const seq = this.find(offset)
    if (seq < 0 || this.stateAt(seq) !== PENDING) return false
    this.setState(seq, ABANDONED)
    if (seq === this.settleSeq) this.advanceSettle()
    return true
  }

  /** One past the acked prefix; null when nothing was ever tracked. */
  commitPoint(): number | null {
    if (this.headSeq < this.tailSeq) return this.offsetAt(this.headSeq)
    return this.lastOffset < 0 ? null : this.lastOffset + 1
  }

  settled(): boolean {
    return this.settleSeq === this.tailSeq
  }

  inflight(): { messages: number; bytes: number } {
    let messages = 0
    let bytes = 0
    for (let k = 0; k < this.chunks.length; k++) {
      const chunk = this.chunks[k]!
      if (chunk.stale) this.summarize(chunk, this.tailSeq - this.baseSeq - k * CHUNK)
      messages += chunk.pendingMessages
      bytes += chunk.pendingBytes
    }
    return { messages, bytes }
  }

  /** Gives the chunks back to the pool; the window must not be used afterwards. */
  release(): void {
    for (const chunk of this.chunks.splice(0)) this.pool.give(chunk)
  }

  private summarize(chunk: Chunk, used: number): void {
    const end = Math.min(used, CHUNK)
    let messages = 0
    let bytes = 0
    for (let i = 0; i < end; i++) {
      if (chunk.state[i] === PENDING) {
        messages++
        bytes += chunk.bytes[i]!
      }
    }
    chunk.pendingMessages = messages
    chunk.pendingBytes = bytes
    chunk.stale = false
  }

  /** The seq holding `offset` in the unsettled window, or -1. */
  private find(offset: number): number {
    if (this.headSeq === this.tailSeq || offset > this.lastOffset) return -1
    const first = this.offsetAt(this.headSeq)
    if (offset < first) return -1
    const hint = this.hint
    if (hint >= this.headSeq && hint < this.tailSeq && this.offsetAt(hint) === offset) return hint
    // Offsets ascend by at least one per entry, so the entry is at or before the gapless guess.
    let hi = Math.min(this.tailSeq - 1, this.headSeq + (offset - first))
    if (this.offsetAt(hi) === offset) return hi
    let lo = this.headSeq
    while (lo <= hi) {
      const mid = lo + Math.floor((hi - lo) / 2)
      const at = this.offsetAt(mid)
      if (at === offset) return mid
      if (at < offset) lo = mid + 1
      else hi = mid - 1
    }
    return -1
  }

  private advanceSettle(): void {
    while (this.settleSeq < this.tailSeq && this.stateAt(this.settleSeq) !== PENDING) {
      this.settleSeq++
    }
  }

  private advanceHead(): void {
    while (this.headSeq < this.tailSeq && this.stateAt(this.headSeq) === ACKED) this.headSeq++
    if (this.headSeq === this.tailSeq) {
      this.release()
      this.baseSeq = this.tailSeq
      return
    }
    while (this.headSeq - this.baseSeq >= CHUNK) {
      this.pool.give(this.chunks.shift()!)
      this.baseSeq += CHUNK
    }
  }

  private offsetAt(seq: number): number {
    const rel = seq - this.baseSeq
    return this.chunks[rel >> SHIFT]!.offsets[rel & MASK]!
  }

  private stateAt(seq: number): number {
    const rel = seq - this.baseSeq
    return this.chunks[rel >> SHIFT]!.state[rel & MASK]!
  }

  private setState(seq: number, state: number): void {
    const rel = seq - this.baseSeq
    const chunk = this.chunks[rel >> SHIFT]!
    chunk.state[rel & MASK] = state
    chunk.stale = true
  }
}
