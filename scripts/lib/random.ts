/**
 * @module scripts/lib/random
 * A seeded pseudo-random stream for test data: the same seed always gives the same numbers.
 * Not for anything secret.
 */

/** mulberry32: small, fast and good enough for test data; the same seed gives the same stream. */
export class Random {
  private state: number
  constructor(seed: number) {
    this.state = seed >>> 0
  }
  uint32(): number {
    this.state = (this.state + 0x6d2b79f5) | 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }
  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296
  }
  int(below: number): number {
    return Math.floor(this.next() * below)
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T
  }
}
