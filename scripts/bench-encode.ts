/**
 * @module scripts/bench-encode
 * Measures the hot path: decodeJson + RowEncoder.encode over 1M realistic ~200-byte events held
 * in one buffer, as the packed Kafka batch holds them. Prints ns/message and CPU seconds per 1M.
 * `floor` is TextDecoder + JSON.parse alone: what any JSON.parse-based decoder costs here.
 * Run: node_modules/.bin/bun scripts/bench-encode.ts [messages=1000000] [rounds=3]
 */
import { decodeJson } from '../src/decode/decode-json'
import { JsonBatchDecoder } from '../src/decode/json-batch-decoder'
import { compileRowEncoder, RowFailure } from '../src/schema/row-encoder'
import type { ColumnDef } from '../src/schema/table-schema'

const COLUMNS: ColumnDef[] = [
  { name: 'event_id', type: 'UInt64', defaultKind: '' },
  { name: 'user_id', type: 'String', defaultKind: '' },
  { name: 'session', type: 'UUID', defaultKind: '' },
  { name: 'ts', type: 'DateTime64(3)', defaultKind: '' },
  { name: 'day', type: 'Date', defaultKind: '', source: 'ts' },
  { name: 'event', type: 'LowCardinality(String)', defaultKind: '' },
  { name: 'amount', type: 'Decimal(18, 4)', defaultKind: '' },
  { name: 'price', type: 'Float64', defaultKind: '' },
  { name: 'region', type: 'String', defaultKind: '', source: 'meta.region' },
  { name: 'app_version', type: 'UInt16', defaultKind: '', source: 'meta.v' },
  { name: 'tags', type: 'Array(String)', defaultKind: '' },
  { name: 'ok', type: 'UInt8', defaultKind: '' },
  { name: 'note', type: 'Nullable(String)', defaultKind: '' },
]

const EVENTS = ['click', 'view', 'purchase', 'signup']
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-south-1']

function event(i: number): string {
  const ms = 1_763_000_000_000 + i * 37
  return JSON.stringify({
    event_id: 9_000_000_000 + i,
    user_id: `user-${(i * 7919) % 1_000_003}`,
    session: `6ba7b810-9dad-11d1-80b4-${String(i % 1e12).padStart(12, '0')}`,
    ts: new Date(ms).toISOString(),
    event: EVENTS[i % EVENTS.length],
    amount: `${i % 10_000}.${String(i % 100).padStart(2, '0')}`,
    price: 12.5 + (i % 7),
    meta: { region: REGIONS[i % REGIONS.length], v: i % 50 },
    tags: ['a', `t${i % 10}`],
    ok: i % 2 === 0,
  })
}

/** All values back to back in one buffer, with end offsets, like a PackedBatch value region. */
function buildBatch(n: number): { bytes: Uint8Array; ends: Uint32Array; avg: number } {
  const texts = Array.from({ length: n }, (_, i) => event(i))
  const bytes = new TextEncoder().encode(texts.join(''))
  const ends = new Uint32Array(n)
  let at = 0
  for (let i = 0; i < n; i++) {
    at += Buffer.byteLength(texts[i] as string)
    ends[i] = at
  }
  return { bytes, ends, avg: bytes.length / n }
}

function measure(label: string, n: number, work: () => number): void {
  Bun.gc(true)
  const cpu0 = process.cpuUsage()
  const t0 = Bun.nanoseconds()
  const check = work()
  const ns = Bun.nanoseconds() - t0
  const cpu = process.cpuUsage(cpu0)
  const cpuSeconds = (cpu.user + cpu.system) / 1e6
  const perMillion = (cpuSeconds * 1e6) / n
  console.log(
    `${label.padEnd(18)} ${(ns / n).toFixed(0).padStart(5)} ns/msg  ${perMillion.toFixed(3)} CPU-s/1M  (check ${check})`,
  )
}

const n = Number(process.argv[2] ?? 1_000_000)
const rounds = Number(process.argv[3] ?? 3)
const { bytes, ends, avg } = buildBatch(n)
const encoder = compileRowEncoder(
  { target: { database: 'bench', table: 'events' }, version: 1, columns: COLUMNS },
  { timezone: 'Europe/Berlin' },
)
console.log(`${n} messages, ${avg.toFixed(0)} bytes each; sample row:`)
const first = decodeJson(bytes, 0, ends[0] as number)
if (first.ok) console.log(`  ${encoder.encode(first.value)}`)

const decoder = new TextDecoder()

function encodeOrThrow(value: Record<string, unknown>): string {
  const row = encoder.encode(value)
  if (row instanceof RowFailure) throw new Error(row.detail)
  return row
}

for (let r = 0; r < rounds; r++) {
  measure('floor: JSON.parse', n, () => {
    let keys = 0
    for (let i = 0, start = 0; i < n; start = ends[i++] as number) {
      keys += JSON.parse(decoder.decode(bytes.subarray(start, ends[i] as number))).ok ? 1 : 0
    }
    return keys
  })
  measure('decodeJson', n, () => {
    let ok = 0
    for (let i = 0, start = 0; i < n; start = ends[i++] as number) {
      if (decodeJson(bytes, start, ends[i] as number).ok) ok++
    }
    return ok
  })
  measure('JsonBatchDecoder', n, () => {
    let ok = 0
    const batch = new JsonBatchDecoder(bytes)
    for (let i = 0, start = 0; i < n; start = ends[i++] as number) {
      if (batch.decode(start, ends[i] as number).ok) ok++
    }
    return ok
  })
  measure('decodeJson+encode', n, () => {
    let size = 0
    for (let i = 0, start = 0; i < n; start = ends[i++] as number) {
      const d = decodeJson(bytes, start, ends[i] as number)
      if (d.ok) size += encodeOrThrow(d.value).length
    }
    return size
  })
  measure('batch+encode', n, () => {
    let size = 0
    const batch = new JsonBatchDecoder(bytes)
    for (let i = 0, start = 0; i < n; start = ends[i++] as number) {
      const d = batch.decode(start, ends[i] as number)
      if (d.ok) size += encodeOrThrow(d.value).length
    }
    return size
  })
}
