/**
 * Issue 8 end to end: the compiled binary, a real Kafka and a real ClickHouse 18.16. Fifty tenants
 * share one topic (6 partitions) and are routed to fifty tables by `events_${tenant}`; midway
 * through the stream some tenants start sending new keys (ints, floats, strings, bools, objects)
 * that dynamic schema turns into columns. Each table must end with exactly its own tenant's rows,
 * the new columns holding the right values (NULL before the key appeared), and no other table
 * touched by another tenant's keys. Then two binaries in one group meeting the same new keys at
 * once: whoever adds a column second hears "already exists" (or finds it already there), and
 * both go on.
 */
import { beforeAll, describe, expect, test } from 'bun:test'
import type { ClickHouseServer } from '../support/clickhouse-server'
import type { KafkaBroker } from '../support/kafka-broker'
import { sharedClickHouse, sharedKafka } from '../support/shared-services'
import { startSinker } from '../support/sinker-process'

const TENANTS = 50
const PHASE1_PER_TENANT = 100
const PHASE2_PER_TENANT = 200
/** From this message of phase 2 on, a dynamic tenant sends its new keys. */
const KEYS_FROM = 50

let kafka: KafkaBroker
let ch: ClickHouseServer

beforeAll(async () => {
  ;[kafka, ch] = await Promise.all([sharedKafka(), sharedClickHouse()])
})

const tenantName = (t: number) => `t${String(t).padStart(2, '0')}`

/** The new keys tenant t sends with message `id` (its k-th of phase 2), by tenant. */
function newKeys(t: number, id: number, k: number): Record<string, unknown> {
  if (k < KEYS_FROM) return {}
  switch (t) {
    case 0:
      return { n_int: id * 3 - 20_000 }
    case 1:
      return { n_float: id + 0.25 }
    case 2:
      return { n_str: `s-${id}-é` }
    case 3:
      return { n_bool: id % 2 === 0 }
    case 4:
      return { n_obj: { a: id, b: [id, 'x'] } }
    case 5:
      // Two new columns in one message.
      return { n_int: id, n_str: `five-${id}` }
    case 6:
      // Two changes: a float first, an object later.
      return k < 120 ? { n_float: id / 4 + 0.5 } : { n_float: 1.5, n_obj: [id] }
    case 7:
    case 8:
    case 9:
      // The key comes and goes: the messages without it get NULL.
      return k % 3 === 0 ? { n_int: -id } : {}
    default:
      return {}
  }
}

/** The new columns each table must end with, and their ClickHouse types. */
const EXPECTED_COLUMNS: Record<number, Record<string, string>> = {
  0: { n_int: 'Nullable(Int64)' },
  1: { n_float: 'Nullable(Float64)' },
  2: { n_str: 'Nullable(String)' },
  3: { n_bool: 'Nullable(UInt8)' },
  4: { n_obj: 'Nullable(String)' },
  5: { n_int: 'Nullable(Int64)', n_str: 'Nullable(String)' },
  6: { n_float: 'Nullable(Float64)', n_obj: 'Nullable(String)' },
  7: { n_int: 'Nullable(Int64)' },
  8: { n_int: 'Nullable(Int64)' },
  9: { n_int: 'Nullable(Int64)' },
}

/** A value as ClickHouse prints it in TSV (\N for NULL). */
function tsv(v: unknown): string {
  if (v === undefined || v === null) return '\\N'
  if (typeof v === 'boolean') return v ? '1' : '0'
  if (typeof v === 'object') return JSON.stringify(v)
  return String(v)
}

interface Sent {
  id: number
  tenant: number
  value: Record<string, unknown>
}

function messages(phase: 1 | 2, firstId: number): Sent[] {
  const per = phase === 1 ? PHASE1_PER_TENANT : PHASE2_PER_TENANT
  const out: Sent[] = []
  let id = firstId
  // Tenants interleaved message by message, as one shared topic carries them.
  for (let k = 0; k < per; k++) {
    for (let t = 0; t < TENANTS; t++) {
      const extra = phase === 2 ? newKeys(t, id, k) : {}
      out.push({ id, tenant: t, value: { id, tenant: tenantName(t), seq: k, ...extra } })
      id++
    }
  }
  return out
}

/** One dynamic-schema route over the topic: `events_${tenant}` tables of `db`. */
function sinkerYaml(listen: string, topic: string, db: string): string {
  return `kafka:
  brokers: ["${kafka.brokers}"]
  group_id: g_${topic}
  topics: ["${topic}"]
  start_from: earliest
  rdkafka: { session.timeout.ms: 6000, heartbeat.interval.ms: 500 }
sink:
  type: clickhouse
  clickhouse: { url: "${ch.url}", database: ${db} }
tables:
  - topic: "${topic}"
    table: "events_\${tenant}"
    dynamic_schema: { enabled: true }
batch: { max_rows: 2000, max_interval_ms: 300 }
delivery: { shutdown_timeout_ms: 10000, retry: { initial_backoff_ms: 100, max_backoff_ms: 1000 } }
server: { listen: "${listen}" }
log: { level: info }
`
}

describe('fifty tenants, one topic, dynamic schema', () => {
  test('each table holds exactly its tenant rows, new keys become columns with the right values', async () => {
    const db = `mt_${process.pid}`
    const topic = `mt.${process.pid}`
    await ch.query(`CREATE DATABASE IF NOT EXISTS ${db}`)
    for (let t = 0; t < TENANTS; t++) {
      await ch.query(
        `CREATE TABLE ${db}.events_${tenantName(t)} (id UInt64, tenant String, seq UInt32) ENGINE = MergeTree ORDER BY id`,
      )
    }
    await kafka.createTopic(topic, 6)
    const phase1 = messages(1, 1)
    const phase2 = messages(2, phase1.length + 1)
    const all = [...phase1, ...phase2]
    const produce = (list: Sent[]) =>
      kafka.produce(
        topic,
        list.map((s) => ({ value: JSON.stringify(s.value) })),
      )
    await produce(phase1)
    const s = await startSinker((listen) => sinkerYaml(listen, topic, db))
    const total = async () => {
      const tables = Array.from(
        { length: TENANTS },
        (_, t) => `SELECT count() AS c FROM ${db}.events_${tenantName(t)}`,
      )
      return Number((await ch.query(`SELECT sum(c) FROM (${tables.join(' UNION ALL ')})`)).trim())
    }
    await s.waitFor(async () => (await total()) >= phase1.length, 120_000, 'phase 1 rows')
    // The new keys arrive while the pipeline runs, with the tables already holding rows.
    await produce(phase2)
    await s.waitFor(async () => (await total()) >= all.length, 180_000, 'all rows')
    const metrics = (await s.get('/metrics')).text
    expect(await s.stop()).toBe(0)
    expect(await total()).toBe(all.length)

    for (let t = 0; t < TENANTS; t++) {
      const table = `${db}.events_${tenantName(t)}`
      const mine = all.filter((m) => m.tenant === t)
      const ids = mine.map((m) => m.id)
      const xor = ids.reduce((a, b) => a ^ b, 0)
      const sum = ids.reduce((a, b) => a + b, 0)
      // Exactly this tenant's rows: count, distinct ids, sum and xor of ids, one tenant value.
      expect(
        (
          await ch.query(
            `SELECT count(), uniqExact(id), sum(id), groupBitXor(id), uniqExact(tenant), any(tenant) FROM ${table} FORMAT TSV`,
          )
        ).trim(),
      ).toBe(`${mine.length}\t${mine.length}\t${sum}\t${xor}\t1\t${tenantName(t)}`)
      const described = (await ch.query(`DESCRIBE TABLE ${table} FORMAT TSV`))
        .trim()
        .split('\n')
        .map((line) => line.split('\t').slice(0, 2).join(' '))
      const extra = EXPECTED_COLUMNS[t] ?? {}
      expect(described.sort()).toEqual(
        [
          'id UInt64',
          'tenant String',
          'seq UInt32',
          ...Object.entries(extra).map(([n, ty]) => `${n} ${ty}`),
        ].sort(),
      )
      const names = Object.keys(extra).sort()
      if (names.length === 0) continue
      // Every row, with the value its own message carried in each new column (NULL without it).
      const rows = (
        await ch.query(`SELECT id, ${names.join(', ')} FROM ${table} ORDER BY id FORMAT TSV`)
      ).trim()
      const expected = mine
        .map((m) => [m.id, ...names.map((n) => tsv(m.value[n]))].join('\t'))
        .join('\n')
      expect(rows).toBe(expected)
    }

    // One schema change per column added, counted under its table.
    let changes = 0
    for (const [t, cols] of Object.entries(EXPECTED_COLUMNS)) {
      const n = Object.keys(cols).length
      expect(metrics).toContain(
        `sinker_schema_changes_total{table="${db}.events_${tenantName(Number(t))}"} ${n}`,
      )
      changes += n
    }
    const counted = [...metrics.matchAll(/^sinker_schema_changes_total\{[^}]*\} (\d+)$/gm)]
    expect(counted.reduce((a, m) => a + Number(m[1]), 0)).toBe(changes)
    expect(changes).toBe(12)
  }, 600_000)

  test('two sinkers in one group add the same columns at once: both succeed, each column counted once', async () => {
    const db = `mt2_${process.pid}`
    const topic = `mt2.${process.pid}`
    const tenants = 6
    await ch.query(`CREATE DATABASE IF NOT EXISTS ${db}`)
    for (let t = 0; t < tenants; t++) {
      await ch.query(
        `CREATE TABLE ${db}.events_${tenantName(t)} (id UInt64, tenant String, seq UInt32) ENGINE = MergeTree ORDER BY id`,
      )
    }
    await kafka.createTopic(topic, 6)
    const a = await startSinker((listen) => sinkerYaml(listen, topic, db))
    const b = await startSinker((listen) => sinkerYaml(listen, topic, db))
    const partitionsOf = async (s: typeof a) => {
      const status = await s.get('/status')
      if (status.status !== 200) return 0
      return (JSON.parse(status.text) as { partitions: unknown[] }).partitions.length
    }
    // Both members hold partitions before any message exists: no rebalance during the data.
    await a.waitFor(
      async () => {
        const [na, nb] = [await partitionsOf(a), await partitionsOf(b)]
        return na > 0 && nb > 0 && na + nb === 6
      },
      60_000,
      'both members assigned',
    )
    // Every tenant's messages carry the same three new keys from the first one on, on every
    // partition: both processes meet them at once and both ALTER the same tables.
    const sent: Sent[] = []
    for (let k = 0; k < 300; k++) {
      for (let t = 0; t < tenants; t++) {
        const id = sent.length + 1
        sent.push({
          id,
          tenant: t,
          value: {
            id,
            tenant: tenantName(t),
            seq: k,
            x_int: id * 7,
            x_str: `v${id}`,
            x_obj: { id },
          },
        })
      }
    }
    await kafka.produce(
      topic,
      sent.map((m) => ({ value: JSON.stringify(m.value) })),
    )
    const tables = Array.from({ length: tenants }, (_, t) => `${db}.events_${tenantName(t)}`)
    const count = async () =>
      Number(
        (
          await ch.query(
            `SELECT sum(c) FROM (${tables.map((t) => `SELECT uniqExact(id) AS c FROM ${t}`).join(' UNION ALL ')})`,
          )
        ).trim(),
      )
    await a.waitFor(async () => (await count()) >= sent.length, 180_000, 'all rows')
    const metrics = [(await a.get('/metrics')).text, (await b.get('/metrics')).text]
    expect(await a.stop()).toBe(0)
    expect(await b.stop()).toBe(0)
    for (let t = 0; t < tenants; t++) {
      const described = (await ch.query(`DESCRIBE TABLE ${tables[t]} FORMAT TSV`))
        .trim()
        .split('\n')
        .map((line) => line.split('\t').slice(0, 2).join(' '))
      expect(described.slice(0, 3)).toEqual(['id UInt64', 'tenant String', 'seq UInt32'])
      expect(described.slice(3).sort()).toEqual([
        'x_int Nullable(Int64)',
        'x_obj Nullable(String)',
        'x_str Nullable(String)',
      ])
      // At least once across two members: distinct rows, each with its own message's values.
      const rows = (
        await ch.query(
          `SELECT DISTINCT id, tenant, x_int, x_str, x_obj FROM ${tables[t]} ORDER BY id FORMAT TSV`,
        )
      ).trim()
      const expected = sent
        .filter((m) => m.tenant === t)
        .map((m) =>
          [m.id, tenantName(t), m.id * 7, `v${m.id}`, JSON.stringify({ id: m.id })].join('\t'),
        )
        .join('\n')
      expect(rows).toBe(expected)
    }
    // Each column was added by exactly one of the two; the other heard "already exists".
    let added = 0
    for (const text of metrics) {
      for (const m of text.matchAll(/^sinker_schema_changes_total\{table="([^"]+)"\} (\d+)$/gm)) {
        expect(m[1]!.startsWith(`${db}.events_`)).toBe(true)
        added += Number(m[2])
      }
    }
    expect(added).toBe(tenants * 3)
    const outcomes = (out: string) =>
      [...out.matchAll(/"event":"column_added".*?"outcome":"(\w+)"/g)].map((m) => m[1])
    const all = [...outcomes(a.output()), ...outcomes(b.output())]
    // Whichever member came second either heard 18.16's Code 44 "already exists" (taken as
    // success) or had already re-read the table: how often each happens is timing, so only the
    // outcome is asserted here; the race itself is forced in dynamic-columns.test.ts.
    expect(all.filter((o) => o === 'added')).toHaveLength(tenants * 3)
    expect(all.every((o) => o === 'added' || o === 'exists')).toBe(true)
  }, 600_000)
})
