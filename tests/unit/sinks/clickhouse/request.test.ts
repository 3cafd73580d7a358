import { describe, expect, test } from 'bun:test'
import { gunzipSync } from 'node:zlib'
import { RowBytes } from '../../../../src/batch/row-bytes'
import { InvalidIdentifierError } from '../../../../src/sinks/clickhouse/identifier'
import type { ClickHouseSinkOptions } from '../../../../src/sinks/clickhouse/options'
import {
  buildInsertRequest,
  buildQueryRequest,
  endpoint,
  insertSettings,
  insertStatement,
} from '../../../../src/sinks/clickhouse/request'
import { capabilitiesOf, parseClickHouseVersion } from '../../../../src/sinks/clickhouse/version'
import type { SinkBatch } from '../../../../src/sinks/sink'

const opts: ClickHouseSinkOptions = {
  url: 'http://127.0.0.1:8123',
  user: 'writer',
  password: 'pw-123',
  database: 'analytics',
  compression: 'none',
  requestTimeoutMs: 30_000,
}
const caps = (version: string) => {
  const parsed = parseClickHouseVersion(version)
  if (!parsed) throw new Error(version)
  return capabilitiesOf(parsed)
}
const batch: SinkBatch = {
  target: { database: 'analytics', table: 'events' },
  rows: RowBytes.fromStrings(['{"id":1,"s":"a"}', '{"id":2,"s":"b"}']),
  bytes: 34,
  label: 'sinker-analytics-events-0_0_1',
}
const paramsOf = (url: string) => [...new URL(url).searchParams.entries()]

describe('insert requests', () => {
  test('quote the target and use JSONEachRow', () => {
    expect(insertStatement(batch)).toBe('INSERT INTO `analytics`.`events` FORMAT JSONEachRow')
  })

  test('on 18.16 send skip_unknown_fields and insert_sample_with_metadata, and nothing newer', async () => {
    const request = await buildInsertRequest(opts, caps('18.16.1'), batch)
    expect(paramsOf(request.url)).toEqual([
      ['query', 'INSERT INTO `analytics`.`events` FORMAT JSONEachRow'],
      ['input_format_skip_unknown_fields', '1'],
      ['insert_sample_with_metadata', '1'],
    ])
  })

  test('from 19.5 use input_format_defaults_for_omitted_fields instead', () => {
    expect(insertSettings(caps('21.8.3'), batch.label)).toEqual([
      ['input_format_skip_unknown_fields', '1'],
      ['input_format_defaults_for_omitted_fields', '1'],
    ])
  })

  test('from 22.2 carry the batch label as insert_deduplication_token', () => {
    expect(insertSettings(caps('24.8.4.13'), batch.label)).toEqual([
      ['input_format_skip_unknown_fields', '1'],
      ['input_format_defaults_for_omitted_fields', '1'],
      ['insert_deduplication_token', 'sinker-analytics-events-0_0_1'],
    ])
    expect(insertSettings(caps('24.8.4.13'), '').map(([name]) => name)).not.toContain(
      'insert_deduplication_token',
    )
  })

  test('send the batch body as it is, newline-terminated rows, credentials in headers only', async () => {
    const request = await buildInsertRequest(opts, caps('18.16.1'), batch)
    expect(request.body).toBe(batch.rows.body)
    expect(new TextDecoder().decode(request.body as Uint8Array)).toBe(
      '{"id":1,"s":"a"}\n{"id":2,"s":"b"}\n',
    )
    expect(request.headers['X-ClickHouse-User']).toBe('writer')
    expect(request.headers['X-ClickHouse-Key']).toBe('pw-123')
    expect(request.headers['Content-Encoding']).toBeUndefined()
    expect(request.url).not.toContain('pw-123')
    expect(request.url).not.toContain('writer')
  })

  test('are built the same way twice, so a replay is sent identically', async () => {
    const a = await buildInsertRequest(opts, caps('24.8.4.13'), batch)
    const b = await buildInsertRequest(opts, caps('24.8.4.13'), batch)
    expect(a).toEqual(b)
  })

  test('gzip the body when configured and say so', async () => {
    const request = await buildInsertRequest(
      { ...opts, compression: 'gzip' },
      caps('18.16.1'),
      batch,
    )
    expect(request.headers['Content-Encoding']).toBe('gzip')
    expect(request.body).toBeInstanceOf(Uint8Array)
    expect(gunzipSync(request.body as Uint8Array).toString()).toBe(
      '{"id":1,"s":"a"}\n{"id":2,"s":"b"}\n',
    )
  })

  test('refuse a target whose name would break out of the quotes', async () => {
    const evil = { ...batch, target: { database: 'analytics', table: 'x` FORMAT TSV --' } }
    await expect(buildInsertRequest(opts, caps('18.16.1'), evil)).rejects.toBeInstanceOf(
      InvalidIdentifierError,
    )
  })
})

describe('statement requests', () => {
  test('send the SQL as the body with the sink database as the default database', () => {
    const request = buildQueryRequest(opts, 'SELECT version()')
    expect(request.body).toBe('SELECT version()')
    expect(paramsOf(request.url)).toEqual([['database', 'analytics']])
    expect(request.headers['X-ClickHouse-Key']).toBe('pw-123')
  })
})

describe('endpoint', () => {
  test('drops credentials written into the URL, since fetch would send them as Basic auth', () => {
    const url = endpoint({ url: 'http://user:secret@ch.example:8123' }, [['database', 'x']])
    expect(url).toBe('http://ch.example:8123/?database=x')
  })

  test('keeps a path prefix of a proxy and encodes every parameter', () => {
    const url = endpoint({ url: 'https://proxy.example/clickhouse' }, [['query', "a b&c='d'"]])
    expect(url.startsWith('https://proxy.example/clickhouse/?query=')).toBe(true)
    expect(new URL(url).searchParams.get('query')).toBe("a b&c='d'")
  })
})
