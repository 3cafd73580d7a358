/**
 * @module tests/unit/support/doris-server/stream-load.test
 * Pins the BE's Stream Load to the protocol reference: the result JSON field by field, auth,
 * labels, filtering with its ErrorURL, max_filter_ratio, strict mode, and what lands.
 */
import { describe, expect, test } from 'bun:test'
import type { DorisServer } from '../../../support/doris-server'
import { basic, beLoad, demoServers, lines, streamLoad } from './helpers'

const startServer = demoServers()

async function server(): Promise<DorisServer> {
  const s = await startServer()
  return s
}

const RESULT_KEYS = [
  'TxnId',
  'Label',
  'Comment',
  'TwoPhaseCommit',
  'Status',
  'Message',
  'NumberTotalRows',
  'NumberLoadedRows',
  'NumberFilteredRows',
  'NumberUnselectedRows',
  'LoadBytes',
  'LoadTimeMs',
  'BeginTxnTimeMs',
  'StreamLoadPutTimeMs',
  'ReadDataTimeMs',
  'WriteDataTimeMs',
  'CommitAndPublishTimeMs',
]

describe('a successful load', () => {
  test('answers HTTP 200 with every field of the result, in order, pretty-printed and ending in a newline', async () => {
    const s = await server()
    const body = lines({ id: 1, name: 'a' }, { id: 2, name: 'b' })
    const res = await beLoad(s, { body, headers: { label: 'ok-1', comment: 'hello' } })
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text).toStartWith('{\n    "TxnId": ')
    expect(text).toEndWith('}\n')
    const result = JSON.parse(text)
    expect(Object.keys(result)).toEqual(RESULT_KEYS)
    expect(result).toMatchObject({
      Label: 'ok-1',
      Comment: 'hello',
      TwoPhaseCommit: 'false',
      Status: 'Success',
      Message: 'OK',
      NumberTotalRows: 2,
      NumberLoadedRows: 2,
      NumberFilteredRows: 0,
      NumberUnselectedRows: 0,
      LoadBytes: Buffer.byteLength(body),
    })
    expect(result.TxnId).toBeGreaterThan(0)
  })

  test('lands values exactly: big integers, rounded decimals, date-times moved to the load time zone', async () => {
    const s = await server()
    const body =
      '{"id": 9007199254740993, "name": "ünï", "amount": "12.345", "ts": "2024-01-02T03:04:05.6789Z"}'
    const result = await streamLoad(s, { body, headers: { timezone: '+08:00' } })
    expect(result.Status).toBe('Success')
    expect(s.rows('demo', 'events')).toEqual([
      { id: 9007199254740993n, name: 'ünï', amount: '12.35', ts: '2024-01-02 11:04:05.679' },
    ])
  })

  test('records the label as VISIBLE with its row count and body hash', async () => {
    const s = await server()
    await streamLoad(s, { body: lines({ id: 1 }, { id: 2 }), headers: { label: 'lbl' } })
    const info = s.labels('demo').get('lbl')
    expect(info?.status).toBe('VISIBLE')
    expect(info?.rows).toBe(2)
    expect(info?.bodyHash).toMatch(/^[0-9a-f]{64}$/)
  })

  test('generates a UUID label when none is sent', async () => {
    const s = await server()
    const result = await streamLoad(s, { body: lines({ id: 1 }) })
    expect(result.Label).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
  })
})

describe('refused loads', () => {
  test('a wrong password on the BE is a Fail result with the access-denied text, TxnId -1, HTTP 200', async () => {
    const s = await server()
    const res = await beLoad(s, {
      body: lines({ id: 1 }),
      auth: basic('root', 'bad'),
      headers: { label: 'x' },
    })
    expect(res.status).toBe(200)
    const result = (await res.json()) as { Message: string }
    expect(result).toMatchObject({ TxnId: -1, Label: 'x', Status: 'Fail' })
    expect(result.Message).toContain('Access denied for root@127.0.0.1')
    expect(s.labels('demo').has('x')).toBe(false)
  })

  test('a load without Basic auth fails with "no valid Basic authorization"', async () => {
    const s = await server()
    const res = await fetch(`${s.beUrl}/api/demo/events/_stream_load`, {
      method: 'PUT',
      body: '{}',
    })
    expect(((await res.json()) as { Message: string }).Message).toBe(
      '[INTERNAL_ERROR]no valid Basic authorization',
    )
  })

  test('an unknown database or table fails', async () => {
    const s = await server()
    expect((await streamLoad(s, { table: 'nope', body: '{}' })).Message).toContain(
      'unknown table, tableName=nope',
    )
    expect((await streamLoad(s, { db: 'nodb', body: '{}' })).Message).toContain(
      'unknown databases, dbName=nodb',
    )
  })

  test('a label outside ^[-_A-Za-z0-9:]{1,128}$ fails with the label format error', async () => {
    const s = await server()
    const result = await streamLoad(s, { body: lines({ id: 1 }), headers: { label: 'bad label!' } })
    expect(result.Message).toContain(
      'Label format error. regex: ^[-_A-Za-z0-9:]{1,128}$, label: bad label!',
    )
  })

  test('an unknown format, JSON with compress_type, and an unemulated header fail by name', async () => {
    const s = await server()
    const msg = async (headers: Record<string, string>) =>
      (await streamLoad(s, { body: '{}', headers })).Message
    expect(await msg({ format: 'xml' })).toBe('[INTERNAL_ERROR]unknown data format, format=xml')
    expect(await msg({ compress_type: 'gz' })).toBe(
      '[INTERNAL_ERROR]compress data of JSON format is not supported.',
    )
    expect(await msg({ where: 'id > 1' })).toContain(
      "header 'where' is not supported by the Doris test server",
    )
  })
})

describe('labels', () => {
  test('a label that already loaded answers Label Already Exists with FINISHED and stores nothing again', async () => {
    const s = await server()
    await streamLoad(s, { body: lines({ id: 1 }), headers: { label: 'once' } })
    const again = await streamLoad(s, { body: lines({ id: 1 }), headers: { label: 'once' } })
    expect(again).toMatchObject({
      TxnId: -1,
      Status: 'Label Already Exists',
      ExistingJobStatus: 'FINISHED',
    })
    expect(Object.keys(again).slice(4, 7)).toEqual(['Status', 'ExistingJobStatus', 'Message'])
    expect(again.Message).toMatch(
      /^\[LABEL_ALREADY_EXISTS\]errCode = 2, detailMessage = Label \[once\] has already been used, relate to txn \[\d+\]$/,
    )
    expect(s.rows('demo', 'events')).toHaveLength(1)
  })

  test('labels are per database', async () => {
    const s = await server()
    s.createDatabase('other')
    s.createTable('other', 'events', [{ name: 'id', type: 'BIGINT' }])
    await streamLoad(s, { body: lines({ id: 1 }), headers: { label: 'shared' } })
    expect(
      (await streamLoad(s, { db: 'other', body: lines({ id: 1 }), headers: { label: 'shared' } }))
        .Status,
    ).toBe('Success')
  })

  test('a label whose load failed can be used again', async () => {
    const s = await server()
    const failed = await streamLoad(s, {
      body: lines({ name: 'no id' }),
      headers: { label: 'retry' },
    })
    expect(failed.Status).toBe('Fail')
    expect(s.labels('demo').get('retry')?.status).toBe('ABORTED')
    expect(
      (await streamLoad(s, { body: lines({ id: 1 }), headers: { label: 'retry' } })).Status,
    ).toBe('Success')
  })
})

describe('filtered rows', () => {
  test('counts rows that do not fit, loads the rest within max_filter_ratio, and serves them at the ErrorURL', async () => {
    const s = await server()
    const body = lines({ id: 1, name: 'ok' }, { id: 2, name: 'much too long' }, { id: 3 })
    const result = await streamLoad(s, { body, headers: { max_filter_ratio: '0.5' } })
    expect(result).toMatchObject({
      Status: 'Success',
      NumberTotalRows: 3,
      NumberLoadedRows: 2,
      NumberFilteredRows: 1,
    })
    expect(Object.keys(result).at(-1)).toBe('ErrorURL')
    const url = String(result.ErrorURL)
    expect(url).toStartWith(`${s.beUrl}/api/_load_error_log?file=__shard_`)
    const log = await (await fetch(url)).text()
    expect(log).toBe(
      'Reason: column_name[name], the length of input is too long than schema. first 32 bytes of input str: [much too long] schema length: 8; actual length: 13;. src line [{"id":2,"name":"much too long"}]; \n',
    )
    expect(s.rows('demo', 'events').map((r) => r.id)).toEqual([1, 3])
  })

  test('fails the whole load above max_filter_ratio, stores nothing and still gives the ErrorURL', async () => {
    const s = await server()
    const result = await streamLoad(s, {
      body: lines({ id: 1 }, { name: 'x' }),
      headers: { label: 'ratio' },
    })
    expect(result).toMatchObject({
      Status: 'Fail',
      Message: '[DATA_QUALITY_ERROR]too many filtered rows',
      NumberTotalRows: 2,
      NumberLoadedRows: 1,
      NumberFilteredRows: 1,
    })
    expect(String(result.ErrorURL)).toContain('_load_error_log')
    expect(s.rows('demo', 'events')).toEqual([])
    expect(s.labels('demo').get('ratio')?.status).toBe('ABORTED')
  })

  test('turns a failed cast into NULL without strict_mode and filters it with strict_mode', async () => {
    const s = await server()
    const body = lines({ id: 1, amount: 'abc' })
    expect((await streamLoad(s, { body })).NumberLoadedRows).toBe(1)
    expect(s.rows('demo', 'events')[0]?.amount).toBeNull()
    const strict = await streamLoad(s, {
      body,
      headers: { strict_mode: 'true', max_filter_ratio: '1' },
    })
    expect(strict).toMatchObject({ Status: 'Success', NumberLoadedRows: 0, NumberFilteredRows: 1 })
    const log = await (await fetch(String(strict.ErrorURL))).text()
    expect(log).toContain(
      'column(amount) value is incorrect while strict mode is true, src value is abc',
    )
  })

  test('filters NULL for a NOT NULL column and a value out of its integer range', async () => {
    const s = await server()
    const body = lines({ id: null }, { id: '99999999999999999999' })
    const result = await streamLoad(s, { body, headers: { max_filter_ratio: '1' } })
    expect(result.NumberFilteredRows).toBe(2)
    expect(await (await fetch(String(result.ErrorURL))).text()).toContain(
      'column(id) values is null while columns is not nullable',
    )
  })
})
