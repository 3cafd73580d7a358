import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { BatchSet, NO_BATCHES } from '../../../src/batch/batch-set'
import type { DrainedBatch } from '../../../src/batch/batcher'
import { RowBytes } from '../../../src/batch/row-bytes'
import { ConfigError } from '../../../src/errors'

const INF = Number.POSITIVE_INFINITY
const events = { database: 'db', table: 'events' }
const users = { database: 'db', table: 'users' }

/** The rows of a batch as text, in order. */
const texts = (b: DrainedBatch) => Array.from({ length: b.rows.length }, (_, i) => b.rows.text(i))

function set(limits: { max_rows?: number; max_bytes?: number; max_interval_ms?: number }) {
  return new BatchSet({ max_rows: INF, max_bytes: INF, max_interval_ms: INF, ...limits })
}

describe('BatchSet', () => {
  test('refuses limits that never flush', () => {
    expect(() => set({})).toThrow(ConfigError)
  })

  test('returns the shared empty list while nothing is due', () => {
    const s = set({ max_rows: 10 })
    expect(s.add(events, 1, 'r', 't', 0, 1, 0)).toBe(NO_BATCHES)
  })

  test('drains a batch when it reaches a limit and evicts the emptied batcher', () => {
    const s = set({ max_rows: 2 })
    s.add(events, 1, 'a', 't', 0, 1, 0)
    const [batch] = s.add(events, 1, 'b', 't', 0, 2, 0)
    expect(texts(batch!)).toEqual(['a', 'b'])
    expect(batch!.rows.body).toEqual(RowBytes.fromStrings(['a', 'b']).body)
    expect(batch!.reason).toBe('rows')
    expect(s.bufferedRows()).toBe(0)
    expect(s.msUntilNextDue(0)).toBe(INF)
  })

  test('keeps one batch per target', () => {
    const s = set({ max_rows: 2 })
    s.add(events, 1, 'e1', 't', 0, 1, 0)
    s.add(users, 1, 'u1', 't', 0, 2, 0)
    const [batch] = s.add(events, 1, 'e2', 't', 0, 3, 0)
    expect(batch!.target).toEqual(events)
    expect(texts(batch!)).toEqual(['e1', 'e2'])
    expect(s.bufferedBytes()).toBe(3)
  })

  test('a row of a newer schema version drains the older batch first', () => {
    const s = set({ max_rows: 2 })
    s.add(events, 1, 'v1', 't', 0, 1, 0)
    const out = s.add(events, 2, 'v2a', 't', 0, 2, 0)
    expect(out.map((b) => [b.version, b.reason, texts(b)])).toEqual([[1, 'schema_change', ['v1']]])
    const [next] = s.add(events, 2, 'v2b', 't', 0, 3, 0)
    expect(next!.version).toBe(2)
    expect(texts(next!)).toEqual(['v2a', 'v2b'])
  })

  test('a row that would overflow max_bytes drains the batch before joining the next one', () => {
    const s = set({ max_bytes: 10 })
    s.add(events, 1, 'aaaaa', 't', 0, 1, 0)
    const out = s.add(events, 1, 'bbbbb', 't', 0, 2, 0)
    expect(out.map((b) => [b.reason, texts(b), b.bytes])).toEqual([['bytes', ['aaaaa'], 6]])
    expect(s.bufferedBytes()).toBe(6)
    expect(texts(s.drainAll('shutdown')[0]!)).toEqual(['bbbbb'])
  })

  test('due drains the batches whose age passed and tells when the next one is due', () => {
    const s = set({ max_interval_ms: 1000 })
    s.add(events, 1, 'e', 't', 0, 1, 100)
    s.add(users, 1, 'u', 't', 0, 2, 600)
    expect(s.msUntilNextDue(700)).toBe(400)
    expect(s.due(1100).map((b) => [b.target.table, b.reason])).toEqual([['events', 'age']])
    expect(s.msUntilNextDue(1100)).toBe(500)
  })

  test('due leaves the batches of targets held back to keep filling', () => {
    const s = set({ max_interval_ms: 1000 })
    s.add(events, 1, 'e1', 't', 0, 1, 100)
    s.add(users, 1, 'u1', 't', 0, 2, 100)
    const held = (key: string) => key.endsWith('.events')
    expect(s.msUntilNextDue(1000, held)).toBe(100)
    expect(s.due(1200, held).map((b) => b.target.table)).toEqual(['users'])
    expect(s.msUntilNextDue(1200, held)).toBe(Number.POSITIVE_INFINITY)
    s.add(events, 1, 'e2', 't', 0, 3, 1300)
    const [batch] = s.due(1400)
    expect(texts(batch!)).toEqual(['e1', 'e2'])
  })

  test('drainAll flushes everything with the given reason', () => {
    const s = set({ max_rows: 5 })
    s.add(events, 1, 'e', 't', 0, 1, 0)
    s.add(users, 1, 'u', 't', 0, 2, 0)
    expect(s.drainAll('shutdown').map((b) => b.reason)).toEqual(['shutdown', 'shutdown'])
    expect(s.bufferedBytes()).toBe(0)
  })

  test('dropPartitions removes revoked partitions by topic name and returns their offsets', () => {
    const s = set({ max_rows: 5 })
    s.add(events, 1, 'a0', 'a', 0, 1, 0)
    s.add(events, 1, 'b0', 'b', 0, 7, 0)
    s.add(users, 1, 'a0u', 'a', 0, 2, 0)
    const dropped = s.dropPartitions((topic, partition) => topic === 'a' && partition === 0)
    expect(dropped).toEqual([
      { topic: 'a', partition: 0, offset: 1 },
      { topic: 'a', partition: 0, offset: 2 },
    ])
    const rest = s.drainAll('shutdown')
    expect(rest.map(texts)).toEqual([['b0']])
    expect(rest[0]!.rows.body).toEqual(RowBytes.fromStrings(['b0']).body)
  })

  test('a row writer writes into the open batch body, and a declined row leaves nothing', () => {
    const s = set({ max_rows: 3 })
    s.add(events, 1, 'slow', 't', 0, 1, 0)
    let b = s.open(events, 1, 8)
    const at = b.writePos
    b.body.set(new TextEncoder().encode('junk'), at)
    b = s.open(events, 1, 8)
    expect(b.writePos).toBe(at)
    b.body.set(new TextEncoder().encode('fast'), at)
    expect(s.commit(b, at + 4, 't', 0, 2, 0)).toBe(NO_BATCHES)
    const [batch] = s.add(events, 1, 'é', 't', 0, 3, 0)
    expect(texts(batch!)).toEqual(['slow', 'fast', 'é'])
    expect(batch!.bytes).toBe(13)
    expect(Array.from(batch!.offsets)).toEqual([1, 2, 3])
  })

  test('a written row that overflows max_bytes moves to the next batch with its bytes', () => {
    const s = set({ max_bytes: 12 })
    s.add(events, 1, 'first-row', 't', 0, 1, 0)
    const b = s.open(events, 1, 16)
    b.body.set(new TextEncoder().encode('second'), b.writePos)
    const out = s.commit(b, b.writePos + 6, 't', 0, 2, 0)
    expect(out.map((x) => [x.reason, texts(x)])).toEqual([['bytes', ['first-row']]])
    expect(texts(s.drainAll('shutdown')[0]!)).toEqual(['second'])
  })

  test('topic indexes are stable per name', () => {
    const s = set({ max_rows: 5 })
    expect([s.topicIndex('x'), s.topicIndex('y'), s.topicIndex('x')]).toEqual([0, 1, 0])
    expect(s.topicName(1)).toBe('y')
  })
})

const action = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      target: fc.nat(2),
      versionStep: fc.nat(8),
      topic: fc.nat(1),
      partition: fc.nat(2),
      bytes: fc.integer({ min: 1, max: 40 }),
      dt: fc.nat(300),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('due' as const), dt: fc.nat(1000) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('drop' as const),
      topic: fc.nat(1),
      partition: fc.nat(2),
    }),
  },
)

describe('BatchSet properties', () => {
  test('batches respect max_rows, hold one target and version, and every offset leaves once', () => {
    const limits = fc.record({
      max_rows: fc.integer({ min: 1, max: 20 }),
      max_bytes: fc.integer({ min: 10, max: 300 }),
      max_interval_ms: fc.integer({ min: 10, max: 2000 }),
    })
    fc.assert(
      fc.property(limits, fc.array(action, { maxLength: 400, size: 'max' }), (lim, actions) => {
        const s = new BatchSet(lim, { labelPrefix: 'p' })
        const versions = [1, 1, 1]
        const nextOffset = new Map<string, number>()
        const added = new Map<string, { target: number; version: number }>()
        const out: string[] = []
        const lastVersion = new Map<string, number>()
        let now = 0
        const take = (batches: readonly DrainedBatch[]) => {
          for (const b of batches) {
            expect(b.rows.length).toBeGreaterThan(0)
            expect(b.rows.length).toBeLessThanOrEqual(lim.max_rows)
            if (b.rows.length > 1) expect(b.bytes).toBeLessThanOrEqual(lim.max_bytes)
            // A newer schema version drains the older one first: versions leave in order.
            expect(b.version).toBeGreaterThanOrEqual(lastVersion.get(b.target.table) ?? 0)
            lastVersion.set(b.target.table, b.version)
            expect(b.bytes).toBe(b.rows.body.length)
            texts(b).forEach((text, i) => {
              const row = text.replace(/\.+$/, '')
              const key = `${b.topics[b.topicIndexes[i]!]}/${b.partitions[i]}/${b.offsets[i]}`
              expect(row).toBe(key)
              const origin = added.get(key)!
              expect(`db.t${origin.target}`).toBe(`${b.target.database}.${b.target.table}`)
              expect(origin.version).toBe(b.version)
              out.push(key)
            })
          }
        }
        for (const a of actions) {
          now += 'dt' in a ? a.dt : 0
          if (a.kind === 'add') {
            // Versions only rise, as a schema registry hands them out; a step of 0 keeps it.
            if (a.versionStep === 0) versions[a.target]!++
            const tp = `t${a.topic}/${a.partition}`
            const offset = nextOffset.get(tp) ?? 0
            nextOffset.set(tp, offset + 1)
            const key = `${tp}/${offset}`
            added.set(key, { target: a.target, version: versions[a.target]! })
            const target = { database: 'db', table: `t${a.target}` }
            take(
              s.add(
                target,
                versions[a.target]!,
                key.padEnd(key.length + a.bytes, '.'),
                `t${a.topic}`,
                a.partition,
                offset,
                now,
              ),
            )
          } else if (a.kind === 'due') take(s.due(now))
          else {
            const dropped = s.dropPartitions((t, p) => t === `t${a.topic}` && p === a.partition)
            for (const d of dropped) out.push(`${d.topic}/${d.partition}/${d.offset}`)
          }
        }
        take(s.drainAll('shutdown'))
        expect(out.length).toBe(added.size)
        expect(new Set(out)).toEqual(new Set(added.keys()))
      }),
      { numRuns: 200 },
    )
  })
})
