/**
 * @module tests/unit/support/doris-server/fe.test
 * Pins the FE port to the protocol reference: the 307 with `user@default_cluster:password`, the
 * missing-Expect and auth answers, 2PC redirect, health, load state, schema API, unknown paths.
 */
import { describe, expect, test } from 'bun:test'
import type { DorisServer } from '../../../support/doris-server'
import { basic, demoServers, lines, PASSWORD, ROOT, streamLoad } from './helpers'

const startServer = demoServers()

async function server(): Promise<DorisServer> {
  const s = await startServer()
  return s
}

function put(
  s: DorisServer,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Response> {
  return fetch(`${s.feUrl}${path}`, {
    method: 'PUT',
    redirect: 'manual',
    headers,
    ...(body ? { body } : {}),
  })
}

describe('FE stream load', () => {
  test('answers 307 with the credentials as user@default_cluster:password and a Location ending in ?', async () => {
    const s = await server()
    const res = await put(s, '/api/demo/events/_stream_load', {
      Authorization: ROOT,
      Expect: '100-continue',
    })
    expect(res.status).toBe(307)
    const bePort = new URL(s.beUrl).port
    // The space of the password is quoted as Java's URI does; the colon stays.
    expect(res.headers.get('location')).toBe(
      `http://root@default_cluster:s3cret:with%20colon@127.0.0.1:${bePort}/api/demo/events/_stream_load?`,
    )
    expect(await res.text()).toBe('')
  })

  test('keeps auth across the redirect: the Location credentials load at the BE', async () => {
    const s = await server()
    const fe = await put(s, '/api/demo/events/_stream_load', {
      Authorization: ROOT,
      Expect: '100-continue',
    })
    const location = new URL(fe.headers.get('location') ?? '')
    const user = decodeURIComponent(location.username)
    expect(user).toBe('root@default_cluster')
    const auth = basic(user, decodeURIComponent(location.password))
    const be = await fetch(`${location.protocol}//${location.host}${location.pathname}`, {
      method: 'PUT',
      headers: { Authorization: auth, format: 'json' },
      body: '{"id": 5}',
    })
    expect(((await be.json()) as { Status: string }).Status).toBe('Success')
    expect(s.rows('demo', 'events')).toEqual([{ id: 5, name: null, amount: null, ts: null }])
  })

  test('keeps the query string after the ? of the Location', async () => {
    const s = await server()
    const res = await put(s, '/api/demo/events/_stream_load?x=1', {
      Authorization: ROOT,
      Expect: '100-continue',
    })
    expect(res.headers.get('location')).toEndWith('/api/demo/events/_stream_load?x=1')
  })

  test('redirects without reading the body: nothing is stored and no BE request is made', async () => {
    const s = await server()
    const res = await put(
      s,
      '/api/demo/events/_stream_load',
      { Authorization: ROOT, Expect: '100-continue' },
      lines({ id: 1 }),
    )
    expect(res.status).toBe(307)
    expect(s.rows('demo', 'events')).toEqual([])
    expect(s.counts().be_stream_load).toBe(0)
  })

  test('answers the RestBaseResult "There is no 100-continue header" with HTTP 200 when Expect is missing', async () => {
    const s = await server()
    const res = await put(s, '/api/demo/events/_stream_load', { Authorization: ROOT })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'FAILED', msg: 'There is no 100-continue header' })
  })

  test('refuses a wrong password with the 401 envelope under HTTP 200', async () => {
    const s = await server()
    const res = await put(s, '/api/demo/events/_stream_load', {
      Authorization: basic('root', 'nope'),
      Expect: '100-continue',
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      msg: 'Unauthorized',
      code: 401,
      data: 'Access denied for root@127.0.0.1',
      count: 0,
    })
  })

  test('asks for auth information when no Basic header is sent', async () => {
    const s = await server()
    const res = await put(s, '/api/demo/events/_stream_load', { Expect: '100-continue' })
    expect(await res.json()).toEqual({
      msg: 'Unauthorized',
      code: 401,
      data: 'Need auth information.',
      count: 0,
    })
  })

  test('accepts a user written with its cluster, user@default_cluster', async () => {
    const s = await server()
    const res = await put(s, '/api/demo/events/_stream_load', {
      Authorization: basic('root@default_cluster', PASSWORD),
      Expect: '100-continue',
    })
    expect(res.status).toBe(307)
  })
})

describe('FE two-phase commit', () => {
  test('redirects _stream_load_2pc to the BE once txn_id or label and txn_operation are given', async () => {
    const s = await server()
    const ok = await put(s, '/api/demo/_stream_load_2pc', {
      Authorization: ROOT,
      label: 'l',
      txn_operation: 'commit',
    })
    expect(ok.status).toBe(307)
    expect(ok.headers.get('location')).toEndWith('/api/demo/_stream_load_2pc?')
    const noId = await put(s, '/api/demo/_stream_load_2pc', {
      Authorization: ROOT,
      txn_operation: 'commit',
    })
    expect(await noId.json()).toEqual({
      status: 'FAILED',
      msg: 'No transaction id or label selected.',
    })
    const noOp = await put(s, '/api/demo/_stream_load_2pc', { Authorization: ROOT, txn_id: '1' })
    expect(await noOp.json()).toEqual({
      status: 'FAILED',
      msg: "No transaction operation('commit' or 'abort') selected.",
    })
  })
})

describe('FE health and load state', () => {
  test('answers /api/health with the backend counts, and the BE with its own body', async () => {
    const s = await server()
    expect(await (await fetch(`${s.feUrl}/api/health`)).json()).toEqual({
      msg: 'success',
      code: 0,
      data: { online_backend_num: 1, total_backend_num: 1 },
      count: 0,
    })
    expect(await (await fetch(`${s.beUrl}/api/health`)).json()).toEqual({
      status: 'OK',
      msg: 'To Be Added',
    })
  })

  test('reports a label as VISIBLE, an unknown one as UNKNOWN, and a missing one as a 403 envelope', async () => {
    const s = await server()
    await streamLoad(s, { body: lines({ id: 1 }), headers: { label: 'seen' } })
    const state = (label: string) =>
      fetch(`${s.feUrl}/api/demo/get_load_state${label}`, {
        headers: { Authorization: ROOT },
      }).then((r) => r.json())
    expect(await state('?label=seen')).toEqual({
      msg: 'success',
      code: 0,
      data: 'VISIBLE',
      count: 0,
    })
    expect(await state('?label=never')).toEqual({
      msg: 'success',
      code: 0,
      data: 'UNKNOWN',
      count: 0,
    })
    expect(await state('')).toEqual({
      msg: 'Bad Request',
      code: 403,
      data: 'No label selected',
      count: 0,
    })
  })

  test('answers 404 for an unknown path and 405 for a known path with another method', async () => {
    const s = await server()
    expect((await fetch(`${s.feUrl}/api/nothing/here/at/all`)).status).toBe(404)
    expect((await fetch(`${s.feUrl}/api/health`, { method: 'PUT' })).status).toBe(405)
    expect((await fetch(`${s.beUrl}/nope`)).status).toBe(404)
    expect(s.counts().fe_unknown).toBe(2)
    expect(s.counts().be_unknown).toBe(1)
  })
})

describe('FE schema API', () => {
  test('lists the base schema in table order with primitive names and decimal precision as strings', async () => {
    const s = await server()
    s.createTable(
      'demo',
      'typed',
      [
        { name: 'k', type: 'INT', nullable: false },
        { name: 'd', type: 'DECIMAL(20,4)' },
        { name: 'small', type: 'DECIMAL(5,1)' },
        { name: 'day', type: 'DATE' },
        { name: 'doc', type: 'JSONB' },
        { name: 'tags', type: 'ARRAY<VARCHAR(4)>' },
        { name: 'txt', type: 'TEXT' },
      ],
      { uniqueKey: ['k'] },
    )
    const res = await fetch(`${s.feUrl}/api/demo/typed/_schema`, {
      headers: { Authorization: ROOT },
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      msg: 'success',
      code: 0,
      count: 0,
      data: {
        status: 200,
        keysType: 'UNIQUE_KEYS',
        properties: [
          { name: 'k', type: 'INT', comment: '', aggregation_type: '' },
          {
            name: 'd',
            type: 'DECIMAL128',
            precision: '20',
            scale: '4',
            comment: '',
            aggregation_type: '',
          },
          {
            name: 'small',
            type: 'DECIMAL32',
            precision: '5',
            scale: '1',
            comment: '',
            aggregation_type: '',
          },
          { name: 'day', type: 'DATEV2', comment: '', aggregation_type: '' },
          { name: 'doc', type: 'JSON', comment: '', aggregation_type: '' },
          { name: 'tags', type: 'ARRAY', comment: '', aggregation_type: '' },
          { name: 'txt', type: 'STRING', comment: '', aggregation_type: '' },
        ],
      },
    })
  })

  test('answers the catalog form, an unknown table as an Error envelope and a bad password as 401', async () => {
    const s = await server()
    const get = (path: string, auth = ROOT) =>
      fetch(`${s.feUrl}${path}`, { headers: { Authorization: auth } }).then((r) => r.json())
    const viaCatalog = (await get('/api/internal/demo/events/_schema')) as {
      data: { keysType: string }
    }
    expect(viaCatalog.data.keysType).toBe('DUP_KEYS')
    expect(await get('/api/demo/missing/_schema')).toEqual({
      msg: 'Error',
      code: 1,
      data: "errCode = 2, detailMessage = Unknown table 'missing' in demo",
      count: 0,
    })
    expect(
      ((await get('/api/demo/events/_schema', basic('root', 'x'))) as { code: number }).code,
    ).toBe(401)
  })
})
