import { describe, expect, test } from 'bun:test'
import { RowBytes } from '../../../../src/batch/row-bytes'
import type { Clock } from '../../../../src/core/clock'
import { createDorisSink } from '../../../../src/sinks/doris/index'
import type { FetchFn } from '../../../../src/sinks/doris/service'
import type { SinkBatch } from '../../../../src/sinks/sink'

const never = new AbortController().signal
const clock: Clock = { now: () => 0, sleep: () => new Promise(() => {}) }

interface Seen {
  readonly url: string
  readonly headers: Record<string, string>
  readonly body: string | null
}

/** An FE that redirects with userinfo in Location, and a BE that answers `answers` in turn. */
function fakeDoris(answers: Array<Record<string, unknown> | 'reset'>, badFe?: string) {
  const seen: Seen[] = []
  const fetch: FetchFn = async (url, init) => {
    const headers = Object.fromEntries(
      new Headers(init.headers as Record<string, string>).entries(),
    )
    const body = init.body === undefined ? null : new TextDecoder().decode(init.body as Uint8Array)
    seen.push({ url, headers, body })
    expect(init.redirect).toBe('manual')
    if (badFe && url.startsWith(badFe)) throw new Error('ECONNREFUSED')
    if (url.includes(':8030/')) {
      return new Response(null, {
        status: 307,
        headers: { Location: 'http://root@default_cluster:pw@be:8040/api/demo/t/_stream_load?' },
      })
    }
    const next = answers.shift() ?? { Status: 'Success', Message: 'OK' }
    if (next === 'reset') throw new Error('socket closed')
    return new Response(JSON.stringify(next, null, 4))
  }
  return { seen, fetch }
}

const batch: SinkBatch = (() => {
  const rows = RowBytes.fromStrings(['{"id":1}', '{"id":2}'])
  return {
    target: { database: 'demo', table: 't' },
    rows,
    bytes: rows.body.length,
    label: 'it_demo_t_0123',
  }
})()

function sink(fetch: FetchFn, feUrls = ['http://fe:8030']) {
  return createDorisSink(
    {
      feUrls,
      user: 'root',
      password: 'pw',
      database: 'demo',
      format: 'json',
      requestTimeoutMs: 1000,
    },
    { clock, fetch },
  )
}

describe('the Doris sink', () => {
  test('follows the 307 itself: no body to the FE, the body to the BE, Basic auth on both', async () => {
    const doris = fakeDoris([])
    expect(await sink(doris.fetch).send(batch, never)).toEqual({ kind: 'ok' })
    const [fe, be] = doris.seen
    expect(fe!.url).toBe('http://fe:8030/api/demo/t/_stream_load')
    expect(fe!.body).toBeNull()
    expect(be!.url).toBe('http://be:8040/api/demo/t/_stream_load?')
    expect(be!.body).toBe('{"id":1}\n{"id":2}\n')
    for (const s of [fe!, be!]) {
      expect(s.headers.authorization).toBe(`Basic ${Buffer.from('root:pw').toString('base64')}`)
      expect(s.headers.expect).toBe('100-continue')
    }
  })

  test('every attempt of one batch carries the same label, whatever the answers were', async () => {
    const doris = fakeDoris([
      { Status: 'Fail', Message: 'current running txns on db 1 is 9, larger than limit 9' },
      'reset',
      'reset',
      { Status: 'Label Already Exists', ExistingJobStatus: 'RUNNING', Message: '' },
      { Status: 'Label Already Exists', ExistingJobStatus: 'FINISHED', Message: '' },
    ])
    const s = sink(doris.fetch)
    const verdicts = []
    for (let i = 0; i < 4; i++) verdicts.push((await s.send(batch, never)).kind)
    expect(verdicts).toEqual(['retry', 'retry', 'retry', 'duplicate'])
    const labels = new Set(doris.seen.map((r) => r.headers.label))
    expect(labels).toEqual(new Set(['it_demo_t_0123']))
    // A reset is sent once more at once (a stale keep-alive connection), then reported.
    expect(doris.seen.filter((r) => r.url.includes('be:8040')).length).toBe(5)
  })

  test('rotates over the FEs and moves past one that fails', async () => {
    const doris = fakeDoris([], 'http://down:8030')
    const s = sink(doris.fetch, ['http://down:8030', 'http://fe:8030'])
    expect(await s.send(batch, never)).toEqual({ kind: 'ok' })
    expect(await s.send(batch, never)).toEqual({ kind: 'ok' })
    const feCalls = doris.seen
      .filter((r) => r.url.endsWith('/_stream_load'))
      .map((r) => new URL(r.url).host)
    // The down FE (tried twice: the stale-connection resend) is skipped on the next call.
    expect(feCalls).toEqual(['down:8030', 'down:8030', 'fe:8030', 'fe:8030'])
  })

  test('a load with filtered rows is a reject; a closed sink retries without sending', async () => {
    const doris = fakeDoris([
      {
        Status: 'Fail',
        Message: '[DATA_QUALITY_ERROR]too many filtered rows',
        NumberFilteredRows: 1,
      },
    ])
    const s = sink(doris.fetch)
    expect((await s.send(batch, never)).kind).toBe('reject')
    await s.close()
    const before = doris.seen.length
    expect((await s.send(batch, never)).kind).toBe('retry')
    expect(doris.seen.length).toBe(before)
  })

  test('a target name that could escape the URL is rejected before any request', async () => {
    const doris = fakeDoris([])
    const bad = { ...batch, target: { database: 'demo', table: '../x' } }
    expect((await sink(doris.fetch).send(bad, never)).kind).toBe('reject')
    expect(doris.seen).toEqual([])
  })
})
