import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { decodeJson } from '../../../../src/decode/decode-json'
import {
  compileFastEncoder,
  DECLINED,
  type FastEncoder,
} from '../../../../src/schema/fast/fast-encoder'
import { compileRowEncoder, type RowEncoder } from '../../../../src/schema/row-encoder'
import type { ColumnDef, SchemaSnapshot } from '../../../../src/schema/table-schema'
import { dateText, nestedText, numberText, stringText, ws } from './json-text-arbitraries'

const TYPES: Record<string, string> = {
  i8: 'Int8',
  u8: 'UInt8',
  i16: 'Int16',
  u16: 'UInt16',
  i32: 'Int32',
  u32: 'UInt32',
  i64: 'Int64',
  u64: 'UInt64',
  i128: 'Int128',
  u256: 'UInt256',
  f32: 'Float32',
  f64: 'Float64',
  d: 'Decimal(12, 2)',
  d0: 'Decimal(9, 0)',
  d38: 'Decimal(38, 10)',
  d22: 'Decimal(2, 2)',
  b: 'Bool',
  s: 'String',
  fs: 'FixedString(4)',
  j: 'JSON',
  uuid: 'UUID',
  ip4: 'IPv4',
  ip6: 'IPv6',
  e: "Enum8('a' = 1, 'b' = -2, 'ü' = 3)",
  date: 'Date',
  date32: 'Date32',
  dt: 'DateTime',
  dtz: "DateTime('Asia/Tokyo')",
  dt64: 'DateTime64(3)',
  dt64z: "DateTime64(6, 'America/New_York')",
  ns: 'Nullable(String)',
  ni: 'Nullable(Int32)',
  lc: 'LowCardinality(String)',
  lcn: 'LowCardinality(Nullable(String))',
  as: 'Array(String)',
  ai: 'Array(Int64)',
  an: 'Array(Nullable(Int8))',
  ad: 'Array(Decimal(5, 1))',
  aa: 'Array(Array(String))',
  m: 'Map(String, Int32)',
}

export const ALL_TYPES: ColumnDef[] = [
  ...Object.entries(TYPES).map(([name, type]) => ({ name, type, defaultKind: '' as const })),
  { name: 'region', type: 'String', defaultKind: '', source: 'meta.region' },
  { name: 'v', type: 'Nullable(UInt16)', defaultKind: '', source: 'meta.v' },
  { name: 'deep', type: 'String', defaultKind: '', source: 'a.b.c' },
  { name: 'day', type: 'Date', defaultKind: '', source: 'dt' },
  { name: 'mat', type: 'UInt8', defaultKind: 'MATERIALIZED' },
  { name: 'constructor', type: 'Nullable(String)', defaultKind: '' },
]

const snapshot = (columns: ColumnDef[]): SchemaSnapshot => ({
  target: { database: 'db', table: 't' },
  version: 3,
  columns,
})

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Encoders are compiled once per schema and zone and reused, as the pipeline does. */
const compiled = new Map<string, { slow: RowEncoder; fast: FastEncoder }>()

function encoders(columns: ColumnDef[], zone: string): { slow: RowEncoder; fast: FastEncoder } {
  const key = `${zone} ${JSON.stringify(columns)}`
  let pair = compiled.get(key)
  if (pair === undefined) {
    pair = {
      slow: compileRowEncoder(snapshot(columns), { timezone: zone }),
      fast: compileFastEncoder(snapshot(columns), { timezone: zone }),
    }
    compiled.set(key, pair)
  }
  return pair
}

/** The slow path's row as UTF-8 bytes, or null when it refuses the message. */
function slowRow(columns: ColumnDef[], zone: string, bytes: Uint8Array): Uint8Array | null {
  const d = decodeJson(bytes, 0, bytes.length)
  if (!d.ok) return null
  const row = encoders(columns, zone).slow.encode(d.value)
  return typeof row === 'string' ? encoder.encode(row) : null
}

/** The fast path's row, written at a non-zero position of a dirty buffer; null if declined. */
function fastRow(columns: ColumnDef[], zone: string, bytes: Uint8Array): Uint8Array | null {
  const { fast } = encoders(columns, zone)
  const src = new Uint8Array(bytes.length + 7).fill(0x7b)
  src.set(bytes, 3)
  const out = new Uint8Array(fast.maxRowBytes(bytes.length) + 5).fill(0x2c)
  const end = fast.encode(src, 3, 3 + bytes.length, out, 5)
  return end === DECLINED ? null : out.slice(5, end)
}

const keyName = fc.constantFrom(
  ...Object.keys(TYPES),
  'constructor',
  'mat',
  'unknown',
  'x.y',
  'meta.region',
  'région',
)
const anyValue = fc.oneof(
  numberText,
  stringText,
  dateText.map((d) => `"${d}"`),
  nestedText,
  fc.constantFrom('true', 'false', 'null'),
)
const metaText = fc
  .array(fc.tuple(fc.constantFrom('region', 'v', 'other'), anyValue), { maxLength: 3 })
  .map((es) => `{${es.map(([k, v]) => `"${k}":${v}`).join(',')}}`)
const entry = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(keyName, anyValue) },
  { weight: 1, arbitrary: fc.tuple(fc.constant('meta'), fc.oneof(metaText, anyValue)) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constant('a'), fc.oneof(fc.constant('{"b":{"c":"deep"}}'), nestedText)),
  },
)

/** A flat event's text: random keys (known, unknown, duplicated), values and spacing. */
export const eventText = fc
  .tuple(ws, fc.array(fc.tuple(entry, ws, ws), { maxLength: 10 }))
  .map(([w, es]) => `{${w}${es.map(([[k, v], a, b]) => `"${k}"${a}:${b}${v}`).join(`,${w}`)}${w}}`)

/** Bytes of an event, sometimes damaged: truncated, bad UTF-8, a BOM, trailing garbage. */
const eventBytes = fc.tuple(eventText, fc.integer({ min: 0, max: 12 })).map(([text, damage]) => {
  const bytes = encoder.encode(text)
  if (damage === 1) return bytes.subarray(0, Math.max(0, bytes.length - 3))
  if (damage === 2) return Uint8Array.from([...bytes.subarray(0, 4), 0xff, ...bytes.subarray(4)])
  if (damage === 3) return Uint8Array.from([0xef, 0xbb, 0xbf, ...bytes])
  if (damage === 4) return encoder.encode(`${text} x`)
  if (damage === 5) return encoder.encode(`[${text}]`)
  return bytes
})

const zone = fc.constantFrom('UTC', 'Europe/Berlin', 'America/Sao_Paulo', 'Asia/Kolkata')

describe('compileFastEncoder', () => {
  test('either declines or writes byte for byte the slow path row, for random events', () => {
    let accepted = 0
    let total = 0
    fc.assert(
      fc.property(eventBytes, zone, (bytes, tz) => {
        total++
        const fast = fastRow(ALL_TYPES, tz, bytes)
        if (fast === null) return
        accepted++
        const slow = slowRow(ALL_TYPES, tz, bytes)
        expect(slow === null ? null : decoder.decode(slow)).toBe(decoder.decode(fast))
        expect(slow).toEqual(fast)
      }),
      { numRuns: 10_000 },
    )
    // The property is only worth something if the fast path takes a fair share of them.
    expect(accepted / total).toBeGreaterThan(0.05)
  }, 60_000)

  test('each column type alone: declines or agrees, for single values of every kind', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL_TYPES.filter((c) => !c.source)),
        anyValue,
        zone,
        (col, value, tz) => {
          const bytes = encoder.encode(`{"${col.name}":${value}}`)
          const fast = fastRow([col], tz, bytes)
          if (fast === null) return
          const slow = slowRow([col], tz, bytes)
          expect(slow === null ? null : decoder.decode(slow)).toBe(decoder.decode(fast))
        },
      ),
      { numRuns: 30_000 },
    )
  }, 60_000)
})
