/**
 * Rows built by decodeJson + the row encoder are inserted into a real ClickHouse 18.16 with
 * JSONEachRow and read back exactly. 18.16 lacks Int128/256, Decimal256, Bool, Date32,
 * DateTime64, Map, IPv4/IPv6 and JSON; those are covered by unit tests only.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { decodeJson } from '../../src/decode/decode-json'
import { compileRowEncoder, type RowEncoder, RowFailure } from '../../src/schema/row-encoder'
import type { ColumnDef } from '../../src/schema/table-schema'
import type { ClickHouseServer } from '../support/clickhouse-server'
import { sharedClickHouse } from '../support/shared-services'

const DB = 'coerce_it'
const TABLE = `every_type_${process.pid}`

const COLUMNS = `
  k UInt8, i8 Int8, i16 Int16, i32 Int32, i64 Int64,
  u8 UInt8, u16 UInt16, u32 UInt32, u64 UInt64,
  f32 Float32, f64 Float64, d9 Decimal(9, 2), d18 Decimal(18, 4), d38 Decimal(38, 10),
  s String, fs FixedString(4), id UUID, day Date, dt DateTime, tokyo DateTime('Asia/Tokyo'),
  e8 Enum8('a' = 1, 'b' = -2, 'it\\'s' = 3), e16 Enum16('x' = 1000, 'y' = -1000),
  ni Nullable(Int32), ns Nullable(String), lc LowCardinality(String), lcn LowCardinality(Nullable(String)),
  an Array(Nullable(Int8)), astr Array(String), aa Array(Array(UInt8)),
  nested_ts DateTime, mat UInt64 MATERIALIZED u64, al UInt8 ALIAS u8`

/** The messages as a producer would send them (backslashes doubled: plain templates keep UTF-8). */
const MESSAGES = [
  `{"k":1,"i8":127,"i16":32767,"i32":2147483647,"i64":9223372036854775807,
    "u8":255,"u16":65535,"u32":4294967295,"u64":18446744073709551615,
    "f32":"inf","f64":"NaN","d9":"9.995","d18":1234567890.12345,"d38":12345678901234567890.1234567891,
    "s":"he said \\"hi\\"\\n\\té 😀","fs":"ab","id":"6BA7B810-9DAD-11D1-80B4-00C04FD430C8",
    "day":"2024-02-29","dt":"2024-03-31 02:30:00","tokyo":"2024-01-01 09:00:00",
    "e8":"b","e16":1000,"ni":null,"ns":"x","lc":"click","lcn":null,
    "an":[1,null,-3],"astr":["a","b"],"aa":[[1],[]],"meta":{"time":"2024-10-27T02:30:00"},"mat":5,"al":6}`,
  `{"k":2,"i8":-128,"i16":-32768,"i32":-2147483648,"i64":"-9223372036854775808",
    "u8":true,"u16":"0","u32":0,"u64":"0",
    "f32":-1.5,"f64":"-inf","d9":"-9.985","d18":"-0.00005","d38":-1e-10,
    "s":42,"fs":"€","id":"6ba7b8109dad11d180b400c04fd430c8",
    "day":1709249400,"dt":1700000000000,"tokyo":"2024-01-01T00:00:00Z",
    "e8":1,"e16":"y","ni":-5,"lc":"view","lcn":"z","an":[],"astr":[],"aa":[],"meta":{"time":0}}`,
  `{"k":3,"i64":9007199254740993,"u64":9007199254740993,"u32":"4294967295",
    "f32":3.4028234663852886e38,"f64":"1.5e3","d9":0.1,"d18":"1e3","d38":"-0.00000000005",
    "s":{"nested":[1,12345678901234567890],"q":"\\""},"fs":"abcd","id":"{6ba7b810-9dad-11d1-80b4-00c04fd430c8}",
    "day":"2105-12-31","dt":"2106-02-07T06:28:15Z","tokyo":"2024-06-30T23:59:59+09:00",
    "e8":"it's","e16":-1000,"lc":"","an":[null],"astr":["é\\u0000"],"aa":[[0,255]],"meta":{"time":1700000000.999}}`,
]

/**
 * What ClickHouse returns per row: `toString(column)` (null for NULL), epoch seconds for date-times,
 * and FixedString as it is (toString would drop its zero padding).
 */
const EXPECTED: Record<string, string | null>[] = [
  {
    i8: '127',
    i16: '32767',
    i32: '2147483647',
    i64: '9223372036854775807',
    u8: '255',
    u16: '65535',
    u32: '4294967295',
    u64: '18446744073709551615',
    f32: 'inf',
    f64: 'nan',
    d9: '10.00',
    d18: '1234567890.1234',
    d38: '12345678901234567890.1234567891',
    s: 'he said "hi"\n\té 😀',
    fs: 'ab\u0000\u0000',
    id: '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
    day: '2024-02-29',
    dt: '1711848600',
    tokyo: '2024-01-01 09:00:00',
    tokyo_epoch: '1704067200',
    e8: 'b',
    e16: 'x',
    ni: null,
    ns: 'x',
    lc: 'click',
    lcn: null,
    an: '[1,NULL,-3]',
    astr: "['a','b']",
    aa: '[[1],[]]',
    nested_ts: '1729989000',
    mat: '18446744073709551615',
    al: '255',
  },
  {
    i8: '-128',
    i16: '-32768',
    i32: '-2147483648',
    i64: '-9223372036854775808',
    u8: '1',
    u16: '0',
    u32: '0',
    u64: '0',
    f32: '-1.5',
    f64: '-inf',
    d9: '-9.98',
    d18: '0.0000',
    d38: '-0.0000000001',
    s: '42',
    fs: '€\u0000',
    id: '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
    day: '2024-03-01',
    dt: '1700000000',
    tokyo: '2024-01-01 09:00:00',
    tokyo_epoch: '1704067200',
    e8: 'a',
    e16: 'y',
    ni: '-5',
    ns: null,
    lc: 'view',
    lcn: 'z',
    an: '[]',
    astr: '[]',
    aa: '[]',
    nested_ts: '0',
    mat: '0',
    al: '1',
  },
  {
    i8: '0',
    i16: '0',
    i32: '0',
    i64: '9007199254740993',
    u8: '0',
    u16: '0',
    u32: '4294967295',
    u64: '9007199254740993',
    f32: '3.4028235e38',
    f64: '1500',
    d9: '0.10',
    d18: '1000.0000',
    d38: '0.0000000000',
    s: '{"nested":[1,12345678901234567890],"q":"\\""}',
    fs: 'abcd',
    id: '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
    day: '2105-12-31',
    dt: '4294967295',
    tokyo: '2024-06-30 23:59:59',
    tokyo_epoch: '1719759599',
    e8: "it's",
    e16: 'y',
    ni: null,
    ns: null,
    lc: '',
    lcn: null,
    an: '[NULL]',
    astr: "['é\\0']",
    aa: '[[0,255]]',
    nested_ts: '1700000000',
    mat: '9007199254740993',
    al: '0',
  },
]

let server: ClickHouseServer
let encoder: RowEncoder

/** Date-times are compared as their stored epoch seconds, FixedString with its zero padding. */
function selectExpression(name: string): string {
  if (name === 'tokyo_epoch') return 'toString(toUInt32(tokyo))'
  if (name === 'dt' || name === 'nested_ts') return `toString(toUInt32(${name}))`
  return name === 'fs' ? 'fs' : `toString(${name})`
}

async function describeTable(): Promise<ColumnDef[]> {
  const text = await server.query(`DESCRIBE TABLE ${DB}.${TABLE} FORMAT JSON`)
  const rows = (
    JSON.parse(text) as { data: { name: string; type: string; default_type: string }[] }
  ).data
  return rows.map((r) => ({
    name: r.name,
    type: r.type,
    defaultKind: r.default_type as ColumnDef['defaultKind'],
    ...(r.name === 'nested_ts' ? { source: 'meta.time' } : {}),
  }))
}

async function insert(rows: string[]): Promise<void> {
  const query = encodeURIComponent(`INSERT INTO ${DB}.${TABLE} FORMAT JSONEachRow`)
  const res = await fetch(`${server.url}/?query=${query}`, {
    method: 'POST',
    body: rows.join('\n'),
    signal: AbortSignal.timeout(30_000),
  })
  expect(`${res.status} ${await res.text()}`).toBe('200 ')
}

beforeAll(async () => {
  server = await sharedClickHouse()
  await server.query(`CREATE DATABASE IF NOT EXISTS ${DB}`)
  await server.query(`DROP TABLE IF EXISTS ${DB}.${TABLE}`)
  await server.query(`CREATE TABLE ${DB}.${TABLE} (${COLUMNS}) ENGINE = MergeTree ORDER BY k`)
  const columns = await describeTable()
  encoder = compileRowEncoder(
    { target: { database: DB, table: TABLE }, version: 1, columns },
    { timezone: 'Europe/Berlin' },
  )
}, 180_000)

afterAll(async () => {
  await server?.query(`DROP TABLE IF EXISTS ${DB}.${TABLE}`)
})

describe('coercion against ClickHouse 18.16', () => {
  test('every encoded row is accepted and reads back exactly', async () => {
    const bytes = new TextEncoder().encode(MESSAGES.map((m) => m.replace(/\n\s*/g, '')).join('\n'))
    const rows: string[] = []
    let start = 0
    for (let end = bytes.indexOf(10); start < bytes.length; end = bytes.indexOf(10, start)) {
      const stop = end === -1 ? bytes.length : end
      const decoded = decodeJson(bytes, start, stop)
      if (!decoded.ok) throw new Error(decoded.detail)
      const row = encoder.encode(decoded.value)
      if (row instanceof RowFailure) throw new Error(row.detail)
      rows.push(row)
      start = stop + 1
    }
    await insert(rows)
    const names = Object.keys(EXPECTED[0] as object)
    // Aliases differ from column names: 18.16 resolves a column name to a same-named alias.
    const select = names.map((n, i) => `${selectExpression(n)} AS c${i}`).join(', ')
    const text = await server.query(
      `SELECT ${select} FROM ${DB}.${TABLE} ORDER BY k FORMAT JSONEachRow`,
    )
    const got = text
      .trim()
      .split('\n')
      .map((line) => {
        const values = Object.values(JSON.parse(line) as Record<string, string | null>)
        return Object.fromEntries(names.map((n, i) => [n, values[i]]))
      })
    expect(got).toEqual(EXPECTED)
  })

  test('values the encoder refuses never reach the server', () => {
    for (const bad of [
      { u8: 256 },
      { d9: '12345678' },
      { dt: -1 },
      { e8: 'c' },
      { fs: 'abcde' },
      { day: '2024-02-30' },
    ]) {
      expect(encoder.encode({ k: 9, ...bad })).toBeInstanceOf(RowFailure)
    }
  })
})
