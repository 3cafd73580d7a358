import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateEvents } from '../../scripts/lib/events'
import { freePort, portIsFree, tcpAnswers } from '../../scripts/lib/ports'
import { type KafkaBroker, type KafkaMessage, startKafka } from '../support/kafka-broker'
import { sharedClickHouse, sharedKafka } from '../support/shared-services'

const START_TIMEOUT_MS = 180_000

function sum(offsets: Map<number, number>): number {
  return [...offsets.values()].reduce((a, b) => a + b, 0)
}

function bytes(value: string | Uint8Array | null): Uint8Array | null {
  return typeof value === 'string' ? new TextEncoder().encode(value) : value
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function eventually(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await check()) return true
    await Bun.sleep(200)
  }
  return check()
}

describe('a Kafka broker started with startKafka', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sinker-kafka-test-'))
  let port = 0
  let broker: KafkaBroker

  beforeAll(async () => {
    port = await freePort()
    broker = await startKafka({ port, dir })
  }, START_TIMEOUT_MS)

  afterAll(async () => {
    await broker?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  test('creates a topic whose six partitions all start empty', async () => {
    await broker.createTopic('empty', 6)
    expect(await broker.endOffsets('empty')).toEqual(
      new Map([0, 1, 2, 3, 4, 5].map((p) => [p, 0] as [number, number])),
    )
  })

  test('accepts creating an existing topic again with the same partition count only', async () => {
    await broker.createTopic('twice', 3)
    await broker.createTopic('twice', 3)
    await expect(broker.createTopic('twice', 4)).rejects.toThrow('exists with 3 partitions')
  })

  test('delivers keys, headers, null and empty values, newlines and invalid UTF-8 exactly', async () => {
    const messages: KafkaMessage[] = [
      { value: '{"id":1}', key: 'user-1', partition: 0, headers: { batch_id: 'b-1', op: 'none' } },
      { value: null, key: 'gone', partition: 1 },
      { value: '', partition: 1 },
      { value: new Uint8Array([0x7b, 0x0a, 0xff, 0xfe, 0xc3, 0x0a, 0x7d]), partition: 2 },
      { value: '{"text":"line one\nline two"}', partition: 2, headers: { batch_id: 'b-2' } },
    ]
    await broker.createTopic('exact', 6)
    await broker.produce('exact', messages)

    expect(sum(await broker.endOffsets('exact'))).toBe(messages.length)
    const records = await broker.readTopic('exact')
    const sent = messages.map((m) => ({
      partition: m.partition ?? -1,
      key: m.key ?? null,
      value: bytes(m.value),
      headers: m.headers ?? {},
    }))
    expect(records.map(({ offset: _, ...record }) => record)).toEqual(sent)
  })

  test('spreads a 100k-line ndjson file over the partitions, every line exactly once', async () => {
    const file = join(dir, 'events.ndjson')
    const chunks: Uint8Array[] = []
    const summary = generateEvents({ count: 100_000, seed: 3 }, (chunk) => chunks.push(chunk))
    writeFileSync(file, Buffer.concat(chunks))
    await broker.createTopic('bulk', 6)

    expect(await broker.produceFile('bulk', file)).toBe(summary.lines)
    const ends = await broker.endOffsets('bulk')
    expect(sum(ends)).toBe(100_000)
    expect([...ends.values()].every((n) => n > 10_000)).toBe(true)
  })

  test('reports the offsets a group committed, and none for a group that never committed', async () => {
    await broker.createTopic('committed', 6)
    await broker.commitOffsets(
      'g1',
      'committed',
      new Map([
        [0, 12],
        [4, 3],
      ]),
    )

    expect(await broker.groupOffsets('g1', 'committed')).toEqual(
      new Map([
        [0, 12],
        [4, 3],
      ]),
    )
    expect((await broker.groupOffsets('nobody', 'committed')).size).toBe(0)
  })

  test('refuses to start a second broker on a port that is taken', async () => {
    const other = mkdtempSync(join(tmpdir(), 'sinker-kafka-test-'))
    try {
      await expect(startKafka({ port, dir: other })).rejects.toThrow('already in use')
    } finally {
      rmSync(other, { recursive: true, force: true })
    }
  })

  test('stops the JVM on stop, and a second stop is harmless', async () => {
    await broker.stop()
    await broker.stop()
    expect(alive(broker.pid)).toBe(false)
    expect(await tcpAnswers(port, 500)).toBe(false)
    expect(await portIsFree(port)).toBe(true)
  })
})

// The child starts both shared services, prints what it started, and exits without stopping them.
const CHILD = `
import { readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { sharedClickHouse, sharedKafka } from ${JSON.stringify(join(import.meta.dir, '../support/shared-services'))}
const [kafka, clickhouse] = await Promise.all([sharedKafka(), sharedClickHouse()])
const dirs = readdirSync(tmpdir()).filter((name) => name.includes('-' + process.pid + '-'))
console.log(JSON.stringify({ kafkaPid: kafka.pid, kafkaDir: kafka.dir, url: clickhouse.url, dirs }))
process.exit(0)
`

describe('the shared services of a test process', () => {
  test(
    'start one Kafka broker however many times they are asked for',
    async () => {
      const [a, b] = await Promise.all([sharedKafka(), sharedKafka()])
      expect(a).toBe(b)
      await a.createTopic('shared-once', 2)
      await a.produce('shared-once', [{ value: 'a' }, { value: 'b' }])
      expect(sum(await (await sharedKafka()).endOffsets('shared-once'))).toBe(2)
    },
    START_TIMEOUT_MS,
  )

  test(
    'start one ClickHouse server that answers queries',
    async () => {
      const [a, b] = await Promise.all([sharedClickHouse(), sharedClickHouse()])
      expect(a).toBe(b)
      expect((await a.query('SELECT 40 + 2')).trim()).toBe('42')
    },
    START_TIMEOUT_MS,
  )

  test(
    'are stopped and their folders deleted once the process that started them exits',
    async () => {
      const script = join(mkdtempSync(join(tmpdir(), 'sinker-child-')), 'child.ts')
      writeFileSync(script, CHILD)
      const child = Bun.spawn([process.execPath, script], { stdout: 'pipe', stderr: 'pipe' })
      const [out, err, code] = await Promise.all([
        new Response(child.stdout).text(),
        new Response(child.stderr).text(),
        child.exited,
      ])
      rmSync(join(script, '..'), { recursive: true, force: true })
      expect({ code, err: code === 0 ? '' : err }).toEqual({ code: 0, err: '' })
      const started = JSON.parse(out) as {
        kafkaPid: number
        kafkaDir: string
        url: string
        dirs: string[]
      }
      expect(started.dirs.length).toBe(2)

      expect(await eventually(() => !alive(started.kafkaPid), 30_000)).toBe(true)
      const clickhouseDown = async () =>
        !(await fetch(`${started.url}/ping`).then(
          (r) => r.ok,
          () => false,
        ))
      expect(await eventually(clickhouseDown, 30_000)).toBe(true)
      const left = () => readdirSync(tmpdir()).filter((name) => started.dirs.includes(name))
      expect(await eventually(() => left().length === 0, 30_000)).toBe(true)
      expect(existsSync(started.kafkaDir)).toBe(false)
    },
    START_TIMEOUT_MS,
  )
})
