/**
 * Rebalance safety with many db keys (issue 8): one topic of 6 partitions routed by `${tenant}`
 * to 500 tables, small batches so that hundreds of targets have batches in flight, and a second
 * binary that joins and leaves the group three times during the run. Every revocation (both
 * binaries) ends within shutdown_timeout_ms plus a margin, both exit 0, each table ends up with
 * exactly its tenant's ids (at least once), and the committed offsets reach the end.
 */
import { beforeAll, describe, expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEMO_TABLE_COLUMNS } from '../../scripts/lib/demo-table'
import { eventsText, tenantName } from '../../scripts/lib/events'
import { forEachLimited } from '../../scripts/lib/keyed-target'
import type { ClickHouseServer } from '../support/clickhouse-server'
import type { KafkaBroker } from '../support/kafka-broker'
import { sharedClickHouse, sharedKafka } from '../support/shared-services'
import {
  type SinkerProcess,
  configYaml as sinkerYaml,
  startSinker,
} from '../support/sinker-process'

const TENANTS = 500
const EVENTS = 150_000
/**
 * The default: 500 targets with 4 MiB in flight are about 1,000 small inserts to flush, and
 * ClickHouse 18.16 on this 2-core machine takes ~130 a second, shared by two binaries.
 */
const SHUTDOWN_TIMEOUT_MS = 30_000
/** A sync commit and the log line after the bounded wait. */
const REVOKE_MARGIN_MS = 3_000
/** What leaving may add to the revocation: librdkafka's close and the group's own round trip. */
const LEAVE_MARGIN_MS = 10_000

let kafka: KafkaBroker
let ch: ClickHouseServer

beforeAll(async () => {
  ;[kafka, ch] = await Promise.all([sharedKafka(), sharedClickHouse()])
})

const q = async (sql: string) => (await ch.query(sql)).trim()

function configYaml(c: { topic: string; group: string; database: string }, listen: string) {
  return sinkerYaml(
    {
      ...c,
      brokers: kafka.brokers,
      clickhouseUrl: ch.url,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a sinker table template, not JS
      table: '"t_${tenant}"',
      batch: '{ max_rows: 200, max_bytes: 1048576, max_interval_ms: 100 }',
      delivery: `{ shutdown_timeout_ms: ${SHUTDOWN_TIMEOUT_MS}, max_inflight_bytes: 4194304, retry: { initial_backoff_ms: 100, max_backoff_ms: 1000 } }`,
    },
    listen,
  )
}

interface RevokeLine {
  ms: number
  partitions: string[]
  in_flight_batches: number
  in_flight_targets: number
  dropped_rows: number
  gave_up_in_flight: boolean
}

/** The process's JSON log lines of one event. */
function logLines<T>(s: SinkerProcess, event: string): T[] {
  return s
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{') && l.includes(`"event":"${event}"`))
    .map((l) => JSON.parse(l) as T)
}

async function offsetsTotal(offsets: Promise<Map<number, number>>): Promise<number> {
  let sum = 0
  for (const v of (await offsets).values()) sum += v
  return sum
}

describe('rebalance with 500 db keys', () => {
  test('a second binary joins and leaves three times under load: bounded revocations, no event lost', async () => {
    const id = `keys_${process.pid}_${Date.now().toString(36)}`
    const c = { topic: `keys.${id}`, group: `g_${id}`, database: id }
    const tables = Array.from({ length: TENANTS }, (_, i) => `t_${tenantName(i + 1)}`)
    await q(`CREATE DATABASE ${c.database}`)
    await forEachLimited(tables, 4, async (t) => {
      await q(
        `CREATE TABLE ${c.database}.${t} (${DEMO_TABLE_COLUMNS}) ENGINE = MergeTree() PARTITION BY toYYYYMMDD(ts) ORDER BY (ts, id)`,
      )
    })
    await kafka.createTopic(c.topic, 6)
    const { text, summary } = eventsText({ count: EVENTS, tenants: TENANTS, seed: 11 })
    const path = join(tmpdir(), `${c.topic}.ndjson`)
    writeFileSync(path, text)
    await kafka.produceFile(c.topic, path)
    const config = (listen: string) => configYaml(c, listen)
    const landed = async () =>
      Number(
        await q(`SELECT sum(rows) FROM system.parts WHERE database = '${c.database}' AND active`),
      )

    const a = await startSinker(config)
    const members: SinkerProcess[] = []
    try {
      await a.waitFor(async () => (await landed()) > 0, 60_000, 'first rows')
      for (let i = 0; i < 3; i++) {
        const b = await startSinker(config)
        members.push(b)
        await b.waitFor(async () => (await b.get('/ready')).status === 200, 60_000, 'second ready')
        // Long enough for b to take partitions and have batches of its own in flight.
        await b.waitFor(
          async () =>
            logLines<{ partitions: string[] }>(b, 'partitions_assigned').some(
              (l) => l.partitions.length > 0,
            ),
          30_000,
          'second member assigned',
        )
        await Bun.sleep(1500)
        const leaving = Date.now()
        const code = await b.stop()
        if (code !== 0) console.error(b.output().slice(-6000))
        expect(code).toBe(0)
        expect(Date.now() - leaving).toBeLessThan(SHUTDOWN_TIMEOUT_MS + LEAVE_MARGIN_MS)
      }
      await a.waitFor(
        async () => (await offsetsTotal(kafka.groupOffsets(c.group, c.topic))) >= EVENTS,
        240_000,
        'committed offsets at the end',
      )
      expect(await a.stop()).toBe(0)
      expect(await offsetsTotal(kafka.groupOffsets(c.group, c.topic))).toBe(
        await offsetsTotal(kafka.endOffsets(c.topic)),
      )

      // Per table: the distinct ids are exactly its tenant's (count and sum), at least once each.
      const rows = await q(
        `SELECT _table, count(), sum(id) FROM (SELECT DISTINCT _table, id FROM merge(${c.database}, '^t_')) GROUP BY _table ORDER BY _table FORMAT TSV`,
      )
      const got = new Map(
        rows
          .split('\n')
          .filter(Boolean)
          .map((l) => {
            const [table, count, sum] = l.split('\t')
            return [table!, `${count}\t${sum}`] as const
          }),
      )
      const perTenant = summary.perTenant!
      const expected = new Map(
        tables
          .map((t, i) => [t, perTenant.counts[i]!, perTenant.sumIds[i]!] as const)
          .filter(([, count]) => count > 0)
          .map(([t, count, sum]) => [t, `${count}\t${sum}`] as const),
      )
      expect(expected.size).toBe(TENANTS)
      expect(got).toEqual(expected)
      expect(Number(await q(`SELECT uniqExact(id) FROM merge(${c.database}, '^t_')`))).toBe(EVENTS)

      // Revocations: a's at each join (eager rebalance), each b's at its leave; all bounded.
      const aRevokes = logLines<RevokeLine>(a, 'partitions_revoked')
      const bRevokes = members.flatMap((b) => logLines<RevokeLine>(b, 'partitions_revoked'))
      expect(aRevokes.length).toBeGreaterThanOrEqual(3)
      expect(bRevokes.length).toBeGreaterThanOrEqual(3)
      expect(logLines(a, 'partitions_assigned').length).toBeGreaterThanOrEqual(4)
      for (const r of [...aRevokes, ...bRevokes]) {
        expect(r.ms).toBeLessThanOrEqual(SHUTDOWN_TIMEOUT_MS + REVOKE_MARGIN_MS)
      }
      // The revocations really waited on batches of many targets in flight.
      const busiest = Math.max(...[...aRevokes, ...bRevokes].map((r) => r.in_flight_targets))
      expect(busiest).toBeGreaterThanOrEqual(100)
      console.log(
        'revocations (ms, in-flight batches, targets, dropped rows, gave up):',
        JSON.stringify(
          [...aRevokes, ...bRevokes].map((r) => [
            r.ms,
            r.in_flight_batches,
            r.in_flight_targets,
            r.dropped_rows,
            r.gave_up_in_flight,
          ]),
        ),
      )
    } finally {
      // A failed assertion must not leave binaries consuming behind the test.
      for (const s of [a, ...members]) if (s.proc.exitCode === null) await s.kill9()
    }
  }, 420_000)
})
