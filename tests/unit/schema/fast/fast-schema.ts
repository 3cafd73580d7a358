/**
 * @module tests/unit/schema/fast/fast-schema
 * A schema with every column type the encoders support (nested sources, shared sources, a
 * MATERIALIZED column, a prototype name) and generators of flat events over it, shared by the
 * fast-encoder and ingest tests. Pure test data; never touches the encoders.
 */
import fc from 'fast-check'
import type { ColumnDef } from '../../../../src/schema/table-schema'
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

export const anyValue = fc.oneof(
  numberText,
  stringText,
  dateText.map((d) => `"${d}"`),
  nestedText,
  fc.constantFrom('true', 'false', 'null'),
)
const keyName = fc.constantFrom(
  ...Object.keys(TYPES),
  'constructor',
  'mat',
  'unknown',
  'x.y',
  'meta.region',
  'région',
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
