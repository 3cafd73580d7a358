/**
 * A down sink means backpressure and retries, not loss (issue 5): while ClickHouse is unreachable
 * /ready is 503 with the reason and nothing is committed past what was written; once it is back
 * every event lands.
 */
import { beforeAll, expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDemoTableSql } from '../../scripts/lib/demo-table'
import { eventsText } from '../../scripts/lib/events'
import type { ClickHouseServer } from '../support/clickhouse-server'
import type { KafkaBroker } from '../support/kafka-broker'
import { sharedClickHouse, sharedKafka } from '../support/shared-services'
import { startSinker } from '../support/sinker-process'
import { startTcpProxy } from '../support/tcp-proxy'

let kafka: KafkaBroker
let ch: ClickHouseServer

beforeAll(async () => {
  ;[kafka, ch] = await Promise.all([sharedKafka(), sharedClickHouse()])
})

test('ClickHouse going away pauses the pipeline (503, retries) and loses nothing when it returns', async () => {
  const id = `outage_${process.pid}`
  for (const sql of createDemoTableSql('e2e', id)) await ch.query(sql)
  const topic = `e2e.${id}`
  await kafka.createTopic(topic, 6)
  const proxy = await startTcpProxy(Number(new URL(ch.url).port))
  const s = await startSinker({
    brokers: kafka.brokers,
    topic,
    group: `g_${id}`,
    clickhouseUrl: `http://127.0.0.1:${proxy.port}`,
    database: 'e2e',
    table: id,
  })
  try {
    await s.waitFor(async () => (await s.get('/ready')).status === 200, 60_000, 'ready')
    proxy.down()
    const { text, summary } = eventsText({ count: 50_000, seed: 3 })
    const path = join(tmpdir(), `${topic}.ndjson`)
    writeFileSync(path, text)
    await kafka.produceFile(topic, path)
    await s.waitFor(
      async () => (await s.get('/ready')).status === 503,
      60_000,
      '/ready 503 while the sink is down',
    )
    expect((await s.get('/ready')).text).toContain('sink')
    const metrics = (await s.get('/metrics')).text
    expect(metrics).toMatch(/sinker_sink_retries_total\{sink="clickhouse"\} [1-9]/)
    let committed = 0
    for (const v of (await kafka.groupOffsets(`g_${id}`, topic)).values()) committed += v
    expect(committed).toBe(0)
    proxy.up()
    await s.waitFor(
      async () => Number((await ch.query(`SELECT count() FROM e2e.${id}`)).trim()) >= summary.count,
      120_000,
      'rows after recovery',
    )
    await s.waitFor(async () => (await s.get('/ready')).status === 200, 30_000, 'ready again')
    expect(await s.stop()).toBe(0)
    expect((await ch.query(`SELECT uniqExact(id), sum(id) FROM e2e.${id} FORMAT TSV`)).trim()).toBe(
      `${summary.count}\t${summary.sumIds}`,
    )
  } finally {
    proxy.close()
    if (s.proc.exitCode === null) await s.kill9()
  }
}, 240_000)
