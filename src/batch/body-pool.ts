/**
 * @module batch/body-pool
 * Batch bodies handed back once their batch is written, lent to the next batches: a body of tens
 * of MiB written into fresh memory costs a page fault per 4 KiB (perf showed them on the JS
 * thread), one already touched does not. Holds at most `capBytes`; never lends a body twice.
 */

export class BodyPool {
  private readonly free: ArrayBuffer[] = []
  private held = 0

  constructor(private readonly capBytes: number) {}

  /** A body of at least `bytes` (uninitialized: only bytes below a batch's length are read). */
  take(bytes: number): Uint8Array {
    let best = -1
    for (let i = 0; i < this.free.length; i++) {
      const size = this.free[i]!.byteLength
      if (size >= bytes && (best < 0 || size < this.free[best]!.byteLength)) best = i
    }
    if (best < 0) return Buffer.allocUnsafeSlow(bytes)
    const [buffer] = this.free.splice(best, 1)
    this.held -= buffer!.byteLength
    return new Uint8Array(buffer!)
  }

  /**
   * Takes back a body from take() that nothing reads any more (its batch was written: fetch
   * copied it when the request started). Views into part of a buffer are not taken.
   */
  give(body: Uint8Array): void {
    const buffer = body.buffer
    if (!(buffer instanceof ArrayBuffer) || body.byteOffset !== 0) return
    if (this.free.includes(buffer)) return
    if (this.held + buffer.byteLength > this.capBytes) this.evictFor(buffer.byteLength)
    if (this.held + buffer.byteLength > this.capBytes) return
    this.free.push(buffer)
    this.held += buffer.byteLength
  }

  get heldBytes(): number {
    return this.held
  }

  /** Drops the smallest bodies while a larger one would not fit: big bodies save the most. */
  private evictFor(bytes: number): void {
    this.free.sort((a, b) => a.byteLength - b.byteLength)
    while (this.free.length > 0 && this.held + bytes > this.capBytes) {
      const smallest = this.free[0]!
      if (smallest.byteLength >= bytes) return
      this.free.shift()
      this.held -= smallest.byteLength
    }
  }
}
