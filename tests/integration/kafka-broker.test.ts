import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eventLines, eventsText, JUNK_KINDS } from '../../scripts/lib/events'
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
  let dir = ''
  let port = 0
  let broker: KafkaBroker

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sinker-kafka-test-'))
    port = await freePort()
    broker = await startKafka({ port, dir })
  }, START_TIMEOUT_MS)

  afterAll(async () => {
    await broker?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
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
    const { text, summary } = eventsText({ count: 100_000, seed: 3 })
    writeFileSync(file, text)
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
      const started: { kafkaPid: number; kafkaDir: string; url: string; dirs: string[] } =
        JSON.parse(out)
      expect(started.dirs.length).toBe(2)

      expect(await eventually(() => !alive(started.kafkaPid), 30_000)).toBe(true)
      const ping = () => fetch(`${started.url}/ping`).catch(() => null)
      expect(await eventually(async () => (await ping()) === null, 30_000)).toBe(true)
      const left = () => readdirSync(tmpdir()).filter((name) => started.dirs.includes(name))
      expect(await eventually(() => left().length === 0, 30_000)).toBe(true)
      expect(existsSync(started.kafkaDir)).toBe(false)
    },
    START_TIMEOUT_MS,
  )
})

describe('the event generator', () => {
  test('writes the same bytes for the same seed and other bytes for another seed', () => {
    const a = eventsText({ count: 2_000, seed: 5 }).text
    expect(eventsText({ count: 2_000, seed: 5 }).text.equals(a)).toBe(true)
    expect(eventsText({ count: 2_000, seed: 6 }).text.equals(a)).toBe(false)
  })

  test('writes JSON events with ids 1..N and the documented fields, and a summary that adds up', () => {
    const { text, summary } = eventsText({ count: 5_000, seed: 1 })
    const events = text
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(events.map((e) => e.id)).toEqual(Array.from({ length: 5_000 }, (_, i) => i + 1))
    expect(Object.keys(events[0])).toEqual([
      'id',
      'ts',
      'user_id',
      'session',
      'event',
      'url',
      'country',
      'amount',
      'duration_ms',
      'tags',
      'meta',
    ])
    for (const e of events) {
      expect(new Date(e.ts).toISOString()).toBe(e.ts)
      expect(e.session).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      )
      expect(e.event === 'purchase' ? e.amount > 0 : e.amount === 0).toBe(true)
      expect(Object.keys(e.meta)).toEqual(['ua', 'region'])
    }
    expect(new Set(events.map((e) => e.event)).size).toBeGreaterThanOrEqual(5)
    expect(summary).toEqual({
      count: 5_000,
      sumIds: 12_502_500,
      bytes: text.length,
      lines: 5_000,
      junk: 0,
    })
    expect(text.length / 5_000).toBeGreaterThan(180)
    expect(text.length / 5_000).toBeLessThan(300)
  })

  test('follows every M-th event with one junk line, in turn of each junk kind', () => {
    const lines = eventLines({ count: 40, junkEvery: 5, seed: 2 })
    expect(lines.length).toBe(48)
    const junk = lines.filter((_, i) => i % 6 === 5)
    const kindOf = (line: string | Uint8Array): string => {
      if (typeof line !== 'string') return 'bad_utf8'
      try {
        const value = JSON.parse(line)
        if (Array.isArray(value)) return 'not_object'
        return typeof value.id === 'number' ? 'event' : 'type_mismatch'
      } catch {
        return 'invalid_json'
      }
    }
    expect(junk.map(kindOf)).toEqual([...JUNK_KINDS, ...JUNK_KINDS])
    expect(lines.filter((_, i) => i % 6 !== 5).map(kindOf)).toEqual(Array(40).fill('event'))
    expect(eventsText({ count: 40, junkEvery: 5, seed: 2 }).summary).toMatchObject({
      count: 40,
      lines: 48,
      junk: 8,
    })
  })

  test('gives every event a tenant from t01 to tK when asked', () => {
    const tenants = eventLines({ count: 3_000, tenants: 3 }).map(
      (line) => JSON.parse(line as string).tenant,
    )
    expect(new Set(tenants)).toEqual(new Set(['t01', 't02', 't03']))
  })

  test('the command writes the file and prints its summary as JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sinker-gen-'))
    try {
      const out = join(dir, 'events.ndjson')
      const args = ['--count', '1000', '--out', out, '--seed', '9', '--junk-every', '100']
      const proc = Bun.spawn(
        [process.execPath, join(import.meta.dir, '../../scripts/gen-events.ts'), ...args],
        {
          stdout: 'pipe',
        },
      )
      const [stdout, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited])
      const expected = eventsText({ count: 1_000, seed: 9, junkEvery: 100 })
      expect(code).toBe(0)
      expect(JSON.parse(stdout)).toEqual(expected.summary)
      expect(Buffer.from(await Bun.file(out).arrayBuffer()).equals(expected.text)).toBe(true)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
