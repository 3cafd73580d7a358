import { describe, expect, test } from 'bun:test'
import { Batcher, type DrainedBatch } from '../../../src/batch/batcher'
import type { Clock } from '../../../src/core/clock'
import { type WriteOptions, writeBatch } from '../../../src/delivery/batch-writer'
import { FatalError } from '../../../src/errors'
import type { Sink, SinkBatch, Verdict } from '../../../src/sinks/sink'

/** A clock that never waits: `auto` sleeps return at once, held ones only end by abort. */
class ManualClock implements Clock {
  time = 1_000
  readonly sleeps: number[] = []
  constructor(private readonly auto: boolean) {}

  now(): number {
    return this.time
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms)
    if (signal?.aborted) return Promise.reject(signal.reason)
    if (this.auto) {
      this.time += ms
      return Promise.resolve()
    }
    return new Promise((_, reject) => {
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true })
    })
  }
}

/** A sink whose answer is a function of the batch; it checks that sends never overlap. */
class FakeSink implements Sink {
  readonly kind = 'clickhouse' as const
  readonly sent: SinkBatch[] = []
  private active = 0
  constructor(private readonly answer: (batch: SinkBatch, call: number) => Verdict) {}

  async send(batch: SinkBatch): Promise<Verdict> {
    expect(this.active).toBe(0)
    this.active++
    this.sent.push(batch)
    await Promise.resolve()
    this.active--
    return this.answer(batch, this.sent.length)
  }

  describe = () => Promise.resolve(null)
  runDdl = () => Promise.resolve<Verdict>({ kind: 'ok' })
  addColumn = () => Promise.resolve<Verdict>({ kind: 'ok' })
  probe = () => Promise.resolve({ ok: true, detail: '' })
  deduplication = () => Promise.resolve({ ok: true, detail: '' })
  close = () => Promise.resolve()
}

function drained(rows: number): DrainedBatch {
  const limits = { max_rows: 1_000_000, max_bytes: Number.POSITIVE_INFINITY, max_interval_ms: 1000 }
  const target = { database: 'db', table: 'events' }
  const b = new Batcher({ target, version: 1, limits, topics: ['t'], labelPrefix: 'sinker' })
  for (let i = 0; i < rows; i++) {
    const row = `{"i":${i},"s":"é"}`
    b.commit(b.writeText(row) - b.writePos, 0, i % 3, 100 + i, 0)
  }
  return b.drain('rows')
}

function options(clock: Clock, extra: Partial<WriteOptions> = {}): WriteOptions {
  return {
    retry: { max_attempts: 0, initial_backoff_ms: 500, max_backoff_ms: 30_000 },
    clock,
    random: () => 0.5,
    signal: new AbortController().signal,
    ...extra,
  }
}

const retry: Verdict = { kind: 'retry', why: 'HTTP 503' }
const ok: Verdict = { kind: 'ok' }

describe('writeBatch retries', () => {
  test('retries with backoff until the sink accepts, reusing the label', async () => {
    const batch = drained(10)
    const sink = new FakeSink((_, call) => (call < 3 ? retry : ok))
    const clock = new ManualClock(true)
    const attempts: Array<[string, number]> = []
    const onAttempt = (v: Verdict, attempt: number) => attempts.push([v.kind, attempt])
    const outcome = await writeBatch(batch, sink, options(clock, { onAttempt }))
    expect(outcome).toEqual({ written: 10, rejected: [] })
    expect(clock.sleeps).toEqual([250, 500])
    expect(attempts).toEqual([
      ['retry', 1],
      ['retry', 2],
      ['ok', 3],
    ])
    expect(new Set(sink.sent.map((s) => s.label))).toEqual(new Set([batch.label]))
    expect(sink.sent[0]!.bytes).toBe(batch.bytes)
  })

  test('a duplicate answer counts as written', async () => {
    const sink = new FakeSink(() => ({ kind: 'duplicate' }))
    const outcome = await writeBatch(drained(4), sink, options(new ManualClock(true)))
    expect(outcome.written).toBe(4)
  })

  test('throws FatalError once max_attempts are exhausted', async () => {
    const sink = new FakeSink(() => retry)
    const clock = new ManualClock(true)
    const retryOpts = { max_attempts: 3, initial_backoff_ms: 100, max_backoff_ms: 1000 }
    const write = writeBatch(drained(5), sink, options(clock, { retry: retryOpts }))
    await expect(write).rejects.toBeInstanceOf(FatalError)
    await expect(write).rejects.toThrow('failed 3 attempts: HTTP 503')
    expect(sink.sent.length).toBe(3)
    expect(clock.sleeps.length).toBe(2)
  })

  test('sends nothing for an empty batch', async () => {
    const sink = new FakeSink(() => ok)
    expect(await writeBatch(drained(0), sink, options(new ManualClock(true)))).toEqual({
      written: 0,
      rejected: [],
    })
    expect(sink.sent.length).toBe(0)
  })
})

const BAD = new Set([13, 500, 999])
const rejectBad = (batch: SinkBatch): Verdict => {
  const ids = Array.from({ length: batch.rows.length }, (_, k) => JSON.parse(batch.rows.text(k)).i)
  const bad = ids.find((i: number) => BAD.has(i))
  return bad === undefined ? ok : { kind: 'reject', why: `row ${bad}: cannot parse` }
}

describe('writeBatch splitting', () => {
  test('isolates exactly the 3 bad rows among 1000 and writes the rest', async () => {
    const batch = drained(1000)
    const sink = new FakeSink(rejectBad)
    const outcome = await writeBatch(batch, sink, options(new ManualClock(true)))
    expect(outcome.written).toBe(997)
    expect(outcome.rejected).toEqual([
      { index: 13, why: 'row 13: cannot parse' },
      { index: 500, why: 'row 500: cannot parse' },
      { index: 999, why: 'row 999: cannot parse' },
    ])
    for (const part of sink.sent) {
      const texts = Array.from({ length: part.rows.length }, (_, k) => part.rows.text(k))
      // A part is a view of the batch body: exactly its rows, each with its newline.
      expect(part.rows.body).toEqual(new TextEncoder().encode(texts.map((t) => `${t}\n`).join('')))
      expect(part.bytes).toBe(part.rows.body.length)
      expect(part.label).toMatch(/^[A-Za-z0-9_-]{1,128}$/)
    }
    const accepted = sink.sent.filter((s) => rejectBad(s).kind === 'ok')
    expect(accepted.reduce((n, s) => n + s.rows.length, 0)).toBe(997)
  })

  test('sub-batch labels are deterministic and distinct per range', async () => {
    const batch = drained(64)
    const run = async () => {
      const sink = new FakeSink(rejectBad)
      await writeBatch(batch, sink, options(new ManualClock(true)))
      return sink.sent.map((s) => s.label)
    }
    const first = await run()
    expect(await run()).toEqual(first)
    expect(new Set(first).size).toBe(first.length)
    expect(first[0]).toBe(batch.label)
    expect(first[1]).toBe(`${batch.label}_0_32`)
  })
})

describe('writeBatch abort', () => {
  test('rejects with the abort reason during a backoff and writes nothing more', async () => {
    const controller = new AbortController()
    const sink = new FakeSink(() => retry)
    const clock = new ManualClock(false)
    const write = writeBatch(drained(3), sink, options(clock, { signal: controller.signal }))
    while (clock.sleeps.length === 0) await Promise.resolve()
    controller.abort(new Error('shutdown deadline'))
    await expect(write).rejects.toThrow('shutdown deadline')
    expect(sink.sent.length).toBe(1)
  })

  test('an answer that lands after the abort is not reported as written', async () => {
    const controller = new AbortController()
    const sink = new FakeSink(() => {
      controller.abort(new Error('revoked'))
      return ok
    })
    const write = writeBatch(
      drained(3),
      sink,
      options(new ManualClock(true), { signal: controller.signal }),
    )
    await expect(write).rejects.toThrow('revoked')
  })
})
