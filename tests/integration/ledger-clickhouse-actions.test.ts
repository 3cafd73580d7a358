/**
 * The ClickHouse statements of batch tasks against a real ClickHouse (18.16), through the sink's
 * own DDL call: DROP PARTITION ID removes exactly that partition, TRUNCATE empties the table, and
 * a re-run after a crash is harmless.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { systemClock } from '../../src/core/clock'
import { clickhouseStatements } from '../../src/ledger/actions-clickhouse'
import { createActionRunner } from '../../src/ledger/run-statements'
import { type ClickHouseSink, createClickHouseSink } from '../../src/sinks/clickhouse/index'
import type { ClickHouseServer } from '../support/clickhouse-server'
import { sharedClickHouse } from '../support/shared-services'
import { signal, taskSpec } from '../unit/ledger/ledger-fixtures'

const DB = 'ledger_actions_it'
let server: ClickHouseServer
let sink: ClickHouseSink

beforeAll(async () => {
  server = await sharedClickHouse()
  await server.query(`CREATE DATABASE IF NOT EXISTS ${DB}`)
  sink = createClickHouseSink(
    {
      url: server.url,
      user: 'default',
      password: '',
      database: DB,
      compression: 'none',
      requestTimeoutMs: 30_000,
    },
    { clock: systemClock },
  )
}, 120_000)

afterAll(() => sink?.close())

async function freshTable(name: string) {
  await server.query(`DROP TABLE IF EXISTS ${DB}.${name}`)
  await server.query(
    `CREATE TABLE ${DB}.${name} (d Date, n UInt32) ENGINE = MergeTree PARTITION BY toYYYYMMDD(d) ORDER BY n`,
  )
  await server.query(
    `INSERT INTO ${DB}.${name} VALUES ('2026-11-01', 1), ('2026-11-01', 2), ('2026-11-02', 3)`,
  )
}

const count = async (table: string) =>
  (await server.query(`SELECT count() FROM ${DB}.${table}`)).trim()

const run = createActionRunner(clickhouseStatements, (sql, s) => sink.runDdl(sql, s))
const target = (table: string) => ({ database: DB, table })

describe('ClickHouse batch-task statements', () => {
  test('drop_partition drops exactly that partition; a re-run is harmless', async () => {
    await freshTable('dropped')
    const spec = taskSpec('d1', 'drop_partition', {
      target: target('dropped'),
      partition: '20261101',
    })
    expect(await run(spec, signal())).toBe('ok')
    expect(await run(spec, signal())).toBe('ok')
    expect(await count('dropped')).toBe('1')
  })

  test('truncate_table empties the table', async () => {
    await freshTable('truncated')
    const spec = taskSpec('t1', 'truncate_table', { target: target('truncated') })
    expect(await run(spec, signal())).toBe('ok')
    expect(await count('truncated')).toBe('0')
  })

  test('add_range_partition sends nothing and succeeds', async () => {
    await freshTable('ranged')
    const spec = taskSpec('r1', 'add_range_partition', {
      target: target('ranged'),
      partition: '20261103:[2026-11-03,2026-11-04)',
      range: { name: '20261103', lower: '2026-11-03', upper: '2026-11-04' },
    })
    expect(await run(spec, signal())).toBe('ok')
    expect(await count('ranged')).toBe('3')
  })

  test('a task on a table that does not exist fails the attempt', async () => {
    const spec = taskSpec('x1', 'truncate_table', { target: target('missing_table') })
    expect(await run(spec, signal())).toBe('failed')
  })
})
