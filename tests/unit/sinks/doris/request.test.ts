import { describe, expect, test } from 'bun:test'
import type { DorisSinkOptions } from '../../../../src/sinks/doris/options'
import {
  basicAuth,
  beLoadRequest,
  beUrlOf,
  feLoadRequest,
  loadHeaders,
  schemaRequest,
  sqlRequest,
} from '../../../../src/sinks/doris/request'

const opts: DorisSinkOptions = {
  feUrls: ['http://fe:8030'],
  user: 'root',
  password: 'p:w',
  database: 'demo',
  format: 'json',
  requestTimeoutMs: 30_500,
}

describe('Stream Load requests', () => {
  const headers = loadHeaders(opts, { label: 'it_demo_t_abc' }, { format: 'json' })

  test('carry Basic auth, Expect, the batch label, the zone, max_filter_ratio 0 and a timeout', () => {
    expect(headers).toMatchObject({
      Authorization: `Basic ${Buffer.from('root:p:w').toString('base64')}`,
      Expect: '100-continue',
      label: 'it_demo_t_abc',
      format: 'json',
      timezone: 'UTC',
      max_filter_ratio: '0',
      timeout: '31',
    })
    expect(loadHeaders({ ...opts, timezone: 'Asia/Tokyo' }, { label: 'l' }, {}).timezone).toBe(
      'Asia/Tokyo',
    )
  })

  test('the FE leg has no body; credentials in the FE URL never reach the wire', () => {
    const fe = feLoadRequest(
      'http://u:secret@fe:8030/prefix/',
      { database: 'demo', table: 't' },
      headers,
    )
    expect(fe).toEqual({
      method: 'PUT',
      url: 'http://fe:8030/prefix/api/demo/t/_stream_load',
      headers,
    })
  })

  test('the BE URL keeps path and query, drops the userinfo the FE put in Location', () => {
    const location = 'http://root@default_cluster:p%3Aw@10.0.0.5:8040/api/demo/t/_stream_load?'
    const be = beUrlOf(location, 'http://fe:8030')
    expect(be).toBe('http://10.0.0.5:8040/api/demo/t/_stream_load?')
    expect(be).not.toContain('root')
    const body = new Uint8Array([1, 2])
    expect(beLoadRequest(be, headers, body)).toEqual({ method: 'PUT', url: be, headers, body })
    expect(beUrlOf('/api/demo/t/_stream_load', 'http://fe:8030')).toBe(
      'http://fe:8030/api/demo/t/_stream_load',
    )
  })

  test('schema and SQL requests go to the FE APIs with our auth', () => {
    expect(schemaRequest(opts, 'http://fe:8030', { database: 'demo', table: 't' }).url).toBe(
      'http://fe:8030/api/demo/t/_schema',
    )
    const sql = sqlRequest(opts, 'http://fe:8030', 'demo', 'SELECT 1')
    expect(sql.url).toBe('http://fe:8030/api/query/default_cluster/demo')
    expect(sql.headers.Authorization).toBe(basicAuth(opts))
    expect(JSON.parse(sql.body as string)).toEqual({
      stmt: 'SELECT 1',
      is_sync: true,
      limit: 10_000,
    })
  })
})
