/**
 * exactly_once through the whole run loop (SPEC §6), with a fake Kafka, a libSQL ledger and a
 * sink that remembers labels the way Doris does: a run that dies with loads unanswered, then a
 * restart that replays its manifests under the same labels, so every row lands exactly once.
 */
import { describe, expect, test } from 'bun:test'
import { parseConfig } from '../../../src/config/load'
import { systemClock } from '../../../src/core/clock'
import { type Ledger, openLedger } from '../../../src/ledger/open'
import type { Check, Sink, SinkBatch, Verdict } from '../../../src/sinks/sink'
import { pipelineOnFakeSource } from '../../support/fake-source'
import { packBatch } from '../../support/packed'

const TOPIC = 'events'

/** What the fake server holds: label → rows, like Doris's label table. */
class LabelServer {
  readonly loads = new Map<string, string[]>()
  readonly attempts: string[] = []
  rows(): string[] {
    return [...this.loads.values()].flat()
  }
}

type Behaviour = 'ok' | 'commit-then-hang' | 'hang'

class LabelSink implements Sink {
  private calls = 0
  constructor(
    private readonly server: LabelServer,
    private readonly behave: (call: number) => Behaviour,
    private readonly dedup: Check = { ok: true, detail: 'labels' },
    readonly kind: 'doris' | 'clickhouse' = 'doris',
  ) {}
  async send(batch: SinkBatch, signal: AbortSignal): Promise<Verdict> {
    this.server.attempts.push(batch.label)
    if (this.server.loads.has(batch.label)) return { kind: 'duplicate' }
    const how = this.behave(++this.calls)
    const rows = Array.from({ length: batch.rows.length }, (_, i) => batch.rows.text(i))
    if (how !== 'hang') this.server.loads.set(batch.label, rows)
    if (how === 'ok') return { kind: 'ok' }
    // The answer never comes: the run dies waiting for it.
    return new Promise<Verdict>((_, reject) =>
      signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
    )
  }
  async describe() {
    return null
  }
  async runDdl(): Promise<Verdict> {
    return { kind: 'ok' }
  }
  async addColumn(): Promise<Verdict> {
    return { kind: 'reject', why: 'the fake adds no columns' }
  }
  async deduplication() {
    return this.dedup
  }
  async probe() {
    return { ok: true, detail: 'fake' }
  }
  async close() {}
}

function config(sinkType: 'doris' | 'clickhouse', maxRows: number) {
  return parseConfig({
    kafka: { brokers: ['127.0.0.1:1'], group_id: 'g', topics: [TOPIC] },
    sink: { type: sinkType },
    tables: [
      {
        topic: TOPIC,
        table: 'events',
        schema: 'manual',
        columns: [{ name: 'id', type: sinkType === 'doris' ? 'BIGINT' : 'UInt64' }],
      },
    ],
    batch: { max_rows: maxRows, max_interval_ms: 20 },
    delivery: {
      guarantee: 'exactly_once',
      shutdown_timeout_ms: 300,
      retry: { initial_backoff_ms: 10, max_backoff_ms: 20 },
    },
  })
}

function run(ledger: Ledger, sink: Sink, sinkType: 'doris' | 'clickhouse' = 'doris', maxRows = 10) {
  const { source, pipeline } = pipelineOnFakeSource({
    config: config(sinkType, maxRows),
    sink,
    ledger: {
      store: ledger.store,
      manifests: ledger.manifests,
      runAction: async () => 'ok' as const,
    },
  })
  return { source, pipeline, done: pipeline.run() }
}

function messages(partition: number, from: number, to: number) {
  const out = []
  for (let o = from; o < to; o++) {
    out.push({ topic: TOPIC, partition, offset: o, value: `{"id":${partition * 1000 + o}}` })
  }
  return out
}

async function until(pred: () => boolean, ms = 5000) {
  const end = Date.now() + ms
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not reached')
    await Bun.sleep(5)
  }
}

const parts = [
  { topic: TOPIC, partition: 0 },
  { topic: TOPIC, partition: 1 },
]
const END = [35, 17]

describe('exactly_once', () => {
  test('a restart replays the stored manifests under their labels: every row lands once', async () => {
    const ledger = await openLedger({ url: ':memory:', actionTimeoutMs: 5000, clock: systemClock })
    const server = new LabelServer()
    // Run 1: two loads answered, the third committed but its answer lost, the rest unanswered.
    const first = run(
      ledger,
      new LabelSink(server, (n) => (n <= 2 ? 'ok' : n === 3 ? 'commit-then-hang' : 'hang')),
    )
    await until(() => first.source.joined)
    first.source.assign(parts)
    first.source.queue.push(packBatch([...messages(0, 0, END[0]!), ...messages(1, 0, END[1]!)]))
    await until(() => server.attempts.length >= 4)
    const labelsOfRun1 = new Set(server.attempts)
    first.pipeline.stop()
    expect(await first.done).toBe(1)
    const committed = [0, 1].map((p) => first.source.lastCommitted(p) ?? 0)

    // Run 2 re-reads from the committed offsets, as Kafka would after a crash, and would cut
    // other batches (7 rows): only the manifests make it send the same ones again.
    const before = server.attempts.length
    const second = run(ledger, new LabelSink(server, () => 'ok'), 'doris', 7)
    await until(() => second.source.joined)
    second.source.assign(parts)
    second.source.queue.push(
      packBatch([...messages(0, committed[0]!, END[0]!), ...messages(1, committed[1]!, END[1]!)]),
    )
    await until(
      () => second.source.lastCommitted(0) === END[0] && second.source.lastCommitted(1) === END[1],
    )
    second.pipeline.stop()
    expect(await second.done).toBe(0)

    const ids = server
      .rows()
      .map((r) => JSON.parse(r).id as number)
      .sort((a, b) => a - b)
    const expected = [...messages(0, 0, END[0]!), ...messages(1, 0, END[1]!)]
      .map((m) => JSON.parse(m.value).id as number)
      .sort((a, b) => a - b)
    expect(ids).toEqual(expected)
    // The batch whose answer was lost went out again under its label, and was dropped as known.
    const replayed = server.attempts.slice(before).filter((l) => labelsOfRun1.has(l))
    expect(replayed.length).toBeGreaterThan(0)
    // Every batch holds one partition's rows.
    for (const rows of server.loads.values()) {
      const p = new Set(rows.map((r) => Math.floor(JSON.parse(r).id / 1000)))
      expect(p.size).toBe(1)
    }
    await ledger.close()
  })

  test('a ClickHouse table that cannot deduplicate is refused with exit 2 before anything is sent', async () => {
    const ledger = await openLedger({ url: ':memory:', actionTimeoutMs: 5000, clock: systemClock })
    const server = new LabelServer()
    const sink = new LabelSink(
      server,
      () => 'ok',
      { ok: false, detail: 'MergeTree keeps repeated inserts' },
      'clickhouse',
    )
    const r = run(ledger, sink, 'clickhouse')
    expect(await r.done).toBe(2)
    expect(server.attempts).toEqual([])
    await ledger.close()
  })
})
