/**
 * @module tests/integration/doris-sink
 * The Doris sink against the project's Doris test server: big batches land exactly, faults on a
 * fifth of requests never lose or double a row nor reuse a label for other bytes, filtered rows
 * come back rejected, schema, probe and DDL. Never reaches any host but loopback.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createHash } from 'node:crypto'
import type { DrainedBatch } from '../../src/batch/batcher'
import { batchLabel } from '../../src/batch/label'
import { RowBytes } from '../../src/batch/row-bytes'
import { type Clock, systemClock } from '../../src/core/clock'
import { writeBatch } from '../../src/delivery/batch-writer'
import { compileRowEncoder, RowFailure } from '../../src/schema/row-encoder'
import { createDorisSink, type DorisSink } from '../../src/sinks/doris/index'
import type { DorisSinkOptions } from '../../src/sinks/doris/options'
import type { SinkBatch } from '../../src/sinks/sink'
import {
  type DorisServer,
  type FaultPlan,
  type FaultSwitch,
  startDorisServer,
} from '../support/doris-server'

const DB = 'demo'
const PASSWORD = 'pa:ss word'
const never = new AbortController().signal
/** Backoff sleeps of the writer pass at once: the test measures the sink, not the policy. */
const instantClock: Clock = { now: () => Date.now(), sleep: () => Promise.resolve() }

const TYPED_COLUMNS = [
  { name: 'id', type: 'BIGINT', nullable: false },
  { name: 'flag', type: 'BOOLEAN' },
  { name: 'tiny', type: 'TINYINT' },
  { name: 'big', type: 'LARGEINT' },
  { name: 'ratio', type: 'DOUBLE' },
  { name: 'price', type: 'DECIMAL(20,4)' },
  { name: 'day', type: 'DATE' },
  { name: 'ts', type: 'DATETIME(3)' },
  { name: 'code', type: 'CHAR(4)' },
  { name: 'name', type: 'VARCHAR(32)' },
  { name: 'note', type: 'STRING' },
  { name: 'doc', type: 'JSON' },
  { name: 'tags', type: 'ARRAY<INT>' },
  { name: 'attrs', type: 'MAP<VARCHAR(8),INT>' },
]

let server: DorisServer
const sinks: DorisSink[] = []

function openSink(overrides: Partial<DorisSinkOptions> = {}): DorisSink {
  const sink = createDorisSink(
    {
      feUrls: [server.feUrl],
      user: 'root',
      password: PASSWORD,
      database: DB,
      format: 'json',
      requestTimeoutMs: 30_000,
      ...overrides,
    },
    { clock: systemClock },
  )
  sinks.push(sink)
  return sink
}

function drained(table: string, rows: string[], firstOffset: number): DrainedBatch {
  const body = RowBytes.fromStrings(rows)
  const offsets = Float64Array.from(rows, (_, i) => firstOffset + i)
  const partitions = new Int32Array(rows.length)
  const topicIndexes = new Uint16Array(rows.length)
  const target = { database: DB, table }
  return {
    target,
    version: 1,
    rows: body,
    bytes: body.body.length,
    topics: ['events'],
    partitions,
    topicIndexes,
    offsets,
    label: batchLabel('it', target, { topics: ['events'], partitions, topicIndexes, offsets }),
    reason: 'rows',
  }
}

/** A switch without parameters typed so its plan may carry a probability. */
const armPlain = (s: FaultSwitch, plan: FaultPlan) =>
  (s as unknown as FaultSwitch<object>).arm(plan)

const asSinkBatch = (b: DrainedBatch): SinkBatch => b

function idsOf(table: string): number[] {
  return server.rows(DB, table).map((r) => Number(r.id))
}

beforeAll(async () => {
  server = await startDorisServer({ users: { root: PASSWORD } })
  server.createDatabase(DB)
  server.createTable(DB, 'typed', TYPED_COLUMNS)
  server.createTable(DB, 'parted', [{ name: 'd', type: 'DATE', nullable: false }], {
    partitionColumn: 'd',
    partitions: [{ name: 'p1', lower: '2026-01-01', upper: '2026-02-01' }],
  })
  for (const table of ['big', 'faults', 'filtered']) {
    server.createTable(DB, table, [
      { name: 'id', type: 'BIGINT', nullable: false },
      { name: 'name', type: 'VARCHAR(8)' },
      { name: 'amount', type: 'DECIMAL(12,2)' },
    ])
  }
})

afterAll(async () => {
  await Promise.all(sinks.map((s) => s.close()))
  await server.stop()
})

describe('the Doris sink against the test server', () => {
  test('a 100k-row batch lands exactly, read back row for row', async () => {
    const rows = Array.from({ length: 100_000 }, (_, i) =>
      JSON.stringify({ id: i, name: `n${i % 1000}`, amount: `${i}.25` }),
    )
    const sink = openSink()
    const started = performance.now()
    const verdict = await sink.send(asSinkBatch(drained('big', rows, 0)), never)
    const ms = performance.now() - started
    console.log(
      `100k rows (${(rows.join('\n').length / 1e6).toFixed(1)} MB) in ${ms.toFixed(0)} ms`,
    )
    expect(verdict).toEqual({ kind: 'ok' })
    const landed = server.rows(DB, 'big')
    expect(landed.length).toBe(100_000)
    expect(landed.map((r) => Number(r.id))).toEqual(rows.map((_, i) => i))
    expect(String(landed[99_999]!.amount)).toBe('99999.25')
    expect(landed[12_345]!.name).toBe('n345')
  }, 120_000)

  test('faults on a fifth of requests: every row lands once, no label holds other bytes', async () => {
    const sink = openSink()
    const f = server.faults
    // About 15% of FE and 30% of BE requests: a fifth of all load requests, by kind.
    f.feError.arm({ probability: 0.1, only: ['fe_stream_load'] })
    armPlain(f.feReset, { probability: 0.05, only: ['fe_stream_load'] })
    f.beError.arm({ probability: 0.05, only: ['be_stream_load'] })
    armPlain(f.publishTimeout, { probability: 0.05 })
    armPlain(f.labelExists, { probability: 0.05 })
    armPlain(f.tooManyTxns, { probability: 0.04 })
    const sent = new Map<string, string>()
    const resets = ['headers', 'body', 'commit'] as const
    let attempts = 0
    const started = performance.now()
    for (let b = 0; b < 200; b++) {
      f.beReset.arm({ probability: 0.06, after: resets[b % 3]!, only: ['be_stream_load'] })
      const rows = Array.from({ length: 50 }, (_, i) =>
        JSON.stringify({ id: b * 50 + i, name: `b${b}`, amount: i }),
      )
      const batch = drained('faults', rows, b * 50)
      sent.set(batch.label, createHash('sha256').update(batch.rows.body).digest('hex'))
      const outcome = await writeBatch(batch, sink, {
        retry: { max_attempts: 0, initial_backoff_ms: 1, max_backoff_ms: 2 },
        clock: instantClock,
        random: Math.random,
        signal: never,
        onAttempt: () => attempts++,
      })
      expect(outcome).toEqual({ written: 50, rejected: [] })
    }
    const ms = performance.now() - started
    const fired = Object.values(f).reduce((n, s) => n + s.fired, 0)
    for (const s of Object.values(f)) s.disarm()
    const counts = server.counts()
    const loads = counts.fe_stream_load + counts.be_stream_load
    console.log(
      `200 batches: ${attempts} attempts, ${loads} load requests, ${fired} faults, ${(ms / 200).toFixed(1)} ms per batch`,
    )
    expect(fired).toBeGreaterThan(loads * 0.15)
    const ids = idsOf('faults').sort((a, b) => a - b)
    expect(ids).toEqual(Array.from({ length: 10_000 }, (_, i) => i))
    const labels = server.labels(DB)
    for (const [label, hash] of sent) {
      const info = labels.get(label)
      expect(info?.bodyHash).toBe(hash)
      expect(['VISIBLE', 'COMMITTED']).toContain(info!.status)
    }
  }, 300_000)

  test('rows the server filters come back rejected, the rest land', async () => {
    const sink = openSink()
    const rows = Array.from({ length: 20 }, (_, i) =>
      JSON.stringify({ id: i, name: i === 3 || i === 11 ? 'far too long a name' : `ok${i}` }),
    )
    const outcome = await writeBatch(drained('filtered', rows, 0), sink, {
      retry: { max_attempts: 5, initial_backoff_ms: 1, max_backoff_ms: 2 },
      clock: instantClock,
      random: Math.random,
      signal: never,
    })
    expect(outcome.written).toBe(18)
    expect(outcome.rejected.map((r) => r.index)).toEqual([3, 11])
    expect(outcome.rejected[0]!.why).toContain('filtered')
    expect(idsOf('filtered').sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i).filter((i) => i !== 3 && i !== 11),
    )
  })
})

describe('Doris types, CSV, schema, probe and DDL against the test server', () => {
  const messages = [
    {
      id: 1,
      flag: 'true',
      tiny: '-7',
      big: '170141183460469231731687303715884105727',
      ratio: 1.5,
      price: '12345678901234.56785',
      day: '2026-11-23T23:30:00Z',
      ts: '2026-11-23T10:00:00.123456+02:00',
      code: 'ab',
      name: 'comma, "quote"\nnew line \\ back',
      note: '\\N',
      doc: { a: [1, { b: null }], s: 'x,y' },
      tags: [1, null, 3],
      attrs: { k1: 1, 'k,2': 2 },
    },
    { id: 2, name: 'ünïcødé 🚀', note: null, doc: 'plain' },
  ]

  async function roundTrip(
    format: 'json' | 'csv',
    table: string,
  ): Promise<Record<string, unknown>[]> {
    server.createTable(DB, table, TYPED_COLUMNS)
    const sink = openSink({ format })
    const columns = await sink.describe({ database: DB, table }, never)
    expect(columns).not.toBeNull()
    const encoder = compileRowEncoder(
      { target: { database: DB, table }, version: 1, columns: columns! },
      { timezone: 'Asia/Tokyo', dialect: 'doris' },
    )
    const rows = messages.map((m) => {
      const row = encoder.encode(m)
      if (row instanceof RowFailure) throw new Error(row.detail)
      return row
    })
    expect(await sink.send(asSinkBatch(drained(table, rows, 0)), never)).toEqual({ kind: 'ok' })
    return server.rows(DB, table)
  }

  for (const format of ['json', 'csv'] as const) {
    test(`every type lands with its exact value through ${format}`, async () => {
      const [first, second] = await roundTrip(format, `typed_${format}`)
      expect(String(first!.big)).toBe('170141183460469231731687303715884105727')
      expect(String(first!.price)).toBe('12345678901234.5678')
      expect(first!.flag).toBe(true)
      expect(Number(first!.tiny)).toBe(-7)
      // 23:30 UTC is the next day in Tokyo; 10:00+02:00 is 17:00 there.
      expect(String(first!.day)).toBe('2026-11-24')
      expect(String(first!.ts)).toBe('2026-11-23 17:00:00.123')
      expect(first!.name).toBe('comma, "quote"\nnew line \\ back')
      expect(first!.note).toBe('\\N')
      expect(first!.doc).toEqual({ a: [1, { b: null }], s: 'x,y' })
      expect(first!.tags).toEqual([1, null, 3])
      expect(first!.attrs).toEqual({ k1: 1, 'k,2': 2 })
      expect(second!.name).toBe('ünïcødé 🚀')
      expect(second!.note).toBeNull()
      expect(second!.doc).toBe('plain')
    })
  }

  test('the schema read gives Doris type text with nullability, and null for no table', async () => {
    const sink = openSink()
    const columns = await sink.describe({ database: DB, table: 'typed' }, never)
    expect(columns?.map((c) => c.type)).toEqual([
      'BIGINT',
      'BOOLEAN NULL',
      'TINYINT NULL',
      'LARGEINT NULL',
      'DOUBLE NULL',
      'DECIMAL(20,4) NULL',
      'DATE NULL',
      'DATETIME(3) NULL',
      'CHAR(4) NULL',
      'VARCHAR(32) NULL',
      'STRING NULL',
      'JSON NULL',
      // information_schema spells nested types in lower case, as Doris does.
      'array<int> NULL',
      'map<varchar(8),int> NULL',
    ])
    expect(await sink.describe({ database: DB, table: 'nope' }, never)).toBeNull()
    expect(await sink.describe({ database: 'nodb', table: 'nope' }, never)).toBeNull()
  })

  test('the probe passes with the right password and fails with a wrong one', async () => {
    expect((await openSink().probe(never)).ok).toBe(true)
    const wrong = await openSink({ password: 'wrong' }).probe(never)
    expect(wrong.ok).toBe(false)
    expect(wrong.detail).toContain('401')
    expect(wrong.detail).not.toContain('wrong')
  })

  test('the probe fails when no FE answers', async () => {
    const dead = await openSink({ feUrls: ['http://127.0.0.1:1'], requestTimeoutMs: 2000 }).probe(
      never,
    )
    expect(dead.ok).toBe(false)
  })

  test('loads go on through the FE that answers when another is down', async () => {
    server.createTable(DB, 'two_fe', [{ name: 'id', type: 'BIGINT', nullable: false }])
    const sink = openSink({ feUrls: ['http://127.0.0.1:1', server.feUrl] })
    for (let b = 0; b < 4; b++) {
      const verdict = await sink.send(drained('two_fe', [`{"id":${b}}`], b), never)
      expect(verdict).toEqual({ kind: 'ok' })
    }
    expect(idsOf('two_fe').sort()).toEqual([0, 1, 2, 3])
  })

  test('DDL runs through the SQL API; a repeat is a duplicate, a wrong statement a reject', async () => {
    const sink = openSink()
    const add = `ALTER TABLE \`${DB}\`.\`parted\` ADD PARTITION p2 VALUES [("2026-02-01"), ("2026-03-01"))`
    expect(await sink.runDdl(add, never)).toEqual({ kind: 'ok' })
    expect(server.statements()).toContain(add)
    expect(await sink.runDdl(add, never)).toEqual({ kind: 'duplicate' })
    const bad = await sink.runDdl(`ALTER TABLE \`${DB}\`.\`parted\` DROP PARTITION p9`, never)
    expect(bad.kind).toBe('reject')
  })

  test('addColumn adds a NULL column of each dynamic kind; a second adder hears duplicate; rows load into it', async () => {
    server.createTable(DB, 'dynamic', [{ name: 'id', type: 'BIGINT', nullable: false }])
    const [one, two] = [openSink(), openSink()]
    const target = { database: DB, table: 'dynamic' }
    const kinds = ['int', 'float', 'bool', 'string', 'json'] as const
    for (const kind of kinds) {
      const column = { name: `c_${kind}`, kind }
      const verdicts = await Promise.all([
        one.addColumn(target, column, never),
        two.addColumn(target, column, never),
      ])
      expect(verdicts.map((v) => v.kind).sort()).toEqual(['duplicate', 'ok'])
    }
    const columns = await one.describe(target, never)
    expect(columns?.map((c) => `${c.name} ${c.type}`)).toEqual([
      'id BIGINT',
      'c_int BIGINT NULL',
      'c_float DOUBLE NULL',
      'c_bool BOOLEAN NULL',
      'c_string STRING NULL',
      'c_json STRING NULL',
    ])
    const encoder = compileRowEncoder(
      { target, version: 2, columns: columns! },
      { timezone: 'UTC', dialect: 'doris' },
    )
    const row = encoder.encode({
      id: 1,
      c_int: -5,
      c_float: 2.5,
      c_bool: true,
      c_string: 'é',
      c_json: { a: [1] },
    })
    if (row instanceof RowFailure) throw new Error(row.detail)
    expect(await one.send(asSinkBatch(drained('dynamic', [row], 0)), never)).toEqual({ kind: 'ok' })
    expect(server.rows(DB, 'dynamic')).toEqual([
      { id: 1, c_int: -5, c_float: 2.5, c_bool: true, c_string: 'é', c_json: '{"a":[1]}' },
    ])
  })
})
