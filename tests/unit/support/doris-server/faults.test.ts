/**
 * @module tests/unit/support/doris-server/faults.test
 * Every fault switch does what it promises, for a count of requests or with a probability, and
 * the request counters see each kind. Delays run on a manual clock: no test sleeps.
 */
import { describe, expect, test } from 'bun:test'
import type { DorisServer } from '../../../support/doris-server'
import {
  beLoad,
  demoServers,
  lines,
  ManualClock,
  ROOT,
  redirectTarget,
  sql,
  streamLoad,
} from './helpers'

const startServer = demoServers()

async function server(
  opts: { clock?: ManualClock; random?: () => number } = {},
): Promise<DorisServer> {
  const s = await startServer(opts)
  return s
}

const LOAD_PATH = '/api/demo/events/_stream_load'
const HEADERS = { Authorization: ROOT, Expect: '100-continue' }

async function connectionError(p: Promise<Response>): Promise<string> {
  try {
    await p
    return 'answered'
  } catch (err) {
    return (err as { code?: string }).code ?? String(err)
  }
}

async function settle(clock: ManualClock, until: () => boolean): Promise<void> {
  // The request crosses a real socket first: on a busy machine that takes real time, not a
  // fixed number of event-loop turns.
  const end = Date.now() + 5000
  while (!until() && Date.now() < end) await Bun.sleep(1)
  expect(until()).toBe(true)
  clock.advance(0)
}

describe('HTTP errors and resets', () => {
  test('feError answers the next N FE requests with the status, then the FE works again', async () => {
    const s = await server()
    s.faults.feError.arm({ count: 2, status: 500 })
    const status = async () =>
      (
        await fetch(`${s.feUrl}${LOAD_PATH}`, {
          method: 'PUT',
          redirect: 'manual',
          headers: HEADERS,
        })
      ).status
    expect([await status(), await status(), await status()]).toEqual([500, 500, 307])
    expect(s.faults.feError.fired).toBe(2)
  })

  test('beError answers 503 by default without reading the body or storing anything', async () => {
    const s = await server()
    s.faults.beError.arm()
    expect((await beLoad(s, { body: lines({ id: 1 }) })).status).toBe(503)
    expect(s.rows('demo', 'events')).toEqual([])
    expect((await beLoad(s, { body: lines({ id: 1 }) })).status).toBe(200)
  })

  test('feReset closes the connection without a byte of answer', async () => {
    const s = await server()
    s.faults.feReset.arm()
    expect(await connectionError(fetch(`${s.feUrl}/api/health`))).toBe('ECONNRESET')
    expect((await fetch(`${s.feUrl}/api/health`)).status).toBe(200)
  })

  test('beReset before the body stores nothing and leaves the label unknown', async () => {
    const s = await server()
    s.faults.beReset.arm({ after: 'headers' })
    expect(
      await connectionError(beLoad(s, { body: lines({ id: 1 }), headers: { label: 'r1' } })),
    ).toBe('ECONNRESET')
    expect(s.labels('demo').has('r1')).toBe(false)
  })

  test('beReset after the body aborts the txn: nothing stored, the label reusable', async () => {
    const s = await server()
    s.faults.beReset.arm({ after: 'body' })
    expect(
      await connectionError(beLoad(s, { body: lines({ id: 1 }), headers: { label: 'r2' } })),
    ).toBe('ECONNRESET')
    expect(s.labels('demo').get('r2')?.status).toBe('ABORTED')
    expect(s.rows('demo', 'events')).toEqual([])
  })

  test('beReset after commit is a lost answer: the rows landed and the retry sees FINISHED', async () => {
    const s = await server()
    s.faults.beReset.arm({ after: 'commit' })
    expect(
      await connectionError(beLoad(s, { body: lines({ id: 1 }), headers: { label: 'r3' } })),
    ).toBe('ECONNRESET')
    expect(s.rows('demo', 'events')).toHaveLength(1)
    const retry = await streamLoad(s, { body: lines({ id: 1 }), headers: { label: 'r3' } })
    expect(retry).toMatchObject({ Status: 'Label Already Exists', ExistingJobStatus: 'FINISHED' })
  })

  test('only limits a switch to some kinds: an SQL-only 503 leaves loads alone', async () => {
    const s = await server()
    s.faults.feError.arm({ count: 1, only: ['sql_ddl'] })
    expect((await streamLoad(s, { body: lines({ id: 1 }) })).Status).toBe('Success')
    const res = await fetch(`${s.feUrl}/api/query/default_cluster/demo`, {
      method: 'POST',
      headers: HEADERS,
      body: JSON.stringify({ stmt: 'TRUNCATE TABLE events' }),
    })
    expect(res.status).toBe(503)
    expect(s.rows('demo', 'events')).toHaveLength(1)
  })

  test('a probability decides per request with the injected random source', async () => {
    const rolls = [0.9, 0.1, 0.6, 0.2]
    const s = await server({ random: () => rolls.shift() ?? 1 })
    s.faults.beError.arm({ probability: 0.5 })
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${s.beUrl}/api/health`)).status)
    expect(statuses).toEqual([200, 503, 200, 503])
  })
})

describe('slow answers', () => {
  test('feSlow holds the FE answer until the clock passes the delay', async () => {
    const clock = new ManualClock()
    const s = await server({ clock })
    s.faults.feSlow.arm({ delayMs: 5000 })
    let answered = false
    const pending = fetch(`${s.feUrl}/api/health`).then((r) => {
      answered = true
      return r.status
    })
    await settle(clock, () => clock.sleeping === 1)
    expect(answered).toBe(false)
    clock.advance(5000)
    expect(await pending).toBe(200)
  })

  test('beSlow holds a load with its label RUNNING; a retry meanwhile sees Label Already Exists RUNNING', async () => {
    const clock = new ManualClock()
    const s = await server({ clock })
    s.faults.beSlow.arm({ delayMs: 30_000 })
    const first = beLoad(s, { body: lines({ id: 1 }), headers: { label: 'slow' } }).then((r) =>
      r.json(),
    )
    // One sleeper is the load's own timeout, the other the injected delay.
    await settle(clock, () => clock.sleeping === 2)
    expect(s.labels('demo').get('slow')?.status).toBe('PREPARE')
    const retry = await streamLoad(s, { body: lines({ id: 1 }), headers: { label: 'slow' } })
    expect(retry).toMatchObject({ Status: 'Label Already Exists', ExistingJobStatus: 'RUNNING' })
    clock.advance(30_000)
    expect(await first).toMatchObject({ Status: 'Success', NumberLoadedRows: 1 })
    expect(s.rows('demo', 'events')).toHaveLength(1)
  })

  test('a load held past its timeout header fails with TIMEOUT and frees its label', async () => {
    const clock = new ManualClock()
    const s = await server({ clock })
    s.faults.beSlow.arm({ delayMs: 10_000 })
    const load = beLoad(s, { body: lines({ id: 1 }), headers: { label: 't', timeout: '5' } })
    await settle(clock, () => clock.sleeping === 2)
    clock.advance(5000)
    const result = (await (await load).json()) as { Status: string; Message: string }
    expect(result.Status).toBe('Fail')
    expect(result.Message).toStartWith('[TIMEOUT]load timeout')
    expect(s.labels('demo').get('t')?.status).toBe('ABORTED')
    expect(s.rows('demo', 'events')).toEqual([])
  })
})

describe('load outcomes', () => {
  test('publishTimeout stores the rows, answers Publish Timeout and marks the txn COMMITTED', async () => {
    const s = await server()
    s.faults.publishTimeout.arm()
    const result = await streamLoad(s, { body: lines({ id: 1 }), headers: { label: 'pt' } })
    expect(result).toMatchObject({
      Status: 'Publish Timeout',
      Message: '[PUBLISH_TIMEOUT]transaction commit successfully, BUT data will be visible later',
      NumberLoadedRows: 1,
    })
    expect(s.rows('demo', 'events')).toHaveLength(1)
    expect(s.labels('demo').get('pt')?.status).toBe('COMMITTED')
  })

  test('labelExists stores the rows and answers as the retry of a lost answer would be answered', async () => {
    const s = await server()
    s.faults.labelExists.arm()
    const result = await streamLoad(s, {
      body: lines({ id: 1 }, { id: 2 }),
      headers: { label: 'lost' },
    })
    expect(result).toMatchObject({
      TxnId: -1,
      Status: 'Label Already Exists',
      ExistingJobStatus: 'FINISHED',
      NumberLoadedRows: 0,
    })
    expect(s.rows('demo', 'events')).toHaveLength(2)
    expect(s.labels('demo').get('lost')).toMatchObject({ status: 'VISIBLE', rows: 2 })
  })

  test('tooManyTxns fails the load with the running-txns message and stores nothing', async () => {
    const s = await server()
    s.faults.tooManyTxns.arm()
    const result = await streamLoad(s, { body: lines({ id: 1 }) })
    expect(result.Status).toBe('Fail')
    expect(String(result.Message)).toMatch(
      /current running txns on db \d+ is 1000, larger than limit 1000/,
    )
    expect(s.rows('demo', 'events')).toEqual([])
  })

  test('filterRows filters the first N good rows, subject to max_filter_ratio', async () => {
    const s = await server()
    s.faults.filterRows.arm({ rows: 1 })
    const result = await streamLoad(s, {
      body: lines({ id: 1 }, { id: 2 }),
      headers: { max_filter_ratio: '0.5' },
    })
    expect(result).toMatchObject({ Status: 'Success', NumberLoadedRows: 1, NumberFilteredRows: 1 })
    expect(s.rows('demo', 'events').map((r) => r.id)).toEqual([2])
    s.faults.filterRows.arm({ rows: 1 })
    expect((await streamLoad(s, { body: lines({ id: 3 }) })).Message).toBe(
      '[DATA_QUALITY_ERROR]too many filtered rows',
    )
  })

  test('sqlFail answers the next statement with an Error envelope and changes nothing', async () => {
    const s = await server()
    await streamLoad(s, { body: lines({ id: 1 }) })
    s.faults.sqlFail.arm({ message: 'boom' })
    expect(await sql(s, 'TRUNCATE TABLE events')).toEqual({
      msg: 'Error',
      code: 1,
      data: 'Failed to execute sql: java.sql.SQLException: errCode = 2, detailMessage = boom',
      count: 0,
    })
    expect(s.rows('demo', 'events')).toHaveLength(1)
  })
})

describe('request counters', () => {
  test('count every request by kind', async () => {
    const s = await server()
    await streamLoad(s, { body: lines({ id: 1 }) })
    await sql(s, 'TRUNCATE TABLE events')
    await sql(s, 'SELECT COUNT(*) FROM events')
    await fetch(`${s.feUrl}/api/demo/events/_schema`, { headers: { Authorization: ROOT } })
    await redirectTarget(s, '/api/demo/_stream_load_2pc', {
      Authorization: ROOT,
      label: 'x',
      txn_operation: 'abort',
    })
    expect(s.counts()).toMatchObject({
      fe_stream_load: 1,
      be_stream_load: 1,
      sql_ddl: 1,
      sql_query: 1,
      schema: 1,
      fe_2pc: 1,
    })
    s.resetCounts()
    expect(Object.values(s.counts()).every((n) => n === 0)).toBe(true)
  })
})
