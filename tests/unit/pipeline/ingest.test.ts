import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { BatchSet } from '../../../src/batch/batch-set'
import type { DrainedBatch } from '../../../src/batch/batcher'
import { systemClock } from '../../../src/core/clock'
import { decodeJson } from '../../../src/decode/decode-json'
import { OffsetTracker } from '../../../src/delivery/offset-tracker'
import { createMetrics } from '../../../src/metrics/metrics'
import { type IngestDeps, ingest, released } from '../../../src/pipeline/ingest'
import { ParkedMessages } from '../../../src/pipeline/parked'
import { TargetRegistry } from '../../../src/pipeline/targets'
import { Router } from '../../../src/route/router'
import { compileRowEncoder } from '../../../src/schema/row-encoder'
import type { ColumnDef } from '../../../src/schema/table-schema'
import type { Sink } from '../../../src/sinks/sink'
import { packBatch, type TestMessage } from '../../support/packed'
import { ALL_TYPES, eventText } from '../schema/fast/fast-schema'

const DEMO: ColumnDef[] = [
  ['id', 'UInt64'],
  ['ts', 'DateTime'],
  ['user_id', 'UInt32'],
  ['session', 'UUID'],
  ['event', 'String'],
  ['url', 'String'],
  ['country', 'FixedString(2)'],
  ['amount', 'Decimal(12, 2)'],
  ['duration_ms', 'UInt32'],
  ['tags', 'Array(String)'],
  ['meta', 'String'],
].map(([name, type]) => ({ name: name!, type: type!, defaultKind: '' as const }))

function setup(columns: ColumnDef[], timezone = 'Europe/Berlin', maxRows = 1_000_000) {
  const sink = { describe: () => Promise.resolve(columns) } as unknown as Sink
  const tracker = new OffsetTracker()
  for (const p of [0, 1]) tracker.assign('events', p)
  const deps: IngestDeps = {
    tracker,
    router: new Router([{ topic: 'events', table: 'events', database: 'db' }], 'db'),
    targets: new TargetRegistry({
      sink,
      clock: systemClock,
      describeTimeoutMs: 1000,
      retry: { initial_backoff_ms: 1, max_backoff_ms: 1 },
      compile: (snapshot, tz) => compileRowEncoder(snapshot, { timezone: tz }),
      onTrouble: () => undefined,
    }),
    batches: new BatchSet({ max_rows: maxRows, max_bytes: 1e9, max_interval_ms: 1e9 }),
    parked: new ParkedMessages(),
    metrics: createMetrics(),
    now: () => 0,
    maxMessageBytes: 1_000_000,
    sinkKind: 'clickhouse',
    loadOptions: () => ({ timezone }),
    isAssigned: (_topic, partition) => partition !== 2,
  }
  return deps
}

const never = new AbortController().signal
const rowsOf = (b: DrainedBatch) => Array.from({ length: b.rows.length }, (_, i) => b.rows.text(i))

/** What the slow path alone makes of each message: its row text or its dead-letter reason. */
function reference(
  columns: ColumnDef[],
  values: readonly (string | Uint8Array)[],
  timezone: string,
) {
  const enc = compileRowEncoder(
    { target: { database: 'db', table: 'events' }, version: 1, columns },
    { timezone },
  )
  return values.map((v) => {
    const bytes = typeof v === 'string' ? new TextEncoder().encode(v) : v
    const d = decodeJson(bytes, 0, bytes.length)
    if (!d.ok) return { reason: d.reason, detail: d.detail }
    try {
      const row = enc.encode(d.value)
      return typeof row === 'string' ? row : { reason: row.reason, detail: row.detail }
    } catch {
      // A slow-path coercer that throws (see the report: far-out epochs into Date in a zone).
      return null
    }
  })
}

/** Ingests the values (one batch, two rounds so the target is loaded for the second). */
async function outcomes(
  columns: ColumnDef[],
  values: readonly (string | Uint8Array)[],
  timezone: string,
) {
  const deps = setup(columns, timezone)
  const messages: TestMessage[] = values.map((value, i) => ({
    topic: 'events',
    partition: i % 2,
    offset: i,
    value,
  }))
  const first = await ingest(packBatch(messages), deps, never)
  // The first round parks while the target loads; the second ingest places it first.
  await deps.targets.load({ database: 'db', table: 'events' }, { timezone }, never)
  const second = await ingest(
    packBatch(messages.map((m) => ({ ...m, offset: m.offset + values.length }))),
    deps,
    never,
  )
  const [batch] = deps.batches.drainAll('shutdown')
  const rows = batch === undefined ? [] : rowsOf(batch)
  const byOffset = new Map<number, unknown>()
  for (const [i, r] of rows.entries()) byOffset.set(batch!.offsets[i]!, r)
  for (const d of [...first.deadLetters, ...second.deadLetters])
    byOffset.set(d.offset, { reason: d.reason, detail: d.detail })
  const firstRound = values.map((_, i) => byOffset.get(i))
  const secondRound = values.map((_, i) => byOffset.get(i + values.length))
  return { firstRound, secondRound, consumed: first.consumed + second.consumed }
}

describe('ingest', () => {
  test('demo events take the fast path and land as the slow path would write them', async () => {
    const values = [
      '{"id":1,"ts":"2026-11-01T00:00:00.123Z","user_id":7,"session":"6BA7B810-9DAD-11D1-80B4-00C04FD430C8","event":"view","url":"/p/1","country":"US","amount":12.30,"duration_ms":5,"tags":["web","new"],"meta":{"ua":"Chrome/131","region":"us-east"}}',
      '{"id":2,"ts":"2026-11-01 01:02:03","amount":0.00,"tags":[],"meta":{}}',
      '{"id":3,"ts":"2026-11-01T00:00:00Z","user_id":-1}',
      'not json',
      '[1]',
    ]
    const expected = reference(DEMO, values, 'Europe/Berlin')
    const { firstRound, secondRound, consumed } = await outcomes(DEMO, values, 'Europe/Berlin')
    expect(firstRound).toEqual(expected)
    expect(secondRound).toEqual(expected)
    expect(consumed).toBe(10)
  })

  test('random events: every row and every dead letter is what the slow path gives', async () => {
    const sample = fc.sample(eventText, { numRuns: 3000, seed: 42 })
    for (const zone of ['UTC', 'America/Sao_Paulo']) {
      const values = sample.filter((v) => reference(ALL_TYPES, [v], zone)[0] !== null)
      expect(values.length).toBeGreaterThan(2500)
      const expected = reference(ALL_TYPES, values, zone)
      const { firstRound, secondRound } = await outcomes(ALL_TYPES, values, zone)
      expect(firstRound).toEqual(expected)
      expect(secondRound).toEqual(expected)
    }
  }, 60_000)

  test('runs of a partition under small batch limits: every row once, in order, within limits', async () => {
    const junk = fc.constantFrom('not json', '[1]', '{"id":"x"}', '{"id":1,"id":2}', '')
    // Mostly events the run lane takes whole, of varied sizes; some it declines.
    const demo = fc
      .tuple(fc.nat(), fc.string({ maxLength: 600 }), fc.boolean())
      .map(
        ([id, url, meta]) =>
          `{"id":${id},"ts":"2026-11-01T00:00:00Z","user_id":7,"session":"6BA7B810-9DAD-11D1-80B4-00C04FD430C8","event":"view","url":${JSON.stringify(url)},"country":"US","amount":12.30,"duration_ms":5,"tags":["web"]${meta ? ',"meta":{"ua":"x"}' : ''}}`,
      )
    const message = fc.oneof(
      { weight: 12, arbitrary: demo },
      { weight: 2, arbitrary: eventText },
      { weight: 1, arbitrary: junk },
    )
    // Partitions come in runs (as a packed batch holds them), of random lengths.
    const runs = fc.array(
      fc.tuple(fc.integer({ min: 0, max: 1 }), fc.array(message, { maxLength: 12 })),
      {
        minLength: 1,
        maxLength: 6,
      },
    )
    const limits = fc.tuple(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1024, max: 4000 }))
    // One registry for all runs: the target is loaded once, each run has its own batches.
    const loaded = setup(DEMO, 'UTC')
    await loaded.targets.load({ database: 'db', table: 'events' }, { timezone: 'UTC' }, never)
    await fc.assert(
      fc.asyncProperty(runs, limits, async (parts, [maxRows, maxBytes]) => {
        const tracker = new OffsetTracker()
        for (const p of [0, 1]) tracker.assign('events', p)
        const batches = new BatchSet({
          max_rows: maxRows,
          max_bytes: maxBytes,
          max_interval_ms: 1e9,
        })
        const deps = { ...loaded, tracker, batches }
        const next = [0, 0]
        const messages: TestMessage[] = parts.flatMap(([partition, values]) =>
          values.map((value) => ({
            topic: 'events',
            partition,
            offset: next[partition]!++,
            value,
          })),
        )
        const expected = reference(
          DEMO,
          messages.map((m) => m.value ?? ''),
          'UTC',
        )
        if (expected.includes(null)) return
        const result = await ingest(packBatch(messages), deps, never)
        const drained = [...result.drained, ...deps.batches.drainAll('shutdown')]
        const seen = new Map<string, unknown>()
        for (const b of drained) {
          expect(b.rows.length).toBeLessThanOrEqual(maxRows)
          if (b.rows.length > 1) expect(b.bytes).toBeLessThanOrEqual(maxBytes)
          const rows = rowsOf(b)
          for (const [i, row] of rows.entries()) {
            const key = `${b.partitions[i]}:${b.offsets[i]}`
            expect(seen.has(key)).toBe(false)
            seen.set(key, row)
            if (i > 0 && b.partitions[i - 1] === b.partitions[i]) {
              expect(b.offsets[i]!).toBeGreaterThan(b.offsets[i - 1]!)
            }
          }
          deps.tracker.ackRows(b)
        }
        for (const d of result.deadLetters) {
          const key = `${d.partition}:${d.offset}`
          expect(seen.has(key)).toBe(false)
          seen.set(key, { reason: d.reason, detail: d.detail })
          deps.tracker.ack(d.topic, d.partition, d.offset)
        }
        expect(messages.map((m) => seen.get(`${m.partition}:${m.offset}`))).toEqual(expected)
        expect(result.consumed).toBe(messages.length)
        for (const p of [0, 1]) {
          expect(deps.tracker.inflight('events', p).messages).toBe(0)
          if (next[p]! > 0) expect(deps.tracker.commitPoint('events', p)).toBe(next[p]!)
        }
      }),
      { numRuns: 300, seed: 7 },
    )
  }, 60_000)

  test('skips revoked partitions and tracks the rest once', async () => {
    const deps = setup(DEMO)
    const messages = [0, 1, 2].map((partition) => ({
      topic: 'events',
      partition,
      offset: 5,
      value: '{"id":1}',
    }))
    const result = await ingest(packBatch(messages), deps, never)
    expect(result.consumed).toBe(2)
    expect(deps.parked.size).toBe(2)
    await deps.targets.load({ database: 'db', table: 'events' }, { timezone: 'UTC' }, never)
    released(deps, never)
    expect(deps.parked.size).toBe(0)
    expect(deps.batches.bufferedRows()).toBe(2)
  })
})
