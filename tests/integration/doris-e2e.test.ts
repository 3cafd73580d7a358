/**
 * The compiled binary writing to the Doris test server (issue 6): events over 6 partitions land
 * exactly once through the FE's redirect to the BE, also with faults on a fifth of the requests,
 * and after kill -9 nothing is lost. Apache Doris itself is not available here (README).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DORIS_DEMO_COLUMNS } from '../../scripts/lib/demo-table'
import { eventsText } from '../../scripts/lib/events'
import { type DorisServer, startDorisServer } from '../support/doris-server'
import type { KafkaBroker } from '../support/kafka-broker'
import { sharedKafka } from '../support/shared-services'
import { startSinker } from '../support/sinker-process'

let kafka: KafkaBroker
let doris: DorisServer
let n = 0
/** The test server's log: one `BE load db.table label=… → status` line per load answered. */
const serverLog: string[] = []

beforeAll(async () => {
  kafka = await sharedKafka()
  doris = await startDorisServer({ timezone: 'UTC', log: (line) => serverLog.push(line) })
  doris.createDatabase('e2e')
})

afterAll(async () => {
  await doris?.stop()
})

function config(topic: string, table: string, listen: string) {
  return `kafka:
  brokers: ["${kafka.brokers}"]
  group_id: g_${table}
  topics: ["${topic}"]
  start_from: earliest
  rdkafka: { session.timeout.ms: 6000 }
sink:
  type: doris
  doris: { fe_urls: ["${doris.feUrl}"], user: root, password: "", database: e2e, format: json, request_timeout_ms: 10000 }
tables:
  - { topic: "${topic}", table: ${table} }
batch: { max_rows: 5000, max_interval_ms: 300 }
delivery: { shutdown_timeout_ms: 10000, retry: { initial_backoff_ms: 50, max_backoff_ms: 500 } }
server: { listen: "${listen}" }
`
}

async function scenario(name: string, count: number) {
  const table = `${name}_${process.pid}_${++n}`
  doris.createTable('e2e', table, DORIS_DEMO_COLUMNS)
  const topic = `doris.${table}`
  await kafka.createTopic(topic, 6)
  const { text, summary } = eventsText({ count, seed: 11 })
  const path = join(tmpdir(), `${topic}.ndjson`)
  writeFileSync(path, text)
  await kafka.produceFile(topic, path)
  return { table, topic, summary }
}

function ids(table: string): number[] {
  return doris.rows('e2e', table).map((r) => Number(r.id))
}

async function run(table: string, topic: string) {
  // startSinker writes the YAML with the listen address it picked when given a function.
  return startSinker((listen: string) => config(topic, table, listen))
}

describe('the compiled binary, Kafka to the Doris test server', () => {
  test('200,000 events over 6 partitions land exactly once through FE redirects', async () => {
    const { table, topic, summary } = await scenario('exact', 200_000)
    const s = await run(table, topic)
    await s.waitFor(async () => ids(table).length >= summary.count, 180_000, 'all rows')
    expect(await s.stop()).toBe(0)
    const got = ids(table)
    expect(got).toHaveLength(summary.count)
    expect(new Set(got).size).toBe(summary.count)
    expect(got.reduce((a, b) => a + b, 0)).toBe(summary.sumIds)
    const row = doris.rows('e2e', table).find((r) => Number(r.id) === 1)!
    expect(String(row.ts)).toMatch(/^2026-11-01 00:00:0\d/)
  }, 300_000)

  test('with faults on a fifth of the requests every event lands exactly once', async () => {
    const { table, topic, summary } = await scenario('faults', 50_000)
    // Counted, not random, so every kind certainly fires: 8 faults among ~20 loads.
    doris.faults.beError.arm({ count: 2 })
    doris.faults.beReset.arm({ count: 2, after: 'commit' })
    doris.faults.publishTimeout.arm({ count: 2 })
    doris.faults.labelExists.arm({ count: 2 })
    try {
      const s = await run(table, topic)
      await s.waitFor(async () => new Set(ids(table)).size >= summary.count, 180_000, 'all rows')
      expect(await s.stop()).toBe(0)
    } finally {
      for (const f of [
        doris.faults.beError,
        doris.faults.beReset,
        doris.faults.publishTimeout,
        doris.faults.labelExists,
      ])
        f.disarm()
    }
    const got = ids(table)
    expect(got).toHaveLength(summary.count)
    expect(new Set(got).size).toBe(summary.count)
    for (const f of [
      doris.faults.beError,
      doris.faults.beReset,
      doris.faults.publishTimeout,
      doris.faults.labelExists,
    ]) {
      expect(f.fired).toBe(2)
    }
  }, 300_000)

  test('kill -9 during loads, then a restart: nothing is lost', async () => {
    const { table, topic, summary } = await scenario('crash', 100_000)
    for (let i = 0; i < 3; i++) {
      const s = await run(table, topic)
      await Bun.sleep(400 + Math.floor(Math.random() * 1500))
      await s.kill9()
    }
    const s = await run(table, topic)
    // Up first (handlers installed, joined), so the stop below is a graceful one.
    await s.waitFor(async () => (await s.get('/ready')).status === 200, 60_000, 'ready')
    await s.waitFor(async () => new Set(ids(table)).size >= summary.count, 180_000, 'every id')
    expect(await s.stop()).toBe(0)
    expect(new Set(ids(table)).size).toBe(summary.count)
  }, 300_000)

  test('exactly_once: kill -9 during loads, then a restart: every event once, replays reuse their labels', async () => {
    const { table, topic, summary } = await scenario('eo_crash', 100_000)
    const ledger = join(tmpdir(), `${table}.ledger.db`)
    const eoConfig = (listen: string) =>
      `${config(topic, table, listen).replace('delivery: {', 'delivery: { guarantee: exactly_once,')}ledger: { url: "file:${ledger}" }\n`
    const loads = (from: number) =>
      serverLog
        .slice(from)
        .map((l) => new RegExp(`^BE load e2e\\.${table} label=(\\S+) → (.+?) `).exec(l))
        .filter((m) => m !== null)
        .map((m) => ({ label: m[1]!, status: m[2]! }))
    const earlier = new Set<string>()
    let reused = 0
    // The first run's first load hangs past its kill, so a recorded, unwritten manifest is
    // certain to be left behind for a replay (later kills land wherever they land).
    doris.faults.beSlow.arm({ count: 1, delayMs: 3000 })
    for (let i = 0; i < 3; i++) {
      const from = serverLog.length
      const s = await startSinker(eoConfig)
      await s.waitFor(async () => ids(table).length > 0 || i > 0, 60_000, 'loads under way')
      await Bun.sleep(300 + Math.floor(Math.random() * 1200))
      await s.kill9()
      for (const l of loads(from)) {
        if (earlier.has(l.label)) reused++
        earlier.add(l.label)
      }
    }
    const from = serverLog.length
    const s = await startSinker(eoConfig)
    await s.waitFor(async () => (await s.get('/ready')).status === 200, 60_000, 'ready')
    await s.waitFor(async () => ids(table).length >= summary.count, 180_000, 'every id')
    expect(await s.stop()).toBe(0)
    for (const l of loads(from)) if (earlier.has(l.label)) reused++
    const got = ids(table)
    // Not one duplicate, although runs died with loads in flight.
    expect(got).toHaveLength(summary.count)
    expect(new Set(got).size).toBe(summary.count)
    expect(got.reduce((a, b) => a + b, 0)).toBe(summary.sumIds)
    // Batches sent before a kill went out again under the same label after the restart.
    expect(reused).toBeGreaterThan(0)
  }, 400_000)

  test('batch tasks: an overwrite truncates the partition once per task, after the earlier batch', async () => {
    const table = `tasks_${process.pid}_${++n}`
    doris.createTable(
      'e2e',
      table,
      [
        { name: 'id', type: 'BIGINT', nullable: false },
        { name: 'part', type: 'INT', nullable: false },
        { name: 'batch', type: 'VARCHAR(16)' },
      ],
      {
        partitionColumn: 'part',
        partitions: [
          { name: 'p1', upper: '2' },
          { name: 'p2', upper: '3' },
        ],
      },
    )
    const topic = `doris.${table}`
    await kafka.createTopic(topic, 6)
    const op = { op_type: 'truncate_table', op_table: table, op_partition: 'p1' }
    const msgs = (from: number, count: number, part: number, headers: Record<string, string>) =>
      Array.from({ length: count }, (_, k) => ({
        value: JSON.stringify({ id: from + k, part, batch: headers.batch_id }),
        partition: k % 6,
        headers,
      }))
    await kafka.produce(topic, msgs(1, 600, 1, { batch_id: 'A', ...op }))
    const ledger = join(tmpdir(), `${table}.ledger.db`)
    const s = await startSinker(
      (listen) => `${config(topic, table, listen)}ledger: { url: "file:${ledger}" }\n`,
    )
    await s.waitFor(async () => ids(table).length >= 600, 60_000, 'batch A')
    await kafka.produce(topic, [
      ...msgs(1001, 600, 1, { batch_id: 'B', overwrite: 'true', ...op }),
      ...msgs(2001, 300, 2, { batch_id: 'C', op_type: 'none', op_table: table }),
    ])
    await s.waitFor(
      async () => ids(table).length === 900 && ids(table).every((id) => id > 1000),
      60_000,
      'B and C only',
    )
    expect(await s.stop()).toBe(0)
    const truncates = doris
      .statements()
      .filter((t) => /TRUNCATE TABLE/i.test(t) && t.includes(table))
    expect(truncates).toHaveLength(2)
    expect(truncates.every((t) => /PARTITION\s*\(?\s*`?p1/i.test(t))).toBe(true)
  }, 180_000)
})
