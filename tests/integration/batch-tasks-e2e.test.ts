/**
 * Batch tasks in headers through the compiled binary, real Kafka and real ClickHouse (issue 7):
 * an overwrite deprecates the earlier batch, its action runs after the earlier batch's writes and
 * removes them, later batches and plain messages land; malicious headers are dead-lettered; a
 * kill -9 in the middle of a task does not run its action again over written rows.
 */
import { beforeAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ClickHouseServer } from '../support/clickhouse-server'
import type { KafkaBroker, KafkaMessage } from '../support/kafka-broker'
import { sharedClickHouse, sharedKafka } from '../support/shared-services'
import { BINARY, configYaml, type SinkerConfig, startSinker } from '../support/sinker-process'

let kafka: KafkaBroker
let ch: ClickHouseServer
let n = 0

beforeAll(async () => {
  ;[kafka, ch] = await Promise.all([sharedKafka(), sharedClickHouse()])
})

const q = async (sql: string) => (await ch.query(sql)).trim()

async function scenario(name: string): Promise<SinkerConfig & { dir: string }> {
  const table = `${name}_${process.pid}_${++n}`
  await ch.query('CREATE DATABASE IF NOT EXISTS bt')
  await ch.query(
    `CREATE TABLE bt.${table} (id UInt64, part UInt8, batch String) ENGINE = MergeTree() PARTITION BY part ORDER BY id`,
  )
  const topic = `bt.${table}`
  await kafka.createTopic(topic, 6)
  return {
    brokers: kafka.brokers,
    topic,
    group: `g_${table}`,
    clickhouseUrl: ch.url,
    database: 'bt',
    table,
    dir: join(tmpdir(), `bt-${table}`),
  }
}

function rows(
  from: number,
  count: number,
  part: number,
  headers?: Record<string, string>,
): KafkaMessage[] {
  return Array.from({ length: count }, (_, k) => ({
    value: JSON.stringify({ id: from + k, part, batch: headers?.batch_id ?? 'plain' }),
    partition: k % 6,
    ...(headers ? { headers } : {}),
  }))
}

function ledgerConfig(c: SinkerConfig, ledger: string, deadLetter: string): string {
  return `${configYaml({ ...c, deadLetterFile: deadLetter }, '127.0.0.1:0')}ledger: { url: "file:${ledger}", action_timeout_ms: 10000 }\n`
}

function ledgerList(configFile: string): string {
  return Bun.spawnSync([BINARY, 'ledger', 'list', '-c', configFile]).stdout.toString()
}

describe('batch tasks in headers, end to end', () => {
  test('an overwrite replaces the earlier batch; other batches and plain messages land; bad headers are dead-lettered', async () => {
    const c = await scenario('overwrite')
    const ledger = join(tmpdir(), `${c.table}.ledger.db`)
    const dlq = join(tmpdir(), `${c.table}.dlq.ndjson`)
    const drop = { op_type: 'drop_partition', op_table: c.table, op_partition: '1' }
    await kafka.produce(c.topic, rows(1, 1200, 1, { batch_id: 'A', ...drop }))
    const yaml = (listen: string) => ledgerConfig(c, ledger, dlq).replace('127.0.0.1:0', listen)
    const s = await startSinker(yaml)
    await s.waitFor(
      async () => Number(await q(`SELECT count() FROM bt.${c.table}`)) >= 1200,
      60_000,
      'batch A',
    )
    // B overwrites A (same op); C runs nothing; plain messages; malicious headers.
    await kafka.produce(c.topic, [
      ...rows(2001, 1200, 1, { batch_id: 'B', overwrite: 'true', ...drop }),
      ...rows(4001, 600, 2, { batch_id: 'C', op_type: 'none', op_table: c.table }),
      ...rows(6001, 300, 3),
      ...rows(9001, 1, 1, {
        batch_id: 'X1',
        op_type: 'drop_partition',
        op_table: "t'; DROP TABLE bt.x; --",
        op_partition: '1',
      }),
      ...rows(9002, 1, 1, {
        batch_id: 'X2',
        op_type: 'drop_partition',
        op_table: c.table,
        op_partition: "1' OR '1'='1",
      }),
      ...rows(9003, 1, 1, { batch_id: 'X3', op_type: 'rm_rf', op_table: c.table }),
      ...rows(9004, 1, 1, {
        batch_id: 'X4',
        op_type: 'truncate_table',
        op_db: '../etc',
        op_table: c.table,
      }),
      ...rows(9005, 1, 1, {
        batch_id: 'X5',
        op_type: 'drop_partition',
        op_table: 'x'.repeat(5000),
        op_partition: '1',
      }),
    ])
    await s.waitFor(
      async () => (await q(`SELECT count() FROM bt.${c.table}`)) === '2100',
      90_000,
      'B, C and plain rows, A gone',
    )
    await Bun.sleep(1500)
    expect(await s.stop()).toBe(0)
    expect(
      await q(
        `SELECT batch, count(), min(id), max(id) FROM bt.${c.table} GROUP BY batch ORDER BY batch FORMAT TSV`,
      ),
    ).toBe('B\t1200\t2001\t3200\nC\t600\t4001\t4600\nplain\t300\t6001\t6300')
    const list = ledgerList(join(s.dir, 'sinker.yaml'))
    expect(list).toMatch(/\nA\tDeprecated\tdrop_partition/)
    expect(list).toMatch(/\nB\tSucceed\tdrop_partition/)
    expect(list).toMatch(/\nC\tSucceed\tnone/)
    expect(list).not.toContain('X1')
    const dead = readFileSync(dlq, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(dead).toHaveLength(5)
    expect(dead.every((d) => d.reason === 'bad_batch_header')).toBe(true)
    expect(await q(`EXISTS TABLE bt.${c.table}`)).toBe('1')
  }, 240_000)

  test('kill -9 in the middle of a batch task, then a restart: its action does not run again over written rows', async () => {
    const c = await scenario('crash')
    const ledger = join(tmpdir(), `${c.table}.ledger.db`)
    const dlq = join(tmpdir(), `${c.table}.dlq.ndjson`)
    const drop = { op_type: 'drop_partition', op_table: c.table, op_partition: '4' }
    await kafka.produce(c.topic, rows(1, 30_000, 4, { batch_id: 'D', ...drop }))
    const yaml = (listen: string) => ledgerConfig(c, ledger, dlq).replace('127.0.0.1:0', listen)
    const first = await startSinker(yaml)
    await first.waitFor(
      async () => Number(await q(`SELECT count() FROM bt.${c.table}`)) > 0,
      60_000,
      'first rows',
    )
    await first.kill9()
    const second = await startSinker(yaml)
    // Up first (handlers installed, joined), so the stop below is a graceful one.
    await second.waitFor(async () => (await second.get('/ready')).status === 200, 60_000, 'ready')
    await second.waitFor(
      async () => Number(await q(`SELECT uniqExact(id) FROM bt.${c.table}`)) >= 30_000,
      120_000,
      'all of D',
    )
    await Bun.sleep(1500)
    expect(await second.stop()).toBe(0)
    // A second DROP PARTITION after the restart would have removed rows whose offsets were
    // committed: every id must still be there.
    expect(await q(`SELECT uniqExact(id), min(id), max(id) FROM bt.${c.table} FORMAT TSV`)).toBe(
      '30000\t1\t30000',
    )
    expect(ledgerList(join(second.dir, 'sinker.yaml'))).toMatch(/\nD\tSucceed\tdrop_partition/)
  }, 240_000)
})
