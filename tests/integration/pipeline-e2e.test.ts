/**
 * The compiled binary against a real Kafka and a real ClickHouse (issue 5): events land exactly
 * once, SIGTERM commits and exits 0, kill -9 loses nothing, junk goes to the dead letter.
 */
import { beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDemoTableSql } from '../../scripts/lib/demo-table'
import { eventsText } from '../../scripts/lib/events'
import type { ClickHouseServer } from '../support/clickhouse-server'
import type { KafkaBroker } from '../support/kafka-broker'
import { sharedClickHouse, sharedKafka } from '../support/shared-services'
import { type SinkerConfig, startSinker } from '../support/sinker-process'

let kafka: KafkaBroker
let ch: ClickHouseServer
let n = 0

beforeAll(async () => {
  ;[kafka, ch] = await Promise.all([sharedKafka(), sharedClickHouse()])
})

/** A fresh topic (6 partitions), table and group for one scenario. */
async function scenario(name: string): Promise<SinkerConfig> {
  const id = `${name}_${process.pid}_${++n}`
  for (const sql of createDemoTableSql('e2e', id)) await ch.query(sql)
  await kafka.createTopic(`e2e.${id}`, 6)
  return {
    brokers: kafka.brokers,
    topic: `e2e.${id}`,
    group: `g_${id}`,
    clickhouseUrl: ch.url,
    database: 'e2e',
    table: id,
  }
}

async function produceEvents(topic: string, count: number, junkEvery = 0) {
  const { text, summary } = eventsText({ count, junkEvery, seed: 7 })
  const path = join(tmpdir(), `e2e-${topic}.ndjson`)
  writeFileSync(path, text)
  await kafka.produceFile(topic, path)
  return summary
}

const q = async (sql: string) => (await ch.query(sql)).trim()

async function committedTotal(c: SinkerConfig): Promise<number> {
  let sum = 0
  for (const v of (await kafka.groupOffsets(c.group, c.topic)).values()) sum += v
  return sum
}

async function endTotal(topic: string): Promise<number> {
  let sum = 0
  for (const v of (await kafka.endOffsets(topic)).values()) sum += v
  return sum
}

describe('the compiled binary, Kafka to ClickHouse', () => {
  test('200,000 events over 6 partitions land exactly once; HTTP answers; SIGTERM commits and exits 0', async () => {
    const c = await scenario('exact')
    const events = await produceEvents(c.topic, 200_000)
    const s = await startSinker(c)
    await s.waitFor(async () => (await s.get('/ready')).status === 200, 60_000, '/ready 200')
    expect((await s.get('/health')).text).toBe('{"status":"ok"}')
    await s.waitFor(
      async () => Number(await q(`SELECT count() FROM e2e.${c.table}`)) >= 200_000,
      120_000,
      'all rows',
    )
    expect(await q(`SELECT count(), uniqExact(id), sum(id) FROM e2e.${c.table} FORMAT TSV`)).toBe(
      `200000\t200000\t${events.sumIds}`,
    )
    const metrics = (await s.get('/metrics')).text
    expect(metrics).toContain(`sinker_rows_written_total{table="e2e.${c.table}"} 200000`)
    expect(metrics).toContain('sinker_messages_consumed_total')
    expect(metrics).toContain('sinker_flush_duration_seconds_bucket')
    const status = JSON.parse((await s.get('/status')).text)
    expect(status.partitions).toHaveLength(6)
    expect(await s.stop()).toBe(0)
    expect(await committedTotal(c)).toBe(await endTotal(c.topic))
  }, 240_000)

  test('five kill -9 at random moments, then a clean run, lose no event', async () => {
    const c = await scenario('crash')
    const events = await produceEvents(c.topic, 200_000)
    for (let i = 0; i < 5; i++) {
      const s = await startSinker(c)
      await Bun.sleep(300 + Math.floor(Math.random() * 2500))
      await s.kill9()
    }
    const s = await startSinker(c)
    // The crashed runs may have written every row already: wait until this run is up (its
    // signal handlers installed, joined) so that its stop is the graceful one being tested.
    await s.waitFor(async () => (await s.get('/ready')).status === 200, 60_000, 'ready')
    await s.waitFor(
      async () => Number(await q(`SELECT uniqExact(id) FROM e2e.${c.table}`)) >= 200_000,
      180_000,
      'every id',
    )
    // The killed runs may have written rows this run has not read yet: it is done once its
    // commits reach the end of the topic, not when the last id shows up.
    const end = await endTotal(c.topic)
    await s.waitFor(async () => (await committedTotal(c)) >= end, 180_000, 'commits at the end')
    expect(await s.stop()).toBe(0)
    // At least once: a crash may write some rows twice, never lose one.
    expect(await q(`SELECT uniqExact(id), min(id), max(id) FROM e2e.${c.table} FORMAT TSV`)).toBe(
      '200000\t1\t200000',
    )
    const distinctSum = await q(`SELECT sum(id) FROM (SELECT DISTINCT id FROM e2e.${c.table})`)
    expect(distinctSum).toBe(String(events.sumIds))
    expect(await committedTotal(c)).toBe(await endTotal(c.topic))
  }, 300_000)

  test('junk goes to the dead letter with its reason and every good event lands', async () => {
    const c = await scenario('junk')
    const dlq = join(tmpdir(), `dlq-${c.topic}.ndjson`)
    const events = await produceEvents(c.topic, 20_000, 2_000)
    const deep = `${'['.repeat(100)}${']'.repeat(100)}`
    await kafka.produce(c.topic, [
      { value: 'not json at all' },
      { value: '[1,2,3]' },
      { value: '"a string"' },
      { value: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) },
      { value: `{"id": 1, "deep": ${deep}}` },
      { value: '{"id": "twelve", "ts": "2026-11-01 00:00:00"}' },
      { value: '{"id": 5, "ts": "not a date"}' },
      { value: null },
    ])
    const s = await startSinker({ ...c, deadLetterFile: dlq })
    await s.waitFor(
      async () => Number(await q(`SELECT count() FROM e2e.${c.table}`)) >= events.count,
      120_000,
      'good rows',
    )
    const expectedDead = events.junk + 8
    await s.waitFor(
      async () =>
        existsSync(dlq) && readFileSync(dlq, 'utf8').trim().split('\n').length >= expectedDead,
      30_000,
      'dead letters',
    )
    expect(await s.stop()).toBe(0)
    expect(await q(`SELECT count(), sum(id) FROM e2e.${c.table} FORMAT TSV`)).toBe(
      `${events.count}\t${events.sumIds}`,
    )
    const records = readFileSync(dlq, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(records).toHaveLength(expectedDead)
    const reasons = new Set(records.map((r) => r.reason))
    for (const r of ['invalid_json', 'not_object', 'type_mismatch'])
      expect(reasons.has(r)).toBe(true)
    for (const r of records) {
      expect(Object.keys(r)).toEqual([
        'time',
        'reason',
        'detail',
        'topic',
        'partition',
        'offset',
        'timestamp',
        'key',
        'headers',
        'value',
        'value_encoding',
      ])
    }
    expect(records.some((r) => r.value_encoding === 'base64')).toBe(true)
    expect(await committedTotal(c)).toBe(await endTotal(c.topic))
  }, 240_000)

  test('a second binary joining and leaving the group during the run loses no event', async () => {
    const c = await scenario('rebalance')
    const events = await produceEvents(c.topic, 200_000)
    const a = await startSinker(c)
    await a.waitFor(
      async () => Number(await q(`SELECT count() FROM e2e.${c.table}`)) > 0,
      60_000,
      'first rows',
    )
    for (let i = 0; i < 2; i++) {
      const b = await startSinker(c)
      await b.waitFor(
        async () => (await b.get('/ready')).status === 200,
        60_000,
        'second member ready',
      )
      await Bun.sleep(1000)
      const started = Date.now()
      expect(await b.stop()).toBe(0)
      // Leaving hands partitions back within shutdown_timeout_ms (10 s here) plus the group's own time.
      expect(Date.now() - started).toBeLessThan(20_000)
    }
    await a.waitFor(
      async () => Number(await q(`SELECT uniqExact(id) FROM e2e.${c.table}`)) >= 200_000,
      180_000,
      'every id',
    )
    expect(await a.stop()).toBe(0)
    expect(await q(`SELECT uniqExact(id) FROM e2e.${c.table}`)).toBe('200000')
    expect(await q(`SELECT sum(id) FROM (SELECT DISTINCT id FROM e2e.${c.table})`)).toBe(
      String(events.sumIds),
    )
    expect(await committedTotal(c)).toBe(await endTotal(c.topic))
    expect(a.output()).toContain('partitions_revoked')
  }, 300_000)

  test('an invalid config exits 2 and names the key', async () => {
    const s = await startSinker(
      'kafka:\n  brokers: ["127.0.0.1:1"]\n  group_id: g\n  topics: [t]\n  bogus: 1\nsink: { type: clickhouse }\ntables: [{ topic: t, table: x }]\n',
    )
    expect(await s.proc.exited).toBe(2)
    expect(s.output()).toContain('kafka')
    expect(s.output()).toContain('bogus')
  }, 30_000)

  test('an unreachable broker or wrong sink credentials: a clear error and /ready 503 with the reason', async () => {
    const c = await scenario('unreachable')
    const s = await startSinker({ ...c, brokers: '127.0.0.1:1' })
    await s.waitFor(
      async () => (await s.get('/ready')).text.includes('kafka'),
      60_000,
      'kafka reason',
    )
    expect((await s.get('/ready')).status).toBe(503)
    expect(await s.stop()).toBe(0)
    expect(s.output()).toContain('kafka_connect_failed')

    const w = await startSinker(
      { ...c, group: `${c.group}_auth` },
      { SINKER__SINK__CLICKHOUSE__USER: 'nobody', SINKER__SINK__CLICKHOUSE__PASSWORD: 'wrong' },
    )
    await w.waitFor(
      async () => /sink|schema/.test((await w.get('/ready')).text),
      60_000,
      'sink reason',
    )
    expect((await w.get('/ready')).status).toBe(503)
    expect(w.output()).not.toContain('wrong')
    expect(await w.stop()).toBe(0)
  }, 180_000)

  test('a missing table keeps /ready at 503 with the reason and commits nothing, then recovers', async () => {
    const c = await scenario('missing')
    await q(`DROP TABLE e2e.${c.table}`)
    await produceEvents(c.topic, 1_000)
    const s = await startSinker(c)
    await s.waitFor(
      async () => (await s.get('/ready')).text.includes('does not exist'),
      60_000,
      'not-ready reason',
    )
    expect((await s.get('/ready')).status).toBe(503)
    await Bun.sleep(1500)
    expect(await committedTotal(c)).toBe(0)
    for (const sql of createDemoTableSql('e2e', c.table)) await ch.query(sql)
    await s.waitFor(
      async () => Number(await q(`SELECT count() FROM e2e.${c.table}`)) >= 1_000,
      60_000,
      'rows after the table appeared',
    )
    expect(await s.stop()).toBe(0)
  }, 120_000)
})
