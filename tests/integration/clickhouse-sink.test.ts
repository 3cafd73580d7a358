import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, preferredPort } from '../../scripts/lib/ports'
import { RowBytes } from '../../src/batch/row-bytes'
import { systemClock } from '../../src/core/clock'
import { dropPartitionIdSql } from '../../src/sinks/clickhouse/ddl'
import { type ClickHouseSink, createClickHouseSink } from '../../src/sinks/clickhouse/index'
import type { ClickHouseSinkOptions } from '../../src/sinks/clickhouse/options'
import type { SinkBatch } from '../../src/sinks/sink'
import { type ClickHouseServer, startClickHouse } from '../support/clickhouse-server'

// Preferred ports, but fixed ones in the ephemeral range can be some client socket's local port
// at the moment (a CI run failed so on 49000): any free ports are taken then.
const HTTP_PORT = 48123
const TCP_PORT = 49000
const DB = 'sink_it'
const never = new AbortController().signal

let server: ClickHouseServer
let dir: string
let sink: ClickHouseSink
const sinks: ClickHouseSink[] = []

function openSink(overrides: Partial<ClickHouseSinkOptions> = {}): ClickHouseSink {
  const opened = createClickHouseSink(
    {
      url: server.url,
      user: 'default',
      password: '',
      database: DB,
      compression: 'none',
      requestTimeoutMs: 30_000,
      ...overrides,
    },
    { clock: systemClock },
  )
  sinks.push(opened)
  return opened
}

function batchOf(table: string, rows: string[], label = `it-${table}-${rows.length}`): SinkBatch {
  const body = RowBytes.fromStrings(rows)
  return { target: { database: DB, table }, rows: body, bytes: body.body.length, label }
}

async function createTable(name: string): Promise<void> {
  await server.query(`DROP TABLE IF EXISTS ${DB}.${name}`)
  await server.query(
    `CREATE TABLE ${DB}.${name} (id UInt64, s String, v Float64,
       d Date DEFAULT toDate('2026-11-23'), n Nullable(Int32), m UInt64 MATERIALIZED id * 2)
     ENGINE = MergeTree PARTITION BY toYYYYMM(d) ORDER BY id`,
  )
}

const countAndSum = async (table: string) =>
  (await server.query(`SELECT count(), sum(id), sum(v) FROM ${DB}.${table} FORMAT TSV`)).trim()

const rowsOf = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => {
    const id = from + i
    return JSON.stringify({ id, s: `user-${id % 1000}`, v: id / 2, d: '2026-11-23', n: id % 7 })
  })

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sinker-ch-it-'))
  const httpPort = await preferredPort(HTTP_PORT)
  let tcpPort = await preferredPort(TCP_PORT)
  while (tcpPort === httpPort) tcpPort = await freePort()
  server = await startClickHouse({ httpPort, tcpPort, dir })
  await server.query(`CREATE DATABASE IF NOT EXISTS ${DB}`)
  sink = openSink()
}, 120_000)

afterAll(async () => {
  for (const opened of sinks) await opened.close()
  await server?.stop()
  rmSync(dir, { recursive: true, force: true })
}, 60_000)

describe('ClickHouse sink against Debian 18.16', () => {
  test('reads the server version and its capabilities', async () => {
    expect(await sink.serverVersion()).toBe('18.16.1')
    const caps = await sink.capabilities()
    expect(caps.insertDeduplicationToken).toBe(false)
    expect(caps.insertSampleWithMetadata).toBe(true)
  })

  test('describe returns the columns in table order with their default kinds', async () => {
    await createTable('described')
    expect(await sink.describe({ database: DB, table: 'described' }, never)).toEqual([
      { name: 'id', type: 'UInt64', defaultKind: '' },
      { name: 's', type: 'String', defaultKind: '' },
      { name: 'v', type: 'Float64', defaultKind: '' },
      { name: 'd', type: 'Date', defaultKind: 'DEFAULT' },
      { name: 'n', type: 'Nullable(Int32)', defaultKind: '' },
      { name: 'm', type: 'UInt64', defaultKind: 'MATERIALIZED' },
    ])
  })

  test('describe of a missing table or database returns null', async () => {
    expect(await sink.describe({ database: DB, table: 'no_such_table' }, never)).toBeNull()
    expect(await sink.describe({ database: 'no_such_db', table: 'events' }, never)).toBeNull()
  })

  test('a 100k-row insert lands exactly', async () => {
    await createTable('bulk')
    const rows = rowsOf(100_000)
    const started = performance.now()
    expect(await sink.send(batchOf('bulk', rows), never)).toEqual({ kind: 'ok' })
    const ms = performance.now() - started
    console.log(
      `100k rows (${(batchOf('bulk', rows).bytes / 1e6).toFixed(1)} MB), no compression: ${ms.toFixed(0)} ms`,
    )
    // sum(id) = n(n-1)/2; sum(v) = sum(id)/2.
    expect(await countAndSum('bulk')).toBe('100000\t4999950000\t2499975000')
  }, 60_000)

  test('gzip works and lands the same rows', async () => {
    await createTable('gzipped')
    const gzipSink = openSink({ compression: 'gzip' })
    const rows = rowsOf(100_000)
    const started = performance.now()
    expect(await gzipSink.send(batchOf('gzipped', rows), never)).toEqual({ kind: 'ok' })
    console.log(`100k rows, gzip: ${(performance.now() - started).toFixed(0)} ms`)
    expect(await countAndSum('gzipped')).toBe('100000\t4999950000\t2499975000')
  }, 60_000)

  test('missing keys get the DEFAULT expression and unknown keys are ignored', async () => {
    await createTable('defaults')
    const rows = ['{"id":1,"s":"a","v":1}', '{"id":2,"s":"b","v":2,"unknown":"x","m":99}']
    expect(await sink.send(batchOf('defaults', rows), never)).toEqual({ kind: 'ok' })
    const got = await server.query(`SELECT id, d, n, m FROM ${DB}.defaults ORDER BY id FORMAT TSV`)
    expect(got).toBe('1\t2026-11-23\t\\N\t2\n2\t2026-11-23\t\\N\t4\n')
  })

  test('a batch with a bad row is classified reject and writes nothing', async () => {
    await createTable('bad_rows')
    const rows = [...rowsOf(10), '{"id":"not a number","s":"x","v":1}', ...rowsOf(10, 100)]
    const verdict = await sink.send(batchOf('bad_rows', rows), never)
    expect(verdict.kind).toBe('reject')
    expect(JSON.stringify(verdict)).toContain('Code 27')
    expect(await countAndSum('bad_rows')).toBe('0\t0\t0')
  })

  test('a wrong password is retried with a clear reason that never shows the password', async () => {
    const denied = openSink({ password: 'not-the-password' })
    const verdict = await denied.send(batchOf('bulk', rowsOf(1)), never)
    expect(verdict.kind).toBe('retry')
    expect(JSON.stringify(verdict)).toContain('Code 193 WRONG_PASSWORD')
    expect(JSON.stringify(verdict)).not.toContain('not-the-password')
  })

  test('an unknown table is retried', async () => {
    const verdict = await sink.send(batchOf('no_such_table', rowsOf(1)), never)
    expect(verdict).toEqual({
      kind: 'retry',
      why: `Code 60 UNKNOWN_TABLE (HTTP 404): Table ${DB}.no_such_table doesn't exist.`,
    })
  })

  test('the keep-alive idle reset between two inserts does not surface as a failure', async () => {
    await createTable('idle')
    expect(await sink.send(batchOf('idle', rowsOf(5)), never)).toEqual({ kind: 'ok' })
    // 18.16 closes a keep-alive connection idle for 3 s: the next request must not fail.
    await Bun.sleep(3_500)
    expect(await sink.send(batchOf('idle', rowsOf(5, 5)), never)).toEqual({ kind: 'ok' })
    await Bun.sleep(3_000)
    expect(await sink.send(batchOf('idle', rowsOf(5, 10)), never)).toEqual({ kind: 'ok' })
    expect(await countAndSum('idle')).toBe('15\t105\t52.5')
  }, 30_000)

  test('the probe passes, and fails for a wrong password or a server that is not there', async () => {
    expect(await sink.probe(never)).toEqual({ ok: true, detail: 'ClickHouse answered SELECT 1' })
    const denied = await openSink({ password: 'wrong' }).probe(never)
    expect(denied.ok).toBe(false)
    expect(denied.detail).toContain('WRONG_PASSWORD')
    const nowhere = await openSink({ url: 'http://127.0.0.1:1' }).probe(never)
    expect(nowhere.ok).toBe(false)
    expect(nowhere.detail).toContain('network error')
  })

  test('runDdl drops one partition by its id and leaves the others', async () => {
    await createTable('partitioned')
    const rows = [
      '{"id":1,"s":"a","v":1,"d":"2026-10-05"}',
      '{"id":2,"s":"b","v":2,"d":"2026-11-05"}',
      '{"id":3,"s":"c","v":3,"d":"2026-11-06"}',
    ]
    expect(await sink.send(batchOf('partitioned', rows), never)).toEqual({ kind: 'ok' })
    const parts = await server.query(
      `SELECT DISTINCT partition_id FROM system.parts WHERE database = '${DB}' AND table = 'partitioned' AND active ORDER BY partition_id FORMAT TSV`,
    )
    expect(parts).toBe('202610\n202611\n')
    const sql = dropPartitionIdSql({ database: DB, table: 'partitioned' }, '202611')
    expect(await sink.runDdl(sql, never)).toEqual({ kind: 'ok' })
    expect(await countAndSum('partitioned')).toBe('1\t1\t1')
  })

  test('runDdl says duplicate for a column that already exists and reject for bad SQL', async () => {
    await createTable('altered')
    const add = `ALTER TABLE \`${DB}\`.\`altered\` ADD COLUMN extra Nullable(String)`
    expect(await sink.runDdl(add, never)).toEqual({ kind: 'ok' })
    expect(await sink.runDdl(add, never)).toEqual({ kind: 'duplicate' })
    expect((await sink.runDdl('ALTER TABLE nonsense nonsense', never)).kind).toBe('reject')
  })
})
