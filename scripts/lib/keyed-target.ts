/**
 * @module scripts/lib/keyed-target
 * The bench's many-db-key target: one demo table per tenant (`bench_t01`..), created beforehand
 * over a few keep-alive connections (ClickHouse 18.16 takes one statement per HTTP request). Rows
 * are counted once from `system.parts` (active parts: exact; 0.4-0.8 s with 10,000 tables, so the
 * bench follows progress through the sinker's own metric instead) and ids summed over UNION ALLs
 * of 500 tables: a `merge()` over 10,000 tables did not answer within 90 s on 18.16.
 */
import { type DorisServer, startDorisServer } from '../../tests/support/doris-server'
import { DEMO_TABLE_COLUMNS, DORIS_DEMO_COLUMNS } from './demo-table'
import type { DemoTarget } from './demo-target'
import { tenantName } from './events'
import { clickhouseQuery } from './sinker-run'

const CLICKHOUSE_URL = 'http://127.0.0.1:18123'
/** Statements in flight at once: enough to hide the round trip, few enough for a 2-core box. */
const CREATE_CONCURRENCY = 4
const DROP_TIMEOUT_MS = 600_000
/** Tables per summing query (about 5 ms each on 18.16). */
const SUM_CHUNK = 500
export const KEYED_TABLE_PREFIX = 'bench_'

export interface KeyedTarget extends DemoTarget {
  /** The route's table template. */
  readonly tableTemplate: string
  /** Seconds spent creating the tables (after dropping the previous run's). */
  readonly createSeconds: number
  /** How many of the tables hold at least one row. */
  tablesWithRows(): Promise<number>
  /** Drops what it created; returns the seconds that took. */
  dropAll(): Promise<number>
}

export function keyedTableNames(keys: number): string[] {
  return Array.from({ length: keys }, (_, i) => `${KEYED_TABLE_PREFIX}${tenantName(i + 1)}`)
}

/** Runs `work` for every item with at most `concurrency` at once; rejects on the first error. */
export async function forEachLimited<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T)
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
}

export async function openKeyedTarget(
  sink: 'clickhouse' | 'doris',
  database: string,
  keys: number,
): Promise<KeyedTarget> {
  const names = keyedTableNames(keys)
  return sink === 'doris' ? dorisKeyed(database, names) : clickhouseKeyed(database, names)
}

async function clickhouseKeyed(database: string, names: string[]): Promise<KeyedTarget> {
  const q = (sql: string) => clickhouseQuery(CLICKHOUSE_URL, sql)
  // Dropping 10,000 tables takes ClickHouse 18.16 longer than a query's usual 30 s.
  const drop = () =>
    clickhouseQuery(CLICKHOUSE_URL, `DROP DATABASE IF EXISTS ${database}`, DROP_TIMEOUT_MS)
  const started = performance.now()
  await drop()
  await q(`CREATE DATABASE ${database}`)
  await forEachLimited(names, CREATE_CONCURRENCY, async (name) => {
    await q(
      `CREATE TABLE ${database}.${name} (${DEMO_TABLE_COLUMNS}) ENGINE = MergeTree() PARTITION BY toYYYYMMDD(ts) ORDER BY (ts, id)`,
    )
  })
  const createSeconds = (performance.now() - started) / 1000
  const chunks: string[][] = []
  for (let i = 0; i < names.length; i += SUM_CHUNK) chunks.push(names.slice(i, i + SUM_CHUNK))
  return {
    name: `ClickHouse ${CLICKHOUSE_URL}, ${names.length} tables ${database}.${KEYED_TABLE_PREFIX}*`,
    tableTemplate: `${KEYED_TABLE_PREFIX}\${tenant}`,
    createSeconds,
    env: { SINKER__TABLES__0__DATABASE: database, SINKER__SINK__CLICKHOUSE__DATABASE: database },
    count: async () =>
      Number(
        await q(`SELECT sum(rows) FROM system.parts WHERE database = '${database}' AND active`),
      ),
    async sumIds() {
      let sum = 0n
      await forEachLimited(chunks, 2, async (chunk) => {
        const parts = chunk.map((t) => `SELECT sum(id) AS s FROM ${database}.${t}`)
        // Read the chunk's sum first: `sum += await …` would add to a stale sum.
        const chunkSum = BigInt(await q(`SELECT sum(s) FROM (${parts.join(' UNION ALL ')})`))
        sum += chunkSum
      })
      return String(sum)
    },
    tablesWithRows: async () =>
      Number(
        await q(
          `SELECT uniqExact(table) FROM system.parts WHERE database = '${database}' AND active AND rows > 0`,
        ),
      ),
    close: async () => undefined,
    async dropAll() {
      const t = performance.now()
      await drop()
      return (performance.now() - t) / 1000
    },
  }
}

async function dorisKeyed(database: string, names: string[]): Promise<KeyedTarget> {
  const server: DorisServer = await startDorisServer({ timezone: 'UTC' })
  const started = performance.now()
  server.createDatabase(database)
  for (const name of names) server.createTable(database, name, DORIS_DEMO_COLUMNS)
  const createSeconds = (performance.now() - started) / 1000
  const allRows = () => names.flatMap((name) => server.rows(database, name))
  return {
    name: `the Doris test server ${server.feUrl}, ${names.length} tables`,
    tableTemplate: `${KEYED_TABLE_PREFIX}\${tenant}`,
    createSeconds,
    env: {
      SINKER__SINK__TYPE: 'doris',
      SINKER__SINK__DORIS__FE_URLS: `[${server.feUrl}]`,
      SINKER__SINK__DORIS__DATABASE: database,
      SINKER__TABLES__0__DATABASE: database,
    },
    count: async () => names.reduce((n, name) => n + server.rows(database, name).length, 0),
    sumIds: async () => String(allRows().reduce((s, r) => s + Number(r.id), 0)),
    tablesWithRows: async () =>
      names.filter((name) => server.rows(database, name).length > 0).length,
    close: () => server.stop(),
    dropAll: async () => 0,
  }
}
