/**
 * @module pipeline/target-lru
 * Which loaded targets to forget (issue 8: memory stays bounded with 10,000 db keys): those idle
 * longer than `idleMs`, and beyond `cap` the least recently used. Pure bookkeeping: the time is
 * passed in, and the caller says which targets are pinned (a load or a change under way, parked
 * messages), which are never chosen.
 */

/** Uses closer together than this do not reorder: the per-row cost is one Map lookup. */
const TOUCH_GRANULARITY_MS = 1000

export class TargetLru {
  /** Key → last use; Map order is least recently used first. */
  private readonly used = new Map<string, number>()

  constructor(
    private readonly idleMs: number,
    private readonly cap: number,
  ) {}

  get size(): number {
    return this.used.size
  }

  has(key: string): boolean {
    return this.used.has(key)
  }

  /** Notes a use of `key` at `now`. */
  touch(key: string, now: number): void {
    const last = this.used.get(key)
    if (last !== undefined && now - last < TOUCH_GRANULARITY_MS) return
    this.used.delete(key)
    this.used.set(key, now)
  }

  forget(key: string): void {
    this.used.delete(key)
  }

  /**
   * Removes and returns the keys to evict at `now`: every unpinned key idle for `idleMs` or
   * more, then unpinned keys in least-recently-used order while more than `cap` remain.
   */
  evict(now: number, pinned: (key: string) => boolean): string[] {
    const out: string[] = []
    let excess = this.used.size - this.cap
    for (const [key, at] of this.used) {
      const idle = now - at >= this.idleMs
      // Map order is use order, so once nothing is idle or in excess nothing later is either.
      if (!idle && excess <= 0) break
      if (pinned(key)) continue
      out.push(key)
      excess--
    }
    for (const key of out) this.used.delete(key)
    return out
  }
}
