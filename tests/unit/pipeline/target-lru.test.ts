import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { TargetLru } from '../../../src/pipeline/target-lru'

describe('TargetLru', () => {
  test('evicts idle keys, then the least recently used beyond the cap', () => {
    const lru = new TargetLru(10_000, 3)
    lru.touch('a', 0)
    lru.touch('b', 2000)
    lru.touch('c', 4000)
    lru.touch('d', 6000)
    lru.touch('a', 8000)
    // Cap 3 over 4 keys: b is the least recently used.
    expect(lru.evict(9000, () => false)).toEqual(['b'])
    // At 15 s, c (4 s) and d (6 s) are 10 s idle or more.
    expect(lru.evict(16_000, () => false)).toEqual(['c', 'd'])
    expect(lru.has('a')).toBe(true)
    expect(lru.size).toBe(1)
  })

  test('never evicts a pinned key, and a later key takes its place', () => {
    const lru = new TargetLru(1000, 1)
    lru.touch('a', 0)
    lru.touch('b', 1)
    expect(lru.evict(2, (k) => k === 'a')).toEqual(['b'])
    expect(lru.evict(5000, (k) => k === 'a')).toEqual([])
    expect(lru.evict(5000, () => false)).toEqual(['a'])
  })

  test('uses within a second do not reorder (one lookup per row)', () => {
    const lru = new TargetLru(1e9, 1)
    lru.touch('a', 0)
    lru.touch('b', 100)
    lru.touch('a', 500)
    expect(lru.evict(600, () => false)).toEqual(['a'])
  })

  test('random uses: after a sweep at most cap keys stay, none idle, the most recent ones kept', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 3000 })), {
          maxLength: 300,
        }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 60_000 }),
        (uses, cap, idleMs) => {
          const lru = new TargetLru(idleMs, cap)
          const last = new Map<string, number>()
          let now = 0
          for (const [k, dt] of uses) {
            now += dt
            lru.touch(`k${k}`, now)
            const prev = last.get(`k${k}`)
            if (prev === undefined || now - prev >= 1000) last.set(`k${k}`, now)
          }
          const evicted = lru.evict(now, () => false)
          const kept = [...last.keys()].filter((k) => !evicted.includes(k))
          expect(lru.size).toBe(kept.length)
          expect(lru.size).toBeLessThanOrEqual(cap)
          for (const k of kept) expect(now - last.get(k)!).toBeLessThan(idleMs)
          // Every evicted key was used no later than every kept one.
          const newestEvicted = Math.max(...evicted.map((k) => last.get(k)!))
          for (const k of kept) expect(last.get(k)!).toBeGreaterThanOrEqual(newestEvicted)
        },
      ),
    )
  })
})
