/**
 * @module tests/unit/support/doris-server/formats.test
 * How load bodies are read: JSON lines and outer arrays, CSV with separators, enclose, escape and
 * `\N`, the columns and partitions headers, UNIQUE KEY replacement, and a body cut short.
 */
import { describe, expect, test } from 'bun:test'
import type { DorisServer } from '../../../support/doris-server'
import { demoServers, lines, PASSWORD, streamLoad } from './helpers'

const startServer = demoServers()

async function server(): Promise<DorisServer> {
  const s = await startServer()
  return s
}

describe('JSON bodies', () => {
  test('reads one object per line with read_json_by_line, skipping blank lines', async () => {
    const s = await server()
    const result = await streamLoad(s, {
      body: `${lines({ id: 1 }, { id: 2 })}\n\n${lines({ id: 3 })}\n`,
    })
    expect(result.NumberLoadedRows).toBe(3)
  })

  test('reads an outer array with strip_outer_array and refuses one without it', async () => {
    const s = await server()
    const array = JSON.stringify([{ id: 1 }, { id: 2 }])
    const stripped = await streamLoad(s, {
      body: array,
      headers: { read_json_by_line: 'false', strip_outer_array: 'true' },
    })
    expect(stripped.NumberLoadedRows).toBe(2)
    const refused = await streamLoad(s, { body: array, headers: { read_json_by_line: 'false' } })
    expect(refused).toMatchObject({ Status: 'Fail', NumberFilteredRows: 1 })
    expect(await (await fetch(String(refused.ErrorURL))).text()).toContain(
      'JSON data is array-object, `strip_outer_array` must be TRUE.',
    )
  })

  test('filters a line that is not JSON, with the parse error as its reason', async () => {
    const s = await server()
    const result = await streamLoad(s, {
      body: '{"id":1}\n{"id":',
      headers: { max_filter_ratio: '0.5' },
    })
    expect(result).toMatchObject({ Status: 'Success', NumberLoadedRows: 1, NumberFilteredRows: 1 })
    expect(await (await fetch(String(result.ErrorURL))).text()).toContain(
      'Parse json data for JsonDoc failed.',
    )
  })

  test("a column named like an Object property reads only the document's own key", async () => {
    const s = await server()
    s.createTable('demo', 'proto', [
      { name: 'constructor', type: 'STRING' },
      { name: 'toString', type: 'STRING' },
    ])
    await streamLoad(s, { table: 'proto', body: lines({ toString: 'x' }) })
    expect(s.rows('demo', 'proto')).toEqual([{ constructor: null, toString: 'x' }])
  })

  test('ignores keys that match no column, matches keys to columns ignoring case, and stores nested values', async () => {
    const s = await server()
    s.createTable('demo', 'nested', [
      { name: 'id', type: 'INT' },
      { name: 'doc', type: 'JSON' },
      { name: 'tags', type: 'ARRAY<INT>' },
      { name: 'attrs', type: 'MAP<STRING,INT>' },
      { name: 'text', type: 'STRING' },
    ])
    const row = {
      ID: 1,
      doc: { a: [1, 'x'] },
      tags: [1, 2],
      attrs: { k: '3' },
      text: { b: 1 },
      extra: true,
    }
    await streamLoad(s, { table: 'nested', body: lines(row) })
    expect(s.rows('demo', 'nested')).toEqual([
      { id: 1, doc: { a: [1, 'x'] }, tags: [1, 2], attrs: { k: 3 }, text: '{"b":1}' },
    ])
  })
})

describe('CSV bodies', () => {
  test('splits on a multi-character separator and a custom line delimiter, with \\N as NULL', async () => {
    const s = await server()
    const body = '1||a||1.5||\\N@@2||||\\N||2024-01-01 00:00:00'
    const result = await streamLoad(s, {
      body,
      headers: { format: 'csv', column_separator: '||', line_delimiter: '@@' },
    })
    expect(result.NumberLoadedRows).toBe(2)
    expect(s.rows('demo', 'events')).toEqual([
      { id: 1, name: 'a', amount: '1.50', ts: null },
      { id: 2, name: '', amount: null, ts: '2024-01-01 00:00:00.000' },
    ])
  })

  test('keeps separators inside enclosed fields and honours the escape character', async () => {
    const s = await server()
    const body = "1,'a,b',2\n2,'x\\'y',3\n"
    const headers = {
      format: 'csv',
      column_separator: ',',
      enclose: "'",
      escape: '\\',
      columns: 'id,name,amount',
    }
    await streamLoad(s, { body, headers })
    expect(s.rows('demo', 'events').map((r) => r.name)).toEqual(['a,b', "x'y"])
  })

  test('strips outer double quotes with trim_double_quotes and decodes a \\x hex separator', async () => {
    const s = await server()
    const body = '1\x01"quoted"\x01"2.5"\x01\\N\n'
    await streamLoad(s, {
      body,
      headers: { format: 'csv', column_separator: '\\x01', trim_double_quotes: 'true' },
    })
    expect(s.rows('demo', 'events')).toEqual([{ id: 1, name: 'quoted', amount: '2.50', ts: null }])
  })

  test('filters a line with the wrong number of columns and skips header lines of csv_with_names', async () => {
    const s = await server()
    const body = 'id,name\n1,a\n2\n'
    const result = await streamLoad(s, {
      body,
      headers: {
        format: 'csv_with_names',
        column_separator: ',',
        columns: 'id,name',
        max_filter_ratio: '0.5',
      },
    })
    expect(result).toMatchObject({ NumberLoadedRows: 1, NumberFilteredRows: 1 })
    expect(await (await fetch(String(result.ErrorURL))).text()).toContain(
      'actual column number in csv file is  less than  schema column number.actual number: 1',
    )
  })
})

describe('headers that shape the load', () => {
  test('the columns header maps source fields, and an unknown column fails the load', async () => {
    const s = await server()
    await streamLoad(s, {
      body: '7,z\n',
      headers: { format: 'csv', column_separator: ',', columns: 'id, name' },
    })
    expect(s.rows('demo', 'events')).toEqual([{ id: 7, name: 'z', amount: null, ts: null }])
    const bad = await streamLoad(s, { body: '1\n', headers: { format: 'csv', columns: 'nope' } })
    expect(bad.Message).toBe(
      "[ANALYSIS_ERROR]errCode = 2, detailMessage = Unknown column 'nope' in 'events'",
    )
  })

  test('rows outside every partition are filtered, and the partitions header narrows the target', async () => {
    const s = await server()
    s.createTable(
      'demo',
      'daily',
      [
        { name: 'dt', type: 'DATE', nullable: false },
        { name: 'v', type: 'INT' },
      ],
      {
        partitionColumn: 'dt',
        partitions: [
          { name: 'p1', upper: '2024-01-02' },
          { name: 'p2', lower: '2024-01-02', upper: '2024-01-03' },
        ],
      },
    )
    const body = lines(
      { dt: '2024-01-01', v: 1 },
      { dt: '2024-01-02', v: 2 },
      { dt: '2024-01-05', v: 3 },
    )
    const all = await streamLoad(s, { table: 'daily', body, headers: { max_filter_ratio: '1' } })
    expect(all).toMatchObject({ NumberLoadedRows: 2, NumberFilteredRows: 1 })
    expect(await (await fetch(String(all.ErrorURL))).text()).toContain(
      'no partition for this tuple. tuple=(2024-01-05)',
    )
    const narrowed = await streamLoad(s, {
      table: 'daily',
      body,
      headers: { partitions: 'p2', max_filter_ratio: '1' },
    })
    expect(narrowed.NumberLoadedRows).toBe(1)
  })

  test('a UNIQUE KEY table keeps the latest row per key', async () => {
    const s = await server()
    s.createTable(
      'demo',
      'users',
      [
        { name: 'id', type: 'INT', nullable: false },
        { name: 'name', type: 'STRING' },
      ],
      { uniqueKey: ['id'] },
    )
    await streamLoad(s, { table: 'users', body: lines({ id: 1, name: 'a' }, { id: 2, name: 'b' }) })
    await streamLoad(s, { table: 'users', body: lines({ id: 1, name: 'c' }) })
    expect(s.rows('demo', 'users')).toEqual([
      { id: 2, name: 'b' },
      { id: 1, name: 'c' },
    ])
  })
})

describe('the body against Content-Length', () => {
  test('a client that stops before Content-Length bytes fails its load and frees the label', async () => {
    const s = await server()
    const port = Number(new URL(s.beUrl).port)
    const auth = Buffer.from(`root:${PASSWORD}`).toString('base64')
    const request =
      'PUT /api/demo/events/_stream_load HTTP/1.1\r\nHost: x\r\nlabel: cut\r\nformat: json\r\n' +
      `Authorization: Basic ${auth}\r\nContent-Length: 1000\r\n\r\n{"id":1}`
    const socket = await Bun.connect({ hostname: '127.0.0.1', port, socket: { data() {} } })
    socket.write(request)
    await waitFor(() => s.labels('demo').get('cut')?.status === 'PREPARE')
    socket.end()
    await waitFor(() => s.labels('demo').get('cut')?.status === 'ABORTED')
    expect(s.rows('demo', 'events')).toEqual([])
  })
})

/** Polls a condition the server reaches once a request crossed its socket (up to 5 s). */
async function waitFor(condition: () => boolean): Promise<void> {
  const end = Date.now() + 5000
  while (!condition() && Date.now() < end) await Bun.sleep(1)
  expect(condition()).toBe(true)
}
