import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { Limiter } from '../../../src/core/limiter'

const tick = () => new Promise<void>((r) => setTimeout(r, 0))

describe('Limiter', () => {
  test('never runs more than its limit at once, and runs every job in arrival order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 40 }),
        async (limit, delays) => {
          const limiter = new Limiter(limit)
          let running = 0
          let peak = 0
          const started: number[] = []
          const results = await Promise.all(
            delays.map((d, i) =>
              limiter.run(async () => {
                started.push(i)
                running++
                peak = Math.max(peak, running)
                for (let k = 0; k < d; k++) await tick()
                running--
                return i * 2
              }),
            ),
          )
          expect(peak).toBeLessThanOrEqual(limit)
          expect(started).toEqual(delays.map((_, i) => i))
          expect(results).toEqual(delays.map((_, i) => i * 2))
          expect(limiter.active).toBe(0)
          expect(limiter.waiting).toBe(0)
        },
      ),
      { numRuns: 50 },
    )
  })

  test('holds the jobs beyond its limit until a slot frees', async () => {
    const limiter = new Limiter(2)
    const gates: Array<() => void> = []
    const done: number[] = []
    const jobs = [0, 1, 2, 3].map((i) =>
      limiter.run(async () => {
        await new Promise<void>((r) => gates.push(r))
        done.push(i)
      }),
    )
    await new Promise((r) => setTimeout(r, 0))
    expect([limiter.active, limiter.waiting, gates.length]).toEqual([2, 2, 2])
    gates[1]!()
    await new Promise((r) => setTimeout(r, 0))
    expect([limiter.active, limiter.waiting, gates.length]).toEqual([2, 1, 3])
    for (const g of gates.splice(0)) g()
    await new Promise((r) => setTimeout(r, 0))
    for (const g of gates.splice(0)) g()
    await Promise.all(jobs)
    expect(done).toEqual([1, 0, 2, 3])
  })

  test('a failing job frees its slot', async () => {
    const limiter = new Limiter(1)
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(await limiter.run(() => Promise.resolve('next'))).toBe('next')
    expect(limiter.active).toBe(0)
  })
})
