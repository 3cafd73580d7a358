/**
 * @module tests/unit/support/doris-server/sql.test
 * The FE SQL API with the DDL a sink sends before a batch (reference §9, §11): partitions added,
 * dropped and truncated, columns added, reads, response shapes and recorded statements.
 */
import { describe, expect, test } from 'bun:test'
import type { DorisServer } from '../../../support/doris-server'
import { demoServers, lines, ROOT, sql, streamLoad } from './helpers'

const startServer = demoServers()

/** A server with `demo.daily`, RANGE-partitioned by day into p1 (Jan 1) and p2 (Jan 2). */
async function server(): Promise<DorisServer> {
  const s = await startServer()
  const created = await sql(
    s,
    `CREATE TABLE IF NOT EXISTS demo.daily (
       dt DATE NOT NULL COMMENT 'day',
       v INT NULL DEFAULT "0"
     ) DUPLICATE KEY(dt)
     PARTITION BY RANGE(dt) (
       PARTITION p1 VALUES LESS THAN ("2024-01-02"),
       PARTITION p2 VALUES [("2024-01-02"), ("2024-01-03"))
     )
     DISTRIBUTED BY HASH(dt) BUCKETS 1 PROPERTIES ("replication_num" = "1");`,
  )
  expect(created.code).toBe(0)
  await streamLoad(s, {
    table: 'daily',
    body: lines({ dt: '2024-01-01', v: 1 }, { dt: '2024-01-02', v: 2 }),
  })
  return s
}

const execOk = {
  msg: 'success',
  code: 0,
  data: { type: 'exec_status', status: {}, time: expect.any(Number) },
}

function failure(detail: string) {
  return {
    msg: 'Error',
    code: 1,
    data: `Failed to execute sql: java.sql.SQLException: errCode = 2, detailMessage = ${detail}`,
    count: 0,
  }
}

describe('partition DDL', () => {
  test('DROP PARTITION removes the partition with its rows; IF EXISTS tolerates a missing one', async () => {
    const s = await server()
    expect(await sql(s, 'ALTER TABLE demo.daily DROP PARTITION IF EXISTS p1')).toEqual(execOk)
    expect(s.rows('demo', 'daily')).toEqual([{ dt: '2024-01-02', v: 2 }])
    expect(await sql(s, 'ALTER TABLE daily DROP PARTITION IF EXISTS p1')).toEqual(execOk)
    expect(await sql(s, 'ALTER TABLE daily DROP PARTITION p1')).toEqual(
      failure('Partition[p1] does not exist in table[daily]'),
    )
  })

  test('TRUNCATE TABLE … PARTITION keeps the partition and removes its rows; TRUNCATE TABLE empties all', async () => {
    const s = await server()
    expect(await sql(s, 'TRUNCATE TABLE daily PARTITION (p2)')).toEqual(execOk)
    expect(s.rows('demo', 'daily')).toEqual([{ dt: '2024-01-01', v: 1 }])
    await streamLoad(s, { table: 'daily', body: lines({ dt: '2024-01-02', v: 3 }) })
    expect(s.rows('demo', 'daily')).toHaveLength(2)
    expect(await sql(s, 'TRUNCATE TABLE demo.daily')).toEqual(execOk)
    expect(s.rows('demo', 'daily')).toEqual([])
  })

  test('ADD PARTITION by VALUES LESS THAN takes the previous upper bound and refuses an overlap', async () => {
    const s = await server()
    expect(
      await sql(
        s,
        'ALTER TABLE daily ADD PARTITION IF NOT EXISTS p3 VALUES LESS THAN ("2024-01-04")',
      ),
    ).toEqual(execOk)
    expect(
      await sql(s, 'ALTER TABLE daily ADD PARTITION p4 VALUES [("2024-01-05"), ("2024-01-06"))'),
    ).toEqual(execOk)
    expect(
      await sql(
        s,
        'ALTER TABLE daily ADD PARTITION IF NOT EXISTS p3 VALUES LESS THAN ("2024-01-09")',
      ),
    ).toEqual(execOk)
    expect(
      await sql(s, 'ALTER TABLE daily ADD PARTITION px VALUES [("2024-01-03"), ("2024-01-06"))'),
    ).toEqual(
      failure('Range [2024-01-03, 2024-01-06) is intersected with range: [2024-01-03, 2024-01-04)'),
    )
    const parts = (await sql(s, 'SHOW PARTITIONS FROM daily')) as { data: { data: unknown[][] } }
    expect(parts.data.data.map((row) => [row[1], row[4]])).toEqual([
      ['p1', '[MINVALUE, 2024-01-02) (DATE)'],
      ['p2', '[2024-01-02, 2024-01-03) (DATE)'],
      ['p3', '[2024-01-03, 2024-01-04) (DATE)'],
      ['p4', '[2024-01-05, 2024-01-06) (DATE)'],
    ])
    const loaded = await streamLoad(s, {
      table: 'daily',
      body: lines({ dt: '2024-01-03' }, { dt: '2024-01-05' }),
    })
    expect(loaded.NumberLoadedRows).toBe(2)
  })
})

describe('column DDL', () => {
  test('ADD COLUMN fills existing rows with the default; re-adding a column fails with Doris text', async () => {
    const s = await server()
    expect(
      await sql(
        s,
        "ALTER TABLE daily ADD COLUMN note VARCHAR(16) NULL DEFAULT 'n/a' COMMENT 'x' AFTER dt",
      ),
    ).toEqual(execOk)
    expect(s.rows('demo', 'daily')[0]).toEqual({ dt: '2024-01-01', v: 1, note: 'n/a' })
    expect(await sql(s, 'ALTER TABLE daily ADD COLUMN (a INT, b STRING NULL)')).toEqual(execOk)
    const desc = (await sql(s, 'DESC daily')) as { data: { data: unknown[][] } }
    expect(desc.data.data.map((r) => r.slice(0, 3))).toEqual([
      ['dt', 'date', 'No'],
      ['note', 'varchar(16)', 'Yes'],
      ['v', 'int', 'Yes'],
      ['a', 'int', 'Yes'],
      ['b', 'string', 'Yes'],
    ])
    expect(await sql(s, 'ALTER TABLE daily ADD COLUMN note VARCHAR(16)')).toEqual(
      failure('Can not add column which already exists in base table: note'),
    )
  })
})

describe('reads', () => {
  test('SELECT COUNT(*) and SELECT with WHERE, ORDER BY and LIMIT answer a result_set', async () => {
    const s = await server()
    expect(await sql(s, 'SELECT COUNT(*) FROM daily')).toEqual({
      data: {
        type: 'result_set',
        meta: [{ name: 'count(*)', type: 'BIGINT' }],
        data: [[2]],
        time: expect.any(Number),
      },
      msg: 'success',
      code: 0,
    })
    const picked = (await sql(
      s,
      "SELECT v, dt FROM daily WHERE dt = '2024-01-02' ORDER BY v DESC LIMIT 5",
    )) as {
      data: { meta: unknown; data: unknown }
    }
    expect(picked.data.meta).toEqual([
      { name: 'v', type: 'INT' },
      { name: 'dt', type: 'DATE' },
    ])
    expect(picked.data.data).toEqual([[2, '2024-01-02']])
  })

  test('SELECT 1 answers a one-cell result set, as a probe expects', async () => {
    const s = await server()
    const res = (await sql(s, 'SELECT 1')) as { data: { meta: unknown; data: unknown } }
    expect(res.data.meta).toEqual([{ name: '1', type: 'TINYINT' }])
    expect(res.data.data).toEqual([[1]])
  })

  test('a RANGE partition key must be an integer, DATE or DATETIME column', async () => {
    const s = await server()
    const res = (await sql(s, 'CREATE TABLE bad (s STRING) PARTITION BY RANGE(s) ()')) as {
      data: string
    }
    expect(res.data).toContain('cannot be a range partition key')
  })

  test('information_schema.columns gives VARCHAR lengths, decimal precision and datetime scale', async () => {
    const s = await server()
    const res = (await sql(
      s,
      "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE FROM information_schema.columns WHERE TABLE_SCHEMA = 'demo' AND TABLE_NAME = 'events' ORDER BY ORDINAL_POSITION",
    )) as { data: { data: unknown[][] } }
    expect(res.data.data).toEqual([
      ['id', 'bigint', 'NO'],
      ['name', 'varchar(8)', 'YES'],
      ['amount', 'decimal(10,2)', 'YES'],
      ['ts', 'datetime(3)', 'YES'],
    ])
  })

  test('big integers and decimals come back exact in the JSON text', async () => {
    const s = await server()
    await streamLoad(s, { body: '{"id": 9223372036854775807, "amount": "-0.5"}' })
    const res = await fetch(`${s.feUrl}/api/query/default_cluster/demo`, {
      method: 'POST',
      headers: { Authorization: ROOT },
      body: JSON.stringify({ stmt: 'select id, amount from events' }),
    })
    expect(await res.text()).toContain('"data":[[9223372036854775807,-0.50]]')
  })
})

describe('response shapes and refusals', () => {
  test('X-Doris-Stream: false gives the non-streamed body with count', async () => {
    const s = await server()
    expect(
      await sql(s, 'ALTER TABLE daily ADD COLUMN c INT', {
        headers: { 'X-Doris-Stream': 'false' },
      }),
    ).toEqual({
      ...execOk,
      count: 0,
    })
  })

  test('an empty statement is a 403 envelope, a syntax error and an unknown table are Error envelopes', async () => {
    const s = await server()
    expect(await sql(s, '  ')).toEqual({
      msg: 'Bad Request',
      code: 403,
      data: 'Missing statement request body',
      count: 0,
    })
    expect(((await sql(s, 'ALTER TABLE daily FROB')) as { data: string }).data).toContain(
      'not supported by the Doris test server',
    )
    expect(await sql(s, 'TRUNCATE TABLE nope')).toEqual(failure("Unknown table 'nope'"))
  })

  test('every statement that reached the SQL engine is recorded in order, counted as DDL or query', async () => {
    const s = await server()
    s.resetCounts()
    await sql(s, 'SELECT COUNT(*) FROM daily')
    await sql(s, 'TRUNCATE TABLE nope')
    expect(s.statements().slice(-2)).toEqual(['SELECT COUNT(*) FROM daily', 'TRUNCATE TABLE nope'])
    expect(s.counts()).toMatchObject({ sql_query: 1, sql_ddl: 1 })
  })

  test('CREATE DATABASE and a UNIQUE KEY CREATE TABLE work through SQL', async () => {
    const s = await server()
    expect(await sql(s, 'CREATE DATABASE IF NOT EXISTS shop', { db: 'shop' })).toEqual(execOk)
    expect(
      await sql(
        s,
        'CREATE TABLE carts (id BIGINT NOT NULL, n INT) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS AUTO',
        { db: 'shop' },
      ),
    ).toEqual(execOk)
    await streamLoad(s, {
      db: 'shop',
      table: 'carts',
      body: lines({ id: 1, n: 1 }, { id: 1, n: 2 }),
    })
    expect(s.rows('shop', 'carts')).toEqual([{ id: 1, n: 2 }])
  })
})
