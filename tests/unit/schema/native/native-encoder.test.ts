import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { RUN_DECLINED, RUN_DONE, RUN_FULL, RUN_ROOM } from '../../../../src/schema/run-encoder'
import type { ColumnDef } from '../../../../src/schema/table-schema'
import { FLAG_HAS_HEADERS, FLAG_NULL_VALUE } from '../../../../src/source/packed-batch'
import { dateText, nestedText, numberText, stringText, ws } from '../fast/json-text-arbitraries'
import { encoders, pack, type Reference } from './reference'

const SCALARS = [
  'Int8',
  'UInt8',
  'Int16',
  'UInt16',
  'Int32',
  'UInt32',
  'Int64',
  'UInt64',
  'Int128',
  'UInt256',
  'Float32',
  'Float64',
  'Decimal(12, 2)',
  'Decimal(9, 0)',
  'Decimal(38, 10)',
  'Decimal(2, 2)',
  'Decimal(18, 4)',
  'Bool',
  'String',
  'FixedString(2)',
  'FixedString(4)',
  'UUID',
  'IPv4',
  'IPv6',
  "Enum8('a' = 1, 'b' = -2, 'ü' = 3)",
  'Date',
  'Date32',
  'DateTime',
  "DateTime('Asia/Tokyo')",
  "DateTime('UTC')",
  'DateTime64(3)',
  'DateTime64(0)',
  'DateTime64(9)',
  "DateTime64(6, 'America/New_York')",
]

const scalar = fc.constantFrom(...SCALARS)
const typeText = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 2, arbitrary: scalar.map((t) => `Nullable(${t})`) },
  { weight: 2, arbitrary: scalar.map((t) => `Array(${t})`) },
  { weight: 1, arbitrary: scalar.map((t) => `Array(Nullable(${t}))`) },
  { weight: 1, arbitrary: scalar.map((t) => `Array(Array(${t}))`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'LowCardinality(String)',
      'LowCardinality(Nullable(String))',
      'JSON',
      'Map(String, Int32)',
    ),
  },
)

/** Top-level keys of messages; columns are named from the same pool, so they meet. */
const KEYS = ['id', 'ts', 's', 'n', 'v', 'a', 'meta', 'tags', 'x', 'é']
const SOURCES = ['meta.region', 'meta.v', 'a.b.c', 'meta.a.b', 'ts', 'id', 'x']

const column = fc.record({
  name: fc.constantFrom(...KEYS, 'c1', 'c2', 'c3'),
  type: typeText,
  source: fc.option(fc.constantFrom(...SOURCES), { freq: 3 }),
})
const columns = fc
  .uniqueArray(column, { minLength: 1, maxLength: 8, selector: (c) => c.name })
  .map((cs) =>
    cs.map(
      (c): ColumnDef => ({
        name: c.name,
        type: c.type,
        defaultKind: '',
        ...(c.source === null ? {} : { source: c.source }),
      }),
    ),
  )

const scalarValue = fc.oneof(
  numberText,
  stringText,
  dateText.map((d) => `"${d}"`),
  fc.constantFrom('true', 'false', 'null', '[]', '{}', '["a","b"]', '[1,null,2]'),
  nestedText,
)
/** Objects for the prefixes of dotted sources (meta.region, a.b.c), sometimes nested. */
const objectValue: fc.Arbitrary<string> = fc.letrec<{ obj: string }>((tie) => ({
  obj: fc
    .array(
      fc.tuple(
        fc.constantFrom('region', 'v', 'a', 'b', 'c', 'x', 'meta.region'),
        ws,
        fc.oneof({ depthSize: 'small' }, scalarValue, tie('obj')),
      ),
      { maxLength: 4 },
    )
    .map((es) => `{${es.map(([k, w, v]) => `"${k}"${w}:${w}${v}`).join(',')}}`),
})).obj

const entry = fc.tuple(
  fc.constantFrom(...KEYS, 'meta.region', 'a.b.c', 'unknown', 'région'),
  fc.oneof({ weight: 5, arbitrary: scalarValue }, { weight: 2, arbitrary: objectValue }),
  ws,
  ws,
)
const messageText = fc
  .tuple(ws, fc.array(entry, { maxLength: 9 }))
  .map(([w, es]) => `{${w}${es.map(([k, v, a, b]) => `"${k}"${a}:${b}${v}`).join(`,${w}`)}${w}}`)

const encoder = new TextEncoder()
const MUTATION_BYTES = [0x00, 0x22, 0x5c, 0xff, 0xc3, 0x80, 0x7b, 0x7d, 0x2c, 0x20, 0x0a, 0xed]

/** A message's bytes, sometimes damaged: cut, a stray byte, `\u0000`, bad UTF-8, a BOM. */
const messageBytes = fc
  .tuple(messageText, fc.integer({ min: 0, max: 14 }), fc.nat(), fc.constantFrom(...MUTATION_BYTES))
  .map(([text, damage, at, byte]) => {
    const bytes = encoder.encode(text)
    const k = at % (bytes.length + 1)
    const splice = (ins: number[]) =>
      Uint8Array.from([...bytes.subarray(0, k), ...ins, ...bytes.subarray(k)])
    if (damage === 1) return bytes.subarray(0, k)
    if (damage === 2) return splice([byte])
    if (damage === 3) return splice([...encoder.encode('\\u0000')])
    if (damage === 4) return splice([0xed, 0xa0, 0x80])
    if (damage === 5) return splice([0xc0, 0xaf])
    if (damage === 6) return Uint8Array.from([0xef, 0xbb, 0xbf, ...bytes])
    if (damage === 7) return encoder.encode(` \n${text}\t `)
    return bytes
  })

const zone = fc.constantFrom('UTC', 'Etc/GMT', 'Europe/Berlin', 'Asia/Kolkata', 'America/Sao_Paulo')
const UTC_ZONES = new Set(['UTC', 'Etc/GMT'])
/** Column types with a zone of their own other than UTC: wall-clock text in them is declined. */
const OWN_ZONE = /'(Asia|America)\//

const GUARD = 64
const GUARD_BYTE = 0xa5
const UNSET = 0xdeadbeef

const decoder = new TextDecoder()
const text = (b: Uint8Array | null) => (b === null ? null : decoder.decode(b))

interface Stats {
  reasons: Set<number>
  messages: number
  accepted: number
  /** Messages the fast and slow paths both write that the native side declined in UTC. */
  missedInUtc: number
}

/**
 * Runs a caller's loop over the messages: runs of random length, a body that grows on ROOM and
 * is flushed on FULL, declined messages taken aside. Checks every row and every stop reason.
 */
function runCaller(
  columns: ColumnDef[],
  tz: string,
  messages: Uint8Array[],
  cfg: {
    sep: number
    flags: number[]
    maxValueBytes: number
    cap: number
    limit: number
    splits: number[]
  },
  stats: Stats,
): void {
  const { native, reference } = encoders(columns, tz)
  const refs = new Map<number, Reference>()
  const ref = (k: number) => {
    let r = refs.get(k)
    if (r === undefined) {
      r = reference(messages[k]!)
      refs.set(k, r)
    }
    return r
  }
  const flags = Uint8Array.from(messages.map((_, i) => cfg.flags[i % cfg.flags.length]!))
  const input = pack(messages, cfg.sep, flags)
  const policy = {
    declineFlags: FLAG_NULL_VALUE | FLAG_HAS_HEADERS,
    maxValueBytes: cfg.maxValueBytes,
  }
  let cap = cfg.cap
  let big = new Uint8Array(cap + GUARD).fill(GUARD_BYTE)
  let pos = 0
  let k = 0
  for (let call = 0; k < messages.length; call++) {
    expect(call).toBeLessThan(4 * messages.length + 8)
    const to = Math.min(messages.length, k + cfg.splits[call % cfg.splits.length]!)
    const out = big.subarray(0, cap)
    const committed = big.slice(0, pos)
    const rowEnds = new Uint32Array(to - k + 1).fill(UNSET)
    const r = native.encodeRun(input, policy, k, to, out, pos, cfg.limit, rowEnds)
    const count = Math.floor(r / 4)
    const reason = r % 4
    stats.reasons.add(reason)
    expect(count).toBeLessThanOrEqual(to - k)
    // Nothing at or past out.length; nothing committed before the call changed.
    for (let g = cap; g < cap + GUARD; g++) expect(big[g]).toBe(GUARD_BYTE)
    expect(big.subarray(0, pos)).toEqual(committed)
    for (let j = 0; j < count; j++) {
      const m = k + j
      const end = rowEnds[j]!
      expect(end).toBeLessThanOrEqual(cap)
      if (pos > 0) expect(end).toBeLessThanOrEqual(cfg.limit)
      expect(flags[m]! & policy.declineFlags).toBe(0)
      expect(messages[m]!.length).toBeLessThanOrEqual(cfg.maxValueBytes)
      const { fast, slow } = ref(m)
      // Accepted: the slow path takes it too, and the row is the fast one (else the slow one).
      expect(text(slow)).not.toBeNull()
      expect(text(big.subarray(pos, end))).toBe(`${text(fast ?? slow)}\n`)
      pos = end
      stats.accepted++
    }
    // Nothing recorded for a message not counted.
    expect(rowEnds[count]).toBe(UNSET)
    k += count
    if (reason === RUN_DONE) {
      expect(k).toBe(to)
      continue
    }
    expect(reason === RUN_FULL && pos >= cfg.limit ? true : k < to).toBe(true)
    if (reason === RUN_DECLINED) {
      const { fast, slow } = ref(k)
      const plain = (flags[k]! & policy.declineFlags) === 0
      const fits = messages[k]!.length <= cfg.maxValueBytes
      const ownZone = columns.some((c) => OWN_ZONE.test(c.type))
      if (UTC_ZONES.has(tz) && !ownZone && plain && fits && fast !== null && slow !== null) {
        stats.missedInUtc++
      }
      k++ // the caller takes it on the slow path
    } else if (reason === RUN_ROOM) {
      // The row needs more room than out has left: grow the body and go on.
      const bigger = new Uint8Array(2 * cap + 256 + GUARD).fill(GUARD_BYTE)
      bigger.set(big.subarray(0, pos))
      big = bigger
      cap = 2 * cap + 256
    } else {
      // FULL: the body held rows, and either reached the limit or the next row would pass it.
      expect(pos).toBeGreaterThan(0)
      big.fill(GUARD_BYTE)
      pos = 0
    }
  }
}

describe('compileNativeEncoder: differential against the JS encoders', () => {
  test('every row it writes is the fast (else slow) row; stops are honest', () => {
    const stats: Stats = { reasons: new Set(), messages: 0, accepted: 0, missedInUtc: 0 }
    fc.assert(
      fc.property(
        columns,
        zone,
        fc.array(messageBytes, { minLength: 1, maxLength: 20 }),
        fc.record({
          sep: fc.constantFrom(10, -1, 0),
          flags: fc.array(fc.constantFrom(0, 0, 0, 0, 0, FLAG_NULL_VALUE, FLAG_HAS_HEADERS), {
            minLength: 1,
            maxLength: 5,
          }),
          maxValueBytes: fc.oneof(fc.constant(1 << 20), fc.integer({ min: 10, max: 300 })),
          cap: fc.integer({ min: 0, max: 900 }),
          limit: fc.oneof(fc.integer({ min: 1, max: 2000 }), fc.constant(1 << 30)),
          splits: fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 4 }),
        }),
        (cols, tz, messages, cfg) => {
          stats.messages += messages.length
          runCaller(cols, tz, messages, cfg, stats)
        },
      ),
      { numRuns: Number(process.env.NATIVE_RUNS ?? 1500) },
    )
    expect([...stats.reasons].sort()).toEqual([RUN_DONE, RUN_DECLINED, RUN_ROOM, RUN_FULL])
    // Not vacuous: a fair share of the messages became rows.
    expect(stats.accepted / stats.messages).toBeGreaterThan(0.1)
    // In UTC the native side takes every message both JS paths write.
    expect(stats.missedInUtc).toBe(0)
  }, 300_000)

  test('schemas of every supported type: rows equal the fast (else slow) row', () => {
    // One column per type, values aimed at them: the bench and demo types above all.
    const cols: ColumnDef[] = SCALARS.map((type, i) => ({ name: `c${i}`, type, defaultKind: '' }))
    let accepted = 0
    let total = 0
    fc.assert(
      fc.property(fc.integer({ min: 0, max: cols.length - 1 }), scalarValue, zone, (i, v, tz) => {
        const col = cols[i]!
        const msg = encoder.encode(`{"${col.name}":${v}}`)
        const { native, reference } = encoders(
          [col, { ...col, name: 'w', type: `Array(${col.type})` }],
          tz,
        )
        const both = encoder.encode(`{"${col.name}":${v},"w":[${v},${v}]}`)
        for (const bytes of [msg, both]) {
          total++
          const input = pack([bytes], 10)
          const out = new Uint8Array(8 * bytes.length + 256)
          const rowEnds = new Uint32Array(1)
          const r = native.encodeRun(
            input,
            { declineFlags: 1, maxValueBytes: 1 << 20 },
            0,
            1,
            out,
            0,
            1 << 20,
            rowEnds,
          )
          const { fast, slow } = reference(bytes)
          if (r === 4 * 1 + RUN_DONE) {
            accepted++
            expect(text(slow)).not.toBeNull()
            expect(text(out.subarray(0, rowEnds[0]))).toBe(`${text(fast ?? slow)}\n`)
          } else {
            expect(r).toBe(RUN_DECLINED)
            // In UTC (and no other zone of the column's own) it declines only what fast does.
            const ownZone = OWN_ZONE.test(col.type)
            if (UTC_ZONES.has(tz) && !ownZone && slow !== null) expect(text(fast)).toBeNull()
          }
        }
      }),
      { numRuns: 20_000 },
    )
    expect(accepted / total).toBeGreaterThan(0.1)
  }, 300_000)
})
