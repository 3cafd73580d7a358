import { describe, expect, test } from 'bun:test'
import { chainedRunEncoder } from '../../../src/schema/chained-run-encoder'
import {
  RUN_DECLINED,
  RUN_DONE,
  RUN_FULL,
  type RunEncoder,
  type RunInput,
} from '../../../src/schema/run-encoder'

/** Writes one byte per message (its index) unless `declines(i)`; stops like a real encoder. */
function byteEncoder(declines: (i: number) => boolean, calls: number[]): RunEncoder {
  return {
    version: 1,
    usesRouteZone: false,
    encodeRun(_input, _policy, from, to, out, pos, limit, rowEnds) {
      let count = 0
      for (let i = from; i < to; i++) {
        calls.push(i)
        if (declines(i)) return count * 4 + RUN_DECLINED
        out[pos] = i
        pos += 1
        rowEnds[count++] = pos
        if (pos >= limit) return count * 4 + RUN_FULL
      }
      return count * 4 + RUN_DONE
    },
  }
}

const input: RunInput = {
  values: new Uint8Array(0),
  valueEnd: new Uint32Array(0),
  flags: new Uint8Array(0),
  sep: -1,
}
const policy = { declineFlags: 0, maxValueBytes: 100 }

describe('chainedRunEncoder', () => {
  test('a message the primary declines is written by the fallback and the run goes on', () => {
    const primaryCalls: number[] = []
    const fallbackCalls: number[] = []
    const chained = chainedRunEncoder(
      byteEncoder((i) => i % 3 === 1, primaryCalls),
      byteEncoder(() => false, fallbackCalls),
    )
    const out = new Uint8Array(16)
    const rowEnds = new Uint32Array(16)
    const r = chained.encodeRun(input, policy, 0, 7, out, 0, 100, rowEnds)
    expect([Math.floor(r / 4), r & 3]).toEqual([7, RUN_DONE])
    expect([...out.subarray(0, 7)]).toEqual([0, 1, 2, 3, 4, 5, 6])
    expect([...rowEnds.subarray(0, 7)]).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(fallbackCalls).toEqual([1, 4])
  })

  test('stops at a message both decline, and at the limit the fallback reaches', () => {
    const chained = chainedRunEncoder(
      byteEncoder((i) => i >= 2, []),
      byteEncoder((i) => i === 3, []),
    )
    const out = new Uint8Array(16)
    const rowEnds = new Uint32Array(16)
    expect(chained.encodeRun(input, policy, 0, 6, out, 0, 100, rowEnds)).toBe(3 * 4 + RUN_DECLINED)
    expect(chained.encodeRun(input, policy, 0, 6, out, 0, 3, rowEnds)).toBe(3 * 4 + RUN_FULL)
  })

  test('a primary that declines most messages is left out after enough of them', () => {
    const primaryCalls: number[] = []
    const chained = chainedRunEncoder(
      byteEncoder(() => true, primaryCalls),
      byteEncoder(() => false, []),
    )
    const out = new Uint8Array(4096)
    const rowEnds = new Uint32Array(4096)
    const r = chained.encodeRun(input, policy, 0, 3000, out, 0, 1e9, rowEnds)
    expect([Math.floor(r / 4), r & 3]).toEqual([3000, RUN_DONE])
    expect(primaryCalls.length).toBe(1024)
    primaryCalls.length = 0
    chained.encodeRun(input, policy, 0, 10, out, 0, 1e9, rowEnds)
    expect(primaryCalls.length).toBe(0)
  })
})
