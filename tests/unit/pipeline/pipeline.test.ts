/**
 * The run loop with a fake Kafka and a fake sink: commits follow what the sink confirmed, a
 * revocation is bounded even when the sink hangs, retries exhausted mean exit 1 with nothing
 * committed past the failed batch, and a clean stop flushes and commits.
 */
import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { parseConfig } from '../../../src/config/load'
import { systemClock } from '../../../src/core/clock'
import { silentLogger } from '../../../src/log/logger'
import { createMetrics } from '../../../src/metrics/metrics'
import { Pipeline } from '../../../src/pipeline/pipeline'
import type { ColumnDef, TargetRef } from '../../../src/schema/table-schema'
import type { Sink, SinkBatch, Verdict } from '../../../src/sinks/sink'
import { FakeSource, pipelineOnFakeSource } from '../../support/fake-source'
import { packBatch } from '../../support/packed'

const TOPIC = 'events'

function config(over: Record<string, unknown> = {}) {
  return parseConfig({
    kafka: { brokers: ['127.0.0.1:1'], group_id: 'g', topics: [TOPIC] },
    sink: { type: 'clickhouse' },
    tables: [
      {
        topic: TOPIC,
        table: 'events',
        schema: 'manual',
        columns: [{ name: 'id', type: 'UInt64' }],
      },
    ],
    batch: { max_rows: 10, max_interval_ms: 20 },
    delivery: { shutdown_timeout_ms: 300, retry: { initial_backoff_ms: 10, max_backoff_ms: 20 } },
    ...over,
  })
}

class FakeSink implements Sink {
  readonly kind = 'clickhouse' as const
  readonly rows: string[] = []
  constructor(private readonly answer: (b: SinkBatch) => Promise<Verdict>) {}
  async send(batch: SinkBatch, signal: AbortSignal): Promise<Verdict> {
    const v = await this.answer(batch)
    if (signal.aborted) throw signal.reason
    if (v.kind === 'ok')
      for (let i = 0; i < batch.rows.length; i++) this.rows.push(batch.rows.text(i))
    return v
  }
  async describe(_target?: TargetRef): Promise<ColumnDef[] | null> {
    return null
  }
  readonly ddl: string[] = []
  async runDdl(sql: string): Promise<Verdict> {
    this.ddl.push(sql)
    return { kind: 'ok' }
  }
  async addColumn(): Promise<Verdict> {
    return { kind: 'reject', why: 'the fake adds no columns' }
  }
  async probe() {
    return { ok: true, detail: 'fake' }
  }
  dedupAnswer = { ok: true, detail: 'fake dedup' }
  async deduplication() {
    return this.dedupAnswer
  }
  async close() {}
}

/** A sink whose tables exist once their gate opens: describe waits for it. */
class GatedTablesSink extends FakeSink {
  readonly gates = new Map<string, PromiseWithResolvers<void>>()
  override async describe(target?: TargetRef) {
    await this.gates.get(target!.table)?.promise
    return [
      { name: 'id', type: 'UInt64', defaultKind: '' as const },
      { name: 'tenant', type: 'String', defaultKind: '' as const },
    ]
  }
}

function tenantConfig() {
  return {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a sinker route template, not JS
    tables: [{ topic: TOPIC, table: 'events_${tenant}', database: 'db' }],
  }
}

function messages(partition: number, from: number, count: number) {
  return Array.from({ length: count }, (_, k) => ({
    topic: TOPIC,
    partition,
    offset: from + k,
    value: `{"id":${partition * 1000 + from + k}}`,
  }))
}

function setup(sink: FakeSink, over: Record<string, unknown> = {}) {
  const { source, pipeline } = pipelineOnFakeSource({ config: config(over), sink })
  return { source, pipeline }
}

async function until(pred: () => boolean, ms = 3000) {
  const end = Date.now() + ms
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not reached')
    await Bun.sleep(5)
  }
}

describe('Pipeline', () => {
  test('a clean stop flushes every row and commits one past the last offset', async () => {
    const sink = new FakeSink(async () => ({ kind: 'ok' }))
    const { source, pipeline } = setup(sink)
    const done = pipeline.run()
    await until(() => source.joined)
    source.assign([
      { topic: TOPIC, partition: 0 },
      { topic: TOPIC, partition: 1 },
    ])
    source.queue.push(packBatch([...messages(0, 0, 25), ...messages(1, 100, 7)]))
    await until(() => sink.rows.length >= 30)
    pipeline.stop()
    expect(await done).toBe(0)
    expect(sink.rows).toHaveLength(32)
    expect(source.lastCommitted(0)).toBe(25)
    expect(source.lastCommitted(1)).toBe(107)
  })

  test('bad messages are acknowledged as dead letters and do not hold the commit back', async () => {
    const sink = new FakeSink(async () => ({ kind: 'ok' }))
    const { source, pipeline } = setup(sink)
    const done = pipeline.run()
    await until(() => source.joined)
    source.assign([{ topic: TOPIC, partition: 0 }])
    source.queue.push(
      packBatch([
        { topic: TOPIC, partition: 0, offset: 0, value: '{"id":1}' },
        { topic: TOPIC, partition: 0, offset: 1, value: 'not json' },
        { topic: TOPIC, partition: 0, offset: 2, value: '{"id":"x"}' },
        { topic: TOPIC, partition: 0, offset: 3, value: null },
      ]),
    )
    await until(() => source.lastCommitted(0) === 4)
    pipeline.stop()
    expect(await done).toBe(0)
    expect(sink.rows).toEqual(['{"id":1}'])
  })

  test('a revocation with a hung sink finishes within shutdown_timeout_ms and commits nothing unwritten', async () => {
    const sink = new FakeSink(() => new Promise<Verdict>(() => undefined))
    const { source, pipeline } = setup(sink)
    const done = pipeline.run()
    await until(() => source.joined)
    source.assign([{ topic: TOPIC, partition: 0 }])
    source.queue.push(packBatch(messages(0, 0, 10)))
    await Bun.sleep(50)
    const started = Date.now()
    await source.revoke([{ topic: TOPIC, partition: 0 }])
    expect(Date.now() - started).toBeLessThan(1000)
    expect(source.lastCommitted(0)).toBeUndefined()
    pipeline.stop()
    expect(await done).toBe(1)
  })

  test('a table that loads slowly holds only its own rows; they land once it loads, with no new message', async () => {
    const sink = new GatedTablesSink(async () => ({ kind: 'ok' }))
    const gate = Promise.withResolvers<void>()
    sink.gates.set('events_b', gate)
    const { source, pipeline } = setup(sink, tenantConfig())
    const done = pipeline.run()
    await until(() => source.joined)
    source.assign([{ topic: TOPIC, partition: 0 }])
    source.queue.push(
      packBatch(
        Array.from({ length: 20 }, (_, i) => ({
          topic: TOPIC,
          partition: 0,
          offset: i,
          value: JSON.stringify({ id: i, tenant: i % 5 === 2 ? 'b' : 'a' }),
        })),
      ),
    )
    await until(() => sink.rows.length >= 16)
    await Bun.sleep(100)
    expect(sink.rows.every((r) => r.includes('"tenant":"a"'))).toBe(true)
    // Offset 2 (tenant b) is parked: the commit cannot pass it.
    expect(source.lastCommitted(0) ?? 0).toBeLessThanOrEqual(2)
    gate.resolve()
    await until(() => sink.rows.length === 20)
    await until(() => source.lastCommitted(0) === 20)
    const b = sink.rows.filter((r) => r.includes('"tenant":"b"'))
    expect(b).toEqual([2, 7, 12, 17].map((id) => `{"id":${id},"tenant":"b"}`))
    pipeline.stop()
    expect(await done).toBe(0)
  })

  test('messages parked for a table are discarded when their partition is revoked', async () => {
    const sink = new GatedTablesSink(async () => ({ kind: 'ok' }))
    const gate = Promise.withResolvers<void>()
    sink.gates.set('events_b', gate)
    const { source, pipeline } = setup(sink, tenantConfig())
    const done = pipeline.run()
    await until(() => source.joined)
    source.assign([
      { topic: TOPIC, partition: 0 },
      { topic: TOPIC, partition: 1 },
    ])
    source.queue.push(
      packBatch([
        { topic: TOPIC, partition: 0, offset: 0, value: '{"id":1,"tenant":"b"}' },
        { topic: TOPIC, partition: 1, offset: 0, value: '{"id":2,"tenant":"b"}' },
      ]),
    )
    await Bun.sleep(50)
    await source.revoke([{ topic: TOPIC, partition: 1 }])
    gate.resolve()
    await until(() => sink.rows.length >= 1)
    await Bun.sleep(100)
    expect(sink.rows).toEqual(['{"id":1,"tenant":"b"}'])
    pipeline.stop()
    expect(await done).toBe(0)
    expect(source.lastCommitted(0)).toBe(1)
    expect(source.lastCommitted(1)).toBeUndefined()
  })

  test('retries exhausted exit 1 and leave the failed batch uncommitted', async () => {
    let calls = 0
    const sink = new FakeSink(async () => {
      calls++
      return { kind: 'retry', why: 'down' }
    })
    const { source, pipeline } = setup(sink, {
      delivery: {
        shutdown_timeout_ms: 300,
        retry: { max_attempts: 3, initial_backoff_ms: 1, max_backoff_ms: 2 },
      },
    })
    const done = pipeline.run()
    await until(() => source.joined)
    source.assign([{ topic: TOPIC, partition: 0 }])
    source.queue.push(packBatch(messages(0, 0, 10)))
    expect(await done).toBe(1)
    expect(calls).toBe(3)
    expect(source.lastCommitted(0)).toBeUndefined()
  })

  test('a retried write makes the pipeline not ready, with the reason, until it succeeds', async () => {
    let failing = true
    const sink = new FakeSink(async () =>
      failing ? { kind: 'retry', why: 'Code 252 too many parts' } : { kind: 'ok' },
    )
    const { source, pipeline } = setup(sink)
    const done = pipeline.run()
    await until(() => source.joined)
    source.assign([{ topic: TOPIC, partition: 0 }])
    source.queue.push(packBatch(messages(0, 0, 10)))
    await until(() => !pipeline.readiness().ready)
    expect(pipeline.readiness().reasons.join()).toContain('too many parts')
    failing = false
    await until(() => pipeline.readiness().ready)
    pipeline.stop()
    expect(await done).toBe(0)
    expect(source.lastCommitted(0)).toBe(10)
  })
})

test('a value that makes a coercer throw is dead-lettered, and the pipeline goes on', async () => {
  const sink = new FakeSink(async () => ({ kind: 'ok' }))
  const source = new FakeSource()
  const dead: string[] = []
  const pipeline = new Pipeline({
    config: parseConfig({
      kafka: { brokers: ['127.0.0.1:1'], group_id: 'g', topics: [TOPIC] },
      sink: { type: 'clickhouse' },
      tables: [
        {
          topic: TOPIC,
          table: 'events',
          schema: 'manual',
          timezone: 'Europe/Berlin',
          columns: [
            { name: 'id', type: 'UInt64' },
            { name: 'd', type: 'Date' },
          ],
        },
      ],
      batch: { max_rows: 10, max_interval_ms: 20 },
    }),
    createSource: (h) => {
      source.handlers = h
      return source
    },
    sink,
    deadLetter: {
      write: async (records) => {
        for (const r of records) dead.push(r.reason)
      },
      close: async () => undefined,
    },
    clock: systemClock,
    log: silentLogger(),
    metrics: createMetrics({ processMetrics: false }),
  })
  const done = pipeline.run()
  await until(() => source.joined)
  source.assign([{ topic: TOPIC, partition: 0 }])
  source.queue.push(
    packBatch([
      { topic: TOPIC, partition: 0, offset: 0, value: '{"id":1,"d":1e300}' },
      { topic: TOPIC, partition: 0, offset: 1, value: '{"id":2,"d":"2026-11-01"}' },
    ]),
  )
  await until(() => source.lastCommitted(0) === 2)
  pipeline.stop()
  expect(await done).toBe(0)
  expect(dead).toEqual(['type_mismatch'])
  expect(sink.rows).toHaveLength(1)
})

describe('Pipeline in-flight view under many targets and rebalances', () => {
  /** A sink whose writes stay open until released; counts the rows it confirmed per partition. */
  function gateSink() {
    const open: Array<{ rows: string[]; resolve(v: Verdict): void }> = []
    const sink = new FakeSink(
      (b) =>
        new Promise<Verdict>((resolve) => {
          const rows = Array.from({ length: b.rows.length }, (_, i) => b.rows.text(i))
          open.push({ rows, resolve })
        }),
    )
    return { sink, open }
  }

  const op = fc.oneof(
    fc.record({
      kind: fc.constant('push' as const),
      count: fc.integer({ min: 1, max: 30 }),
      seed: fc.nat(),
    }),
    fc.record({ kind: fc.constant('release' as const), count: fc.nat(6), pick: fc.nat() }),
    fc.record({
      kind: fc.constant('rebalance' as const),
      partition: fc.nat(2),
      drain: fc.boolean(),
    }),
  )

  test("the tracker's in-flight view equals consumed minus confirmed rows, per partition (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 8 }), async (ops) => {
        const { sink, open } = gateSink()
        const { source, pipeline } = setup(sink, {
          tables: [
            {
              topic: TOPIC,
              // biome-ignore lint/suspicious/noTemplateCurlyInString: a sinker table template, not JS
              table: 't_${tenant}',
              schema: 'manual',
              columns: [{ name: 'id', type: 'UInt64' }],
            },
          ],
          batch: { max_rows: 3, max_interval_ms: 10 },
        })
        const done = pipeline.run()
        await until(() => source.joined)
        const partitions = [0, 1, 2]
        source.assign(partitions.map((partition) => ({ topic: TOPIC, partition })))
        const next = [0, 0, 0]
        /** Offsets tracked since the partition's last assignment start here. */
        const since = [0, 0, 0]
        const confirmed = [0, 0, 0]
        const release = (pick: number) => {
          const [w] = open.splice(pick % open.length, 1)
          if (!w) return
          for (const row of w.rows) {
            const id = Number(JSON.parse(row).id)
            const p = Math.floor(id / 1e6)
            if (id % 1e6 >= since[p]!) confirmed[p]!++
          }
          w.resolve({ kind: 'ok' })
        }
        const settle = async () => {
          await until(() => source.queue.length === 0)
          await Bun.sleep(30)
        }
        for (const o of ops) {
          if (o.kind === 'push') {
            const msgs = Array.from({ length: o.count }, (_, k) => {
              const p = (o.seed + k) % 3
              const offset = next[p]!++
              const tenant = `k${(o.seed * 7 + k) % 25}`
              return {
                topic: TOPIC,
                partition: p,
                offset,
                value: `{"id":${p * 1e6 + offset},"tenant":"${tenant}"}`,
              }
            })
            source.queue.push(packBatch(msgs))
          } else if (o.kind === 'release') {
            for (let i = 0; i < o.count; i++) release(o.pick + i)
          } else {
            const tp = { topic: TOPIC, partition: o.partition }
            const revoked = source.revoke([tp])
            // Either the writes finish during the revocation, or it gives up at its deadline.
            while (o.drain && source.revocation) {
              release(0)
              await Bun.sleep(2)
            }
            await revoked
            since[o.partition] = next[o.partition]!
            confirmed[o.partition] = 0
            source.assign([tp])
          }
          await settle()
          const status = pipeline.status()
          for (const p of partitions) {
            const entry = status.partitions.find((e) => e.partition === p)
            expect(entry?.inflight_messages).toBe(next[p]! - since[p]! - confirmed[p]!)
          }
        }
        while (open.length > 0) release(0)
        pipeline.stop()
        while ((await Promise.race([done, Bun.sleep(5).then(() => null)])) === null) release(0)
      }),
      { numRuns: 12 },
    )
  }, 60_000)
})
