import { describe, expect, test } from 'bun:test'
import { BatchSet } from '../../../src/batch/batch-set'
import { BodyPool } from '../../../src/batch/body-pool'

const target = { database: 'db', table: 't' }

describe('BodyPool', () => {
  test('lends a body given back, the smallest that is large enough, and only once', () => {
    const pool = new BodyPool(1 << 20)
    const small = pool.take(1000)
    const large = pool.take(5000)
    expect(small.length).toBeGreaterThanOrEqual(1000)
    pool.give(large)
    pool.give(small)
    pool.give(small)
    expect(pool.heldBytes).toBe(small.buffer.byteLength + large.buffer.byteLength)
    expect(pool.take(900).buffer).toBe(small.buffer)
    expect(pool.take(900).buffer).toBe(large.buffer)
    expect(pool.take(900).buffer).not.toBe(large.buffer)
    expect(pool.heldBytes).toBe(0)
  })

  test('keeps within its cap, preferring large bodies, and ignores views into a buffer', () => {
    const pool = new BodyPool(10_000)
    const a = pool.take(3000)
    const b = pool.take(3000)
    const big = pool.take(6000)
    pool.give(a)
    pool.give(b)
    pool.give(big)
    expect(pool.heldBytes).toBeLessThanOrEqual(10_000)
    expect(pool.take(6000).buffer).toBe(big.buffer)
    pool.give(pool.take(20_000))
    expect(pool.heldBytes).toBeLessThanOrEqual(10_000)
    pool.give(b.subarray(8))
    expect(pool.take(2000).buffer).not.toBe(b.buffer)
  })

  test('a drained batch keeps its body until it is given back; then the next batch reuses it', () => {
    const pool = new BodyPool(1 << 24)
    const set = new BatchSet(
      { max_rows: 2, max_bytes: 1 << 20, max_interval_ms: 1e9 },
      { bodies: pool },
    )
    const add = (offset: number) => set.add(target, 1, `{"id":${offset}}`, 'events', 0, offset, 0)
    add(1)
    const [first] = add(2)
    expect(first!.rows.text(0)).toBe('{"id":1}')
    add(3)
    const [second] = add(4)
    expect(second!.rows.body.buffer).not.toBe(first!.rows.body.buffer)
    expect([first!.rows.text(0), first!.rows.text(1)]).toEqual(['{"id":1}', '{"id":2}'])
    pool.give(first!.rows.body)
    add(5)
    const [third] = add(6)
    expect(third!.rows.body.buffer).toBe(first!.rows.body.buffer)
    expect([third!.rows.text(0), third!.rows.text(1)]).toEqual(['{"id":5}', '{"id":6}'])
    expect([second!.rows.text(0), second!.rows.text(1)]).toEqual(['{"id":3}', '{"id":4}'])
  })
})
