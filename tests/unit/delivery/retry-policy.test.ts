import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { backoffMs, shouldGiveUp } from '../../../src/delivery/retry-policy'

const opts = { initial_backoff_ms: 500, max_backoff_ms: 30_000 }
const top = () => 0.999_999_999

describe('backoffMs', () => {
  test('the ceiling doubles from the initial backoff up to the maximum', () => {
    expect([1, 2, 3, 4].map((a) => backoffMs(a, opts, top))).toEqual([499, 999, 1999, 3999])
    expect(backoffMs(7, opts, top)).toBe(29_999)
    expect(backoffMs(1000, opts, top)).toBe(29_999)
  })

  test('full jitter: a draw of zero waits zero', () => {
    expect(backoffMs(5, opts, () => 0)).toBe(0)
    expect(backoffMs(2, opts, () => 0.5)).toBe(500)
  })

  test('is a whole number within [0, max) for any attempt and draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.nat(10_000),
        fc.nat(100_000),
        (attempt, draw, initial, max) => {
          const ms = backoffMs(
            attempt,
            { initial_backoff_ms: initial, max_backoff_ms: max },
            () => draw,
          )
          expect(Number.isInteger(ms)).toBe(true)
          expect(ms).toBeGreaterThanOrEqual(0)
          expect(ms).toBeLessThanOrEqual(Math.max(0, max - 1))
        },
      ),
    )
  })
})

describe('shouldGiveUp', () => {
  test('never gives up when max_attempts is 0', () => {
    expect(shouldGiveUp(1_000_000, 0)).toBe(false)
  })

  test('gives up once the attempts made reach max_attempts', () => {
    expect(shouldGiveUp(2, 3)).toBe(false)
    expect(shouldGiveUp(3, 3)).toBe(true)
  })
})
