import { describe, expect, test } from 'bun:test'
import { RowBytes } from '../../../../src/batch/row-bytes'
import { systemClock } from '../../../../src/core/clock'
import { createClickHouseSink } from '../../../../src/sinks/clickhouse/index'
import type { ClickHouseSinkOptions } from '../../../../src/sinks/clickhouse/options'
import type { FetchFn } from '../../../../src/sinks/clickhouse/service'
import type { SinkBatch } from '../../../../src/sinks/sink'

const opts: ClickHouseSinkOptions = {
  url: 'http://ch.test:8123',
  user: 'default',
  password: 'hunter2-secret',
  database: 'default',
  compression: 'none',
  requestTimeoutMs: 5_000,
}
const never = new AbortController().signal
const batch: SinkBatch = {
  target: { database: 'default', table: 'events' },
  rows: RowBytes.fromStrings(['{"id":1}']),
  bytes: 9,
  label: 'L1',
}

interface Seen {
  readonly query: string
  readonly body: string
}

/** A fake fetch that answers like 18.16: the version, then whatever `insert` says. */
function fakeServer(insert: () => Response, version = '18.16.1\n') {
  const seen: Seen[] = []
  const fetch: FetchFn = async (url, init) => {
    const query = new URL(url).searchParams.get('query') ?? ''
    seen.push({ query, body: String(init.body) })
    if (String(init.body) === 'SELECT version()') return new Response(version)
    if (String(init.body) === 'SELECT 1') return new Response('1\n')
    return insert()
  }
  return { fetch, seen }
}

describe('createClickHouseSink', () => {
  test('reads the version once and sends each batch as one INSERT', async () => {
    const server = fakeServer(() => new Response(''))
    const sink = createClickHouseSink(opts, { clock: systemClock, fetch: server.fetch })
    expect(await sink.send(batch, never)).toEqual({ kind: 'ok' })
    expect(await sink.send(batch, never)).toEqual({ kind: 'ok' })
    expect(server.seen.map((s) => s.query || s.body)).toEqual([
      'SELECT version()',
      'INSERT INTO `default`.`events` FORMAT JSONEachRow',
      'INSERT INTO `default`.`events` FORMAT JSONEachRow',
    ])
    expect(await sink.serverVersion()).toBe('18.16.1')
    expect((await sink.capabilities()).insertSampleWithMetadata).toBe(true)
    expect(sink.kind).toBe('clickhouse')
  })

  test('sends nothing for an empty batch', async () => {
    const server = fakeServer(() => new Response(''))
    const sink = createClickHouseSink(opts, { clock: systemClock, fetch: server.fetch })
    expect(await sink.send({ ...batch, rows: RowBytes.fromStrings([]), bytes: 0 }, never)).toEqual({
      kind: 'ok',
    })
    expect(server.seen).toEqual([])
  })

  test('classifies a data error as reject and an unknown table as retry', async () => {
    let body =
      'Code: 27, e.displayText() = DB::Exception: Cannot parse input, e.what() = DB::Exception'
    const server = fakeServer(() => new Response(body, { status: 500 }))
    const sink = createClickHouseSink(opts, { clock: systemClock, fetch: server.fetch })
    expect((await sink.send(batch, never)).kind).toBe('reject')
    body =
      "Code: 60, e.displayText() = DB::Exception: Table default.events doesn't exist., e.what() = DB::Exception"
    expect((await sink.send(batch, never)).kind).toBe('retry')
  })

  test('rejects a batch whose target name fails the identifier pattern without sending it', async () => {
    const server = fakeServer(() => new Response(''))
    const sink = createClickHouseSink(opts, { clock: systemClock, fetch: server.fetch })
    const evil = { ...batch, target: { database: 'default', table: 'events`; DROP TABLE x' } }
    const verdict = await sink.send(evil, never)
    expect(verdict.kind).toBe('reject')
    expect(server.seen.filter((s) => s.query.startsWith('INSERT'))).toEqual([])
  })

  test('returns the failed version read as the verdict, and reads again next time', async () => {
    let denied = true
    const fetch: FetchFn = async (_url, init) => {
      if (String(init.body) === 'SELECT version()' && denied) {
        return new Response(
          `Code: 193, e.displayText() = DB::Exception: Wrong password ${opts.password}, e.what() = DB::Exception`,
          { status: 401 },
        )
      }
      return new Response(String(init.body) === 'SELECT version()' ? '18.16.1' : '')
    }
    const sink = createClickHouseSink(opts, { clock: systemClock, fetch })
    const first = await sink.send(batch, never)
    expect(first.kind).toBe('retry')
    expect(JSON.stringify(first)).toContain('WRONG_PASSWORD')
    expect(JSON.stringify(first)).not.toContain(opts.password)
    await expect(sink.serverVersion()).rejects.toThrow('WRONG_PASSWORD')
    denied = false
    expect(await sink.send(batch, never)).toEqual({ kind: 'ok' })
  })

  test('probes with SELECT 1 and runs DDL through the same classification', async () => {
    const server = fakeServer(() => new Response(''))
    const sink = createClickHouseSink(opts, { clock: systemClock, fetch: server.fetch })
    expect(await sink.probe(never)).toEqual({ ok: true, detail: 'ClickHouse answered SELECT 1' })
    expect(await sink.runDdl('TRUNCATE TABLE `default`.`events`', never)).toEqual({ kind: 'ok' })
  })

  test('close is idempotent and ends every later call without a request', async () => {
    const server = fakeServer(() => new Response(''))
    const sink = createClickHouseSink(opts, { clock: systemClock, fetch: server.fetch })
    await sink.close()
    await sink.close()
    expect((await sink.send(batch, never)).kind).toBe('retry')
    expect((await sink.probe(never)).ok).toBe(false)
    expect((await sink.runDdl('SELECT 1', never)).kind).toBe('retry')
    await expect(sink.describe(batch.target, never)).rejects.toThrow('closed')
    expect(server.seen).toEqual([])
  })

  test('close aborts a request still under way', async () => {
    let started: () => void = () => {}
    const inFlight = new Promise<void>((resolve) => {
      started = resolve
    })
    const fetch: FetchFn = (_url, init) => {
      if (String(init.body) === 'SELECT version()') return Promise.resolve(new Response('18.16.1'))
      started()
      return new Promise<Response>((_, reject) =>
        init.signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
      )
    }
    const sink = createClickHouseSink(opts, { clock: systemClock, fetch })
    const pending = sink.send(batch, never)
    await inFlight
    await sink.close()
    expect((await pending).kind).toBe('retry')
  })
})
