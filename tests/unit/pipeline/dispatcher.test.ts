/**
 * The dispatcher's write slots: at most `concurrency` batches of one target and
 * `totalConcurrency` over all targets at once, started in dispatch order, every offset acked
 * once its batch is written, and settled() waiting only for the batches that match.
 */
import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { BatchSet, type DrainedBatch } from '../../../src/batch/batch-set'
import { BodyPool } from '../../../src/batch/body-pool'
import { systemClock } from '../../../src/core/clock'
import { createDroppingDeadLetter } from '../../../src/deadletter/dead-letter'
import { OffsetTracker } from '../../../src/delivery/offset-tracker'
import { createMetrics } from '../../../src/metrics/metrics'
import { Dispatcher } from '../../../src/pipeline/dispatcher'
import type { Sink, SinkBatch, Verdict } from '../../../src/sinks/sink'

const TOPIC = 'events'

/** A sink whose writes stay open until the test releases them, recording what ran at once. */
class GateSink implements Sink {
  readonly kind = 'clickhouse' as const
  readonly open: Array<{ table: string; release(): void }> = []
  readonly started: string[] = []
  maxTotal = 0
  maxPerTable = 0
  async send(batch: SinkBatch): Promise<Verdict> {
    const table = batch.target.table
    this.started.push(table)
    await new Promise<void>((release) => {
      this.open.push({ table, release })
      this.maxTotal = Math.max(this.maxTotal, this.open.length)
      const same = this.open.filter((o) => o.table === table).length
      this.maxPerTable = Math.max(this.maxPerTable, same)
    })
    return { kind: 'ok' }
  }
  /** Lets the oldest open write of `pick` (modulo the open writes) finish. */
  release(pick: number): void {
    const [o] = this.open.splice(pick % this.open.length, 1)
    o?.release()
  }
  async describe() {
    return null
  }
  async runDdl(): Promise<Verdict> {
    return { kind: 'ok' }
  }
  async addColumn(): Promise<Verdict> {
    return { kind: 'reject', why: 'the gate adds no columns' }
  }
  async deduplication() {
    return { ok: false, detail: 'the gate does not deduplicate' }
  }
  async probe() {
    return { ok: true, detail: 'gate' }
  }
  async close() {}
}

function setup(concurrency: number, totalConcurrency: number, bodies?: BodyPool) {
  const sink = new GateSink()
  const tracker = new OffsetTracker()
  tracker.assign(TOPIC, 0)
  const dispatcher = new Dispatcher({
    sink,
    tracker,
    deadLetter: createDroppingDeadLetter(),
    metrics: createMetrics({ processMetrics: false }),
    clock: systemClock,
    retry: { max_attempts: 0, initial_backoff_ms: 1, max_backoff_ms: 1 },
    concurrency,
    totalConcurrency,
    onVerdict: () => undefined,
    onFatal: (e) => {
      throw e
    },
    onWritten: () => undefined,
    ...(bodies ? { bodies } : {}),
  })
  return { sink, tracker, dispatcher }
}

/** One single-row batch per entry of `tables`, offsets 0.. in order, tracked on partition 0. */
function batches(tables: readonly string[], tracker: OffsetTracker): DrainedBatch[] {
  const set = new BatchSet({ max_rows: 1, max_bytes: 1 << 20, max_interval_ms: 1000 })
  return tables.flatMap((table, offset) => {
    tracker.track(TOPIC, 0, offset, 10)
    return [...set.add({ database: 'd', table }, 1, `{"id":${offset}}`, TOPIC, 0, offset, 0)]
  })
}

const flush = () => Bun.sleep(0)

describe('Dispatcher', () => {
  test('many targets share the total slots; one target never takes more than its own', async () => {
    const { sink, tracker, dispatcher } = setup(2, 8)
    const tables = ['a', 'a', 'a', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']
    for (const b of batches(tables, tracker)) dispatcher.dispatch(b)
    await flush()
    // a, a, then the next targets in dispatch order up to 8; the other two a wait their turn.
    expect(sink.started).toEqual(['a', 'a', 'b', 'c', 'd', 'e', 'f', 'g'])
    expect(['d.a', 'd.b', 'd.h'].map((key) => dispatcher.waiting(key))).toEqual([true, false, true])
    // Waiting for a slot: a (offsets 2, 3) and h, i (10, 11), each one row `{"id":N}\n`.
    expect(dispatcher.queuedBytes()).toBe(9 + 9 + 10 + 10)
    sink.release(0)
    await until(() => sink.started.length === 9)
    expect(sink.started[8]).toBe('a')
    while (sink.open.length > 0 || dispatcher.pending > 0) {
      sink.release(0)
      await flush()
    }
    expect(sink.started.toSorted()).toEqual(tables.toSorted())
    expect(tracker.commitPoint(TOPIC, 0)).toBe(tables.length)
  })

  test('a batch body goes back to the pool only once its write is over', async () => {
    const pool = new BodyPool(1 << 24)
    const { sink, tracker, dispatcher } = setup(1, 1, pool)
    const [batch] = batches(['a'], tracker)
    dispatcher.dispatch(batch!)
    await flush()
    expect(sink.open.length).toBe(1)
    expect(pool.heldBytes).toBe(0)
    sink.release(0)
    await until(() => dispatcher.pending === 0)
    expect(pool.heldBytes).toBe(batch!.rows.body.buffer.byteLength)
    expect(pool.take(1).buffer).toBe(batch!.rows.body.buffer)
  })

  test('settled() waits only for the batches that match', async () => {
    const { sink, tracker, dispatcher } = setup(1, 2)
    for (const b of batches(['a', 'b', 'c'], tracker)) dispatcher.dispatch(b)
    await flush()
    let settled = false
    const wait = dispatcher
      .settled((b) => b.target.table === 'b')
      .then(() => {
        settled = true
      })
    expect(dispatcher.holding((b) => b.target.table !== 'a').map((b) => b.target.table)).toEqual([
      'b',
      'c',
    ])
    sink.release(1) // b
    await wait
    expect(settled).toBe(true)
    expect(sink.open.map((o) => o.table)).toEqual(['a', 'c'])
    sink.release(0)
    sink.release(0)
    await until(() => dispatcher.pending === 0)
  })

  test('under any completion order both limits hold and every batch is written once (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
        async (tables, perTarget, total, picks) => {
          const { sink, tracker, dispatcher } = setup(perTarget, total)
          for (const b of batches(tables, tracker)) dispatcher.dispatch(b)
          let step = 0
          while (dispatcher.pending > 0) {
            await flush()
            sink.release(picks[step++ % picks.length]!)
          }
          expect(sink.maxTotal).toBeLessThanOrEqual(total)
          expect(sink.maxPerTable).toBeLessThanOrEqual(perTarget)
          expect(sink.started.toSorted()).toEqual(tables.toSorted())
          expect(tracker.commitPoint(TOPIC, 0)).toBe(tables.length)
          expect(tracker.inflight(TOPIC, 0).messages).toBe(0)
        },
      ),
      { numRuns: 100 },
    )
  })
})

async function until(pred: () => boolean, ms = 2000) {
  const end = Date.now() + ms
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not reached')
    await Bun.sleep(1)
  }
}
