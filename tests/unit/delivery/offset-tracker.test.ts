import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { OffsetTracker } from '../../../src/delivery/offset-tracker'

// Throughput (offset-tracker.bench.ts beside this file, Bun 1.4.4, 2 cores): 13.8M-21M
// track/ack calls per second, well above the 1-2M the consumer needs.

const T = 'events'

function tracked(offsets: number[], bytes = 10): OffsetTracker {
  const tracker = new OffsetTracker()
  tracker.assign(T, 0)
  for (const o of offsets) tracker.track(T, 0, o, bytes)
  return tracker
}

describe('OffsetTracker commit point', () => {
  test('is null for an assigned partition with nothing tracked', () => {
    expect(tracked([]).commitPoint(T, 0)).toBeNull()
  })

  test('stays at the lowest offset without an outcome', () => {
    const tracker = tracked([5, 6, 7])
    tracker.ack(T, 0, 6)
    expect(tracker.commitPoint(T, 0)).toBe(5)
    tracker.ack(T, 0, 5)
    expect(tracker.commitPoint(T, 0)).toBe(7)
  })

  test('steps over gaps left by compaction and transaction markers', () => {
    const tracker = tracked([5, 6, 9])
    tracker.ackMany(T, 0, [5, 6])
    expect(tracker.commitPoint(T, 0)).toBe(9)
    tracker.ack(T, 0, 9)
    expect(tracker.commitPoint(T, 0)).toBe(10)
  })

  test('is one past the last offset once everything is acked, and stays there', () => {
    const tracker = tracked([0, 1, 2])
    tracker.ackMany(T, 0, [2, 1, 0])
    expect(tracker.commitPoint(T, 0)).toBe(3)
    tracker.track(T, 0, 8, 1)
    expect(tracker.commitPoint(T, 0)).toBe(8)
  })

  test('never passes an abandoned offset', () => {
    const tracker = tracked([1, 2, 3])
    tracker.abandon(T, 0, [2])
    tracker.ackMany(T, 0, [1, 3])
    expect(tracker.commitPoint(T, 0)).toBe(2)
    expect(tracker.unsettled([{ topic: T, partition: 0 }])).toBe(false)
  })

  test('refuses offsets that do not ascend', () => {
    const tracker = tracked([4])
    expect(() => tracker.track(T, 0, 4, 1)).toThrow('must ascend')
  })
})

describe('OffsetTracker acks', () => {
  test('a second ack is harmless and returns false', () => {
    const tracker = tracked([1, 2])
    expect(tracker.ack(T, 0, 2)).toBe(true)
    expect(tracker.ack(T, 0, 2)).toBe(false)
    expect(tracker.commitPoint(T, 0)).toBe(1)
    expect(tracker.inflight(T, 0)).toEqual({ messages: 1, bytes: 10 })
  })

  test('an ack for an untracked offset returns false', () => {
    const tracker = tracked([1, 3])
    expect(tracker.ack(T, 0, 2)).toBe(false)
    expect(tracker.ack(T, 0, 0)).toBe(false)
    expect(tracker.ack(T, 0, 4)).toBe(false)
    expect(tracker.commitPoint(T, 0)).toBe(1)
  })

  test('acks after a revoke are ignored and counted as late', () => {
    const tracker = tracked([1, 2, 3])
    tracker.revoke(T, 0)
    expect(tracker.ack(T, 0, 1)).toBe(false)
    expect(tracker.ackMany(T, 0, [2, 3])).toBe(0)
    expect(tracker.lateAcks).toBe(3)
    expect(tracker.commitPoint(T, 0)).toBeNull()
    expect(tracker.commitCandidates()).toEqual([])
  })

  test('track on a partition that is not assigned tracks nothing', () => {
    const tracker = new OffsetTracker()
    expect(tracker.track(T, 3, 1, 1)).toBe(false)
    expect(tracker.inflightBytes()).toBe(0)
  })

  test('ackRows acks every row of a batch except the skipped ones', () => {
    const tracker = new OffsetTracker()
    tracker.assign('a', 0)
    tracker.assign('b', 1)
    for (const o of [10, 11]) tracker.track('a', 0, o, 1)
    for (const o of [20, 21]) tracker.track('b', 1, o, 1)
    const rows = {
      topics: ['a', 'b'],
      topicIndexes: new Uint16Array([0, 1, 0, 1]),
      partitions: new Int32Array([0, 1, 0, 1]),
      offsets: new Float64Array([10, 20, 11, 21]),
    }
    expect(tracker.ackRows(rows, new Set([3]))).toBe(3)
    expect(tracker.commitPoint('a', 0)).toBe(12)
    expect(tracker.commitPoint('b', 1)).toBe(21)
  })
})

describe('OffsetTracker.ackRows in runs', () => {
  // Offsets with gaps over two partitions, chunk-spanning; batches are random slices of them in
  // random order, sometimes with untracked offsets and skips: the outcome must equal one ack()
  // per row, in commit points, in-flight figures and counts.
  test('acks exactly what one ack per row would', () => {
    const gaps = fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 2500 })
    const batch = fc.record({
      from: fc.nat(2500),
      length: fc.integer({ min: 0, max: 1500 }),
      stray: fc.boolean(),
      skip: fc.array(fc.nat(1500), { maxLength: 3 }),
      p: fc.nat(1),
    })
    fc.assert(
      fc.property(gaps, fc.array(batch, { maxLength: 8 }), (steps, batches) => {
        const offsets: number[] = []
        let last = 0
        for (const step of steps) {
          last += step
          offsets.push(last)
        }
        const runs = new OffsetTracker()
        const single = new OffsetTracker()
        for (const t of [runs, single]) {
          for (const p of [0, 1]) {
            t.assign(T, p)
            for (const o of offsets) t.track(T, p, o, 3)
          }
        }
        for (const b of batches) {
          const slice = offsets.slice(b.from, b.from + b.length)
          // An offset no window holds (between two tracked ones, or past the last).
          const mid = Math.max(1, slice.length >> 1)
          if (b.stray && slice.length > 0) slice.splice(mid, 0, slice[mid - 1]! + 0.5)
          const rows = {
            topics: [T],
            topicIndexes: new Uint16Array(slice.length),
            partitions: new Int32Array(slice.length).fill(b.p),
            offsets: new Float64Array(slice),
          }
          const skip = new Set(b.skip)
          const expected = slice.filter((o, i) => !skip.has(i) && single.ack(T, b.p, o)).length
          expect(runs.ackRows(rows, skip)).toBe(expected)
          for (const p of [0, 1]) {
            expect(runs.commitPoint(T, p)).toBe(single.commitPoint(T, p))
            expect(runs.inflight(T, p)).toEqual(single.inflight(T, p))
          }
        }
      }),
      { numRuns: 300, seed: 11 },
    )
  })
})

describe('OffsetTracker commits and in-flight figures', () => {
  test('commit candidates are the partitions whose point moved past the last commit', () => {
    const tracker = tracked([1, 2])
    tracker.assign(T, 1)
    tracker.track(T, 1, 7, 1)
    tracker.ack(T, 0, 1)
    expect(tracker.commitCandidates()).toEqual([{ topic: T, partition: 0, offset: 2 }])
    tracker.markCommitted([{ topic: T, partition: 0, offset: 2 }])
    expect(tracker.commitCandidates()).toEqual([])
    tracker.ack(T, 1, 7)
    expect(tracker.commitCandidates()).toEqual([{ topic: T, partition: 1, offset: 8 }])
  })

  test('in-flight messages and bytes are the tracked offsets without an outcome', () => {
    const tracker = new OffsetTracker()
    tracker.assign(T, 0)
    tracker.assign(T, 1)
    tracker.track(T, 0, 1, 100)
    tracker.track(T, 0, 2, 50)
    tracker.track(T, 1, 1, 7)
    tracker.ack(T, 0, 2)
    expect(tracker.inflight(T, 0)).toEqual({ messages: 1, bytes: 100 })
    expect(tracker.inflightBytes()).toBe(107)
    tracker.revoke(T, 1)
    expect(tracker.inflightBytes()).toBe(100)
  })

  test('windows longer than a chunk keep exact figures while acks arrive out of order', () => {
    const offsets = Array.from({ length: 5000 }, (_, i) => i * 2)
    const tracker = tracked(offsets, 3)
    tracker.ackMany(T, 0, offsets.slice(2500))
    expect(tracker.inflight(T, 0)).toEqual({ messages: 2500, bytes: 7500 })
    tracker.ackMany(T, 0, offsets.slice(0, 2499))
    expect(tracker.commitPoint(T, 0)).toBe(4998)
    expect(tracker.inflight(T, 0)).toEqual({ messages: 1, bytes: 3 })
    tracker.ack(T, 0, 4998)
    expect(tracker.commitPoint(T, 0)).toBe(9999)
  })
})

describe('OffsetTracker.whenSettled', () => {
  const tp = [{ topic: T, partition: 0 }]

  test('resolves once every tracked offset has an outcome', async () => {
    const tracker = tracked([1, 2, 3])
    let settled = false
    const wait = tracker.whenSettled(tp, new AbortController().signal).then(() => {
      settled = true
    })
    tracker.ackMany(T, 0, [1, 3])
    await Promise.resolve()
    expect(settled).toBe(false)
    tracker.abandon(T, 0, [2])
    await wait
    expect(settled).toBe(true)
    expect(tracker.commitPoint(T, 0)).toBe(2)
  })

  test('resolves at once for settled or unassigned partitions', async () => {
    const tracker = tracked([1])
    tracker.ack(T, 0, 1)
    const partitions = [...tp, { topic: 'other', partition: 9 }]
    await tracker.whenSettled(partitions, new AbortController().signal)
  })

  test('rejects at once when the signal has already aborted', async () => {
    const tracker = tracked([1])
    await expect(tracker.whenSettled(tp, AbortSignal.abort(new Error('late')))).rejects.toThrow(
      'late',
    )
  })

  test('resolves when the partition is revoked meanwhile', async () => {
    const tracker = tracked([1])
    const wait = tracker.whenSettled(tp, new AbortController().signal)
    tracker.revoke(T, 0)
    await wait
  })

  test('rejects with the abort reason when the deadline passes first', async () => {
    const tracker = tracked([1])
    const controller = new AbortController()
    const wait = tracker.whenSettled(tp, controller.signal)
    controller.abort(new Error('revoke deadline'))
    await expect(wait).rejects.toThrow('revoke deadline')
    expect(tracker.ack(T, 0, 1)).toBe(true)
  })
})

/** The naive reference: every tracked offset of an assigned partition with its state. */
type State = 'pending' | 'acked' | 'abandoned'
interface ModelPartition {
  entries: Map<number, { state: State; bytes: number }>
  last: number
  committed: number
}

const op = fc.oneof(
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('assign' as const), p: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('revoke' as const), p: fc.nat(2) }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('track' as const),
      p: fc.nat(2),
      gap: fc.integer({ min: 1, max: 3 }),
      bytes: fc.nat(1000),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('ack' as const), p: fc.nat(2), pick: fc.nat() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('abandon' as const), p: fc.nat(2), pick: fc.nat() }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('commit' as const) }) },
)

function modelCommitPoint(m: ModelPartition): number | null {
  const open = [...m.entries].filter(([, e]) => e.state !== 'acked').map(([o]) => o)
  if (open.length > 0) return Math.min(...open)
  return m.last < 0 ? null : m.last + 1
}

function pickOffset(m: ModelPartition | undefined, pick: number): number {
  const offsets = m ? [...m.entries.keys()] : []
  // One pick in five is a stray offset, tracked or not.
  if (offsets.length === 0 || pick % 5 === 0) return pick % 40
  return offsets[pick % offsets.length]!
}

function checkAgainstModel(tracker: OffsetTracker, model: Map<number, ModelPartition>): void {
  for (let p = 0; p <= 2; p++) {
    const m = model.get(p)
    const point = tracker.commitPoint(T, p)
    if (m === undefined) {
      expect(point).toBeNull()
      continue
    }
    expect(point).toBe(modelCommitPoint(m))
    for (const [offset, e] of m.entries)
      if (e.state !== 'acked') expect(point!).toBeLessThanOrEqual(offset)
    const pending = [...m.entries.values()].filter((e) => e.state === 'pending')
    const bytes = pending.reduce((sum, e) => sum + e.bytes, 0)
    expect(tracker.inflight(T, p)).toEqual({ messages: pending.length, bytes })
    expect(tracker.unsettled([{ topic: T, partition: p }])).toBe(pending.length > 0)
  }
}

type Op = typeof op extends fc.Arbitrary<infer O> ? O : never

/** Applies one op to the tracker and the model, checking its immediate answer. */
function step(tracker: OffsetTracker, model: Map<number, ModelPartition>, o: Op): void {
  if (o.kind === 'commit') {
    checkCommit(tracker, model)
    return
  }
  const m = model.get(o.p)
  switch (o.kind) {
    case 'assign':
      tracker.assign(T, o.p)
      if (!m) model.set(o.p, { entries: new Map(), last: -1, committed: -1 })
      return
    case 'revoke':
      tracker.revoke(T, o.p)
      model.delete(o.p)
      return
    case 'track': {
      const offset = (m?.last ?? 0) + o.gap
      expect(tracker.track(T, o.p, offset, o.bytes)).toBe(m !== undefined)
      if (!m) return
      if (m.last < 0) m.committed = Math.max(m.committed, offset)
      m.entries.set(offset, { state: 'pending', bytes: o.bytes })
      m.last = offset
      return
    }
    case 'ack': {
      const offset = pickOffset(m, o.pick)
      const e = m?.entries.get(offset)
      expect(tracker.ack(T, o.p, offset)).toBe(e !== undefined && e.state !== 'acked')
      if (e) e.state = 'acked'
      return
    }
    case 'abandon': {
      const offset = pickOffset(m, o.pick)
      const e = m?.entries.get(offset)
      expect(tracker.abandon(T, o.p, [offset])).toBe(e?.state === 'pending' ? 1 : 0)
      if (e?.state === 'pending') e.state = 'abandoned'
    }
  }
}

function checkCommit(tracker: OffsetTracker, model: Map<number, ModelPartition>): void {
  const expected: Array<{ topic: string; partition: number; offset: number }> = []
  for (const [partition, m] of model) {
    const offset = modelCommitPoint(m)
    if (offset !== null && offset > m.committed) expected.push({ topic: T, partition, offset })
  }
  const candidates = tracker.commitCandidates()
  const byPartition = (a: { partition: number }, b: { partition: number }) =>
    a.partition - b.partition
  expect([...candidates].sort(byPartition)).toEqual(expected.sort(byPartition))
  tracker.markCommitted(candidates)
  for (const c of candidates) model.get(c.partition)!.committed = c.offset
}

describe('OffsetTracker against a naive model', () => {
  test('random interleavings never commit past an unacked offset and match the model', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300, size: 'max' }), (ops) => {
        const tracker = new OffsetTracker()
        const model = new Map<number, ModelPartition>()
        let late = 0
        for (const o of ops) {
          if (o.kind === 'ack' && !model.has(o.p)) late++
          step(tracker, model, o)
          checkAgainstModel(tracker, model)
        }
        expect(tracker.lateAcks).toBe(late)
        for (const [p, m] of model) {
          tracker.ackMany(T, p, [...m.entries.keys()])
          expect(tracker.commitPoint(T, p)).toBe(m.last < 0 ? null : m.last + 1)
          expect(tracker.inflight(T, p)).toEqual({ messages: 0, bytes: 0 })
        }
      }),
      { numRuns: 300 },
    )
  })

  test('long windows acked in any order advance to one past the last offset', () => {
    const input = fc
      .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4000 })
      .chain((gaps) =>
        fc.tuple(
          fc.constant(gaps),
          fc.shuffledSubarray(
            gaps.map((_, i) => i),
            { minLength: gaps.length },
          ),
        ),
      )
    fc.assert(
      fc.property(input, ([gaps, order]) => {
        const offsets: number[] = []
        let offset = 100
        for (const gap of gaps) {
          offset += gap
          offsets.push(offset)
        }
        const tracker = tracked(offsets, 1)
        const acked = new Set<number>()
        order.forEach((i, step) => {
          tracker.ack(T, 0, offsets[i]!)
          acked.add(i)
          if (step % 97 !== 0) return
          const firstOpen = offsets.findIndex((_, j) => !acked.has(j))
          const expected = firstOpen < 0 ? offsets.at(-1)! + 1 : offsets[firstOpen]!
          expect(tracker.commitPoint(T, 0)).toBe(expected)
          expect(tracker.inflight(T, 0).messages).toBe(offsets.length - acked.size)
        })
        expect(tracker.commitPoint(T, 0)).toBe(offsets.at(-1)! + 1)
      }),
      { numRuns: 60 },
    )
  })
})
