/**
 * @module scripts/bench-encode
 * Measures the hot path over 1M events held in one buffer, as a packed Kafka batch holds them:
 * the slow path (decode to objects + RowEncoder.encode) and the byte-level fast path
 * (FastEncoder.encode, alone and writing into batches), on the bench's own ~200-byte events and
 * on the demo's ~265-byte events against the demo table, and the native run encoder
 * (schema/native: one encodeRun per run into a large body). Prints ns/message and CPU s per 1M.
 * `floor` is TextDecoder + JSON.parse alone: what any JSON.parse-based decoder costs here.
 * The native lines' check is the number of rows declined (a Date in a zone with rules, from text
 * with an offset, is declined natively: the bench events' `day` column under Europe/Berlin).
 * Run: node_modules/.bin/bun scripts/bench-encode.ts [messages=1000000] [rounds=3]
 */
import { BatchSet } from '../src/batch/batch-set'
import { JsonBatchDecoder } from '../src/decode/json-batch-decoder'
import { compileFastEncoder, DECLINED } from '../src/schema/fast/fast-encoder'
import { compileNativeEncoder } from '../src/schema/native/native-encoder'
import { compileRowEncoder, RowFailure } from '../src/schema/row-encoder'
import { RUN_DECLINED, RUN_DONE, type RunEncoder } from '../src/schema/run-encoder'
import type { ColumnDef, SchemaSnapshot } from '../src/schema/table-schema'
import { DEMO_TABLE_COLUMNS } from './lib/demo-table'
import { eventsText } from './lib/events'

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

interface Dataset {
  readonly name: string
  readonly snapshot: SchemaSnapshot
  readonly bytes: Uint8Array
  /** End of each value; values are newline-separated (sep = 10), like the packed batch. */
  readonly ends: Uint32Array
}

/** Newline-separated values in one buffer, with end offsets, like a PackedBatch value region. */
function dataset(name: string, columns: ColumnDef[], text: Uint8Array): Dataset {
  const ends: number[] = []
  for (let i = text.indexOf(10); i >= 0; i = text.indexOf(10, i + 1)) ends.push(i)
  const snapshot = { target: { database: 'bench', table: name }, version: 1, columns }
  return { name, snapshot, bytes: text, ends: Uint32Array.from(ends) }
}

function demoColumns(): ColumnDef[] {
  return DEMO_TABLE_COLUMNS.trim()
    .split(/,\n/)
    .map((line) => {
      const [name, ...type] = line.trim().split(' ')
      return { name: name as string, type: type.join(' '), defaultKind: '' as const }
    })
}

function measure(label: string, n: number, work: () => number): void {
  Bun.gc(true)
  const cpu0 = process.cpuUsage()
  const t0 = Bun.nanoseconds()
  const check = work()
  const ns = Bun.nanoseconds() - t0
  const cpu = process.cpuUsage(cpu0)
  const perMillion = ((cpu.user + cpu.system) / 1e6) * (1e6 / n)
  console.log(
    `${label.padEnd(24)} ${(ns / n).toFixed(0).padStart(5)} ns/msg  ${perMillion.toFixed(3)} CPU-s/1M  (check ${check})`,
  )
}

/** Native encodeRun over all messages into one 64 MB body, started over when it fills. */
function nativeRuns(d: Dataset, native: RunEncoder): number {
  const n = d.ends.length
  const input = { values: d.bytes, valueEnd: d.ends, flags: new Uint8Array(n), sep: 10 }
  const policy = { declineFlags: 1, maxValueBytes: 1 << 20 }
  const out = new Uint8Array(64 << 20)
  const rowEnds = new Uint32Array(n)
  let declined = 0
  let pos = 0
  for (let k = 0; k < n; ) {
    const r = native.encodeRun(input, policy, k, n, out, pos, out.length, rowEnds)
    const count = Math.floor(r / 4)
    k += count
    pos = count > 0 ? rowEnds[count - 1]! : pos
    if (r % 4 === RUN_DONE) break
    if (r % 4 === RUN_DECLINED) {
      declined++
      k++
    } else pos = 0
  }
  return declined
}

function runAll(d: Dataset, rounds: number): void {
  const n = d.ends.length
  const slow = compileRowEncoder(d.snapshot, { timezone: 'Europe/Berlin' })
  const fast = compileFastEncoder(d.snapshot, { timezone: 'Europe/Berlin' })
  const native = compileNativeEncoder(d.snapshot, { timezone: 'Europe/Berlin' })
  const nativeUtc = compileNativeEncoder(d.snapshot, { timezone: 'UTC' })
  const each = (f: (start: number, end: number) => number) => {
    let sum = 0
    for (let i = 0, start = 0; i < n; start = d.ends[i++]! + 1) sum += f(start, d.ends[i]!)
    return sum
  }
  console.log(`\n${d.name}: ${n} messages, ${(d.bytes.length / n).toFixed(0)} bytes each`)
  const decoder = new TextDecoder()
  const out = new Uint8Array(1 << 20)
  for (let r = 0; r < rounds; r++) {
    measure('floor: JSON.parse', n, () =>
      each((s, e) => (JSON.parse(decoder.decode(d.bytes.subarray(s, e))) ? 1 : 0)),
    )
    measure('slow: batch decode+encode', n, () => {
      const batch = new JsonBatchDecoder(d.bytes)
      return each((s, e) => {
        const v = batch.decode(s, e)
        const row = v.ok ? slow.encode(v.value) : null
        if (typeof row !== 'string') throw new Error(row instanceof RowFailure ? row.detail : 'bad')
        return row.length
      })
    })
    let pos = 0
    measure('fast: encode', n, () =>
      each((s, e) => {
        if (pos > out.length - 4096) pos = 0
        const end = fast.encode(d.bytes, s, e, out, pos)
        if (end === DECLINED) throw new Error('declined')
        const len = end - pos
        pos = end
        return len
      }),
    )
    const limits = { max_rows: 100_000, max_bytes: 52_428_800, max_interval_ms: 5000 }
    const batches = new BatchSet(limits)
    measure('fast: encode into batches', n, () =>
      each((s, e) => {
        const b = batches.open(d.snapshot.target, 1, fast.maxRowBytes(e - s))
        const end = fast.encode(d.bytes, s, e, b.body, b.writePos)
        if (end === DECLINED) throw new Error('declined')
        return batches.commit(b, end, 'events', 0, s, 0).length
      }),
    )
    if (native === null || nativeUtc === null) {
      console.log('native: rowcodec.node did not load (run scripts/build-addon)')
      continue
    }
    measure('native: encodeRun', n, () => nativeRuns(d, native))
    measure('native: encodeRun (UTC)', n, () => nativeRuns(d, nativeUtc))
  }
}

const n = Number(process.argv[2] ?? 1_000_000)
const rounds = Number(process.argv[3] ?? 3)
const own = new TextEncoder().encode(
  `${Array.from({ length: n }, (_, i) => event(i)).join('\n')}\n`,
)
runAll(dataset('bench events', COLUMNS, own), rounds)
runAll(dataset('demo events', demoColumns(), eventsText({ count: n }).text), rounds)
