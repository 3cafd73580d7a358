/**
 * @module scripts/lib/demo-target
 * Where the demo and the bench write: the real ClickHouse of scripts/services, or (with
 * `--sink doris`) the project's Doris Stream Load test server started in this process, since no
 * registry here serves Apache Doris. Each gives the sinker env overrides and a way to count rows.
 */
import { type DorisServer, startDorisServer } from '../../tests/support/doris-server'
import { createDemoTableSql, DORIS_DEMO_COLUMNS } from './demo-table'
import { clickhouseQuery } from './sinker-run'

export interface DemoTarget {
  readonly name: string
  readonly env: Record<string, string>
  count(): Promise<number>
  sumIds(): Promise<string>
  close(): Promise<void>
}

const CLICKHOUSE_URL = 'http://127.0.0.1:18123'

export function sinkArg(argv: readonly string[]): 'clickhouse' | 'doris' {
  const i = argv.indexOf('--sink')
  const value = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--sink='))?.slice(7)
  if (value === undefined || value === 'clickhouse') return 'clickhouse'
  if (value === 'doris') return 'doris'
  throw new Error(`--sink must be clickhouse or doris, not ${value}`)
}

export async function openDemoTarget(
  sink: 'clickhouse' | 'doris',
  database: string,
): Promise<DemoTarget> {
  return sink === 'doris' ? dorisTarget(database) : clickhouseTarget(database)
}

async function clickhouseTarget(database: string): Promise<DemoTarget> {
  for (const sql of createDemoTableSql(database, 'events'))
    await clickhouseQuery(CLICKHOUSE_URL, sql)
  return {
    name: `ClickHouse ${CLICKHOUSE_URL}`,
    env: { SINKER__TABLES__0__DATABASE: database, SINKER__SINK__CLICKHOUSE__DATABASE: database },
    count: async () =>
      Number(await clickhouseQuery(CLICKHOUSE_URL, `SELECT count() FROM ${database}.events`)),
    sumIds: () => clickhouseQuery(CLICKHOUSE_URL, `SELECT sum(id) FROM ${database}.events`),
    close: async () => undefined,
  }
}

async function dorisTarget(database: string): Promise<DemoTarget> {
  const server: DorisServer = await startDorisServer({ timezone: 'UTC' })
  server.createDatabase(database)
  server.createTable(database, 'events', DORIS_DEMO_COLUMNS)
  const rows = () => server.rows(database, 'events')
  return {
    name: `the Doris test server ${server.feUrl} (FE) -> ${server.beUrl} (BE)`,
    env: {
      SINKER__SINK__TYPE: 'doris',
      SINKER__SINK__DORIS__FE_URLS: `[${server.feUrl}]`,
      SINKER__SINK__DORIS__DATABASE: database,
      SINKER__TABLES__0__DATABASE: database,
    },
    count: async () => rows().length,
    sumIds: async () => String(rows().reduce((s, r) => s + Number(r.id), 0)),
    close: () => server.stop(),
  }
}
