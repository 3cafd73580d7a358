import { describe, expect, test } from 'bun:test'
import { RUN_DECLINED, RUN_DONE, RUN_FULL, RUN_ROOM } from '../../../../src/schema/run-encoder'
import type { ColumnDef } from '../../../../src/schema/table-schema'
import { FLAG_NULL_VALUE } from '../../../../src/source/packed-batch'
import { encoders, pack } from './reference'

const enc = new TextEncoder()
const dec = new TextDecoder()
const POLICY = { declineFlags: FLAG_NULL_VALUE, maxValueBytes: 1 << 20 }

/** The native row of `{"c":value}` for a column `c` of `type` (no newline), or null if declined. */
function nativeRow(type: string, zone: string, value: string): string | null {
  const { native, reference } = encoders([{ name: 'c', type, defaultKind: '' }], zone)
  const bytes = enc.encode(`{"c":${value}}`)
  const out = new Uint8Array(4096)
  const rowEnds = new Uint32Array(1)
  const r = native.encodeRun(pack([bytes], 10), POLICY, 0, 1, out, 0, 1 << 20, rowEnds)
  if (r === RUN_DECLINED) return null
  expect(r).toBe(4 + RUN_DONE)
  const row = dec.decode(out.subarray(0, rowEnds[0]! - 1))
  // Every accepted row is also the JS reference's.
  const { fast, slow } = reference(bytes)
  expect(row).toBe(dec.decode(fast ?? (slow as Uint8Array)))
  return row
}

/** [type, route zone, value text, the row's value text or null for a decline] */
const CASES: Array<[string, string, string, string | null]> = [
  ['UInt64', 'UTC', '9007199254740993', '9007199254740993'],
  ['UInt64', 'UTC', '"9007199254740993"', '9007199254740993'],
  ['UInt64', 'UTC', '18446744073709551615', '18446744073709551615'],
  ['UInt64', 'UTC', '18446744073709551616', null],
  ['UInt64', 'UTC', '-1', null],
  ['Int64', 'UTC', '-9223372036854775808', '-9223372036854775808'],
  ['Int64', 'UTC', '-0', '0'],
  ['Int8', 'UTC', '"-0"', '0'],
  ['Int8', 'UTC', '128', null],
  ['UInt8', 'UTC', 'true', '1'],
  ['UInt16', 'UTC', '1.0', null],
  ['UInt32', 'UTC', '"007"', null],
  ['Int256', 'UTC', `"${2n ** 255n - 1n}"`, String(2n ** 255n - 1n)],
  ['Float64', 'UTC', '-0', '-0'],
  ['Float64', 'UTC', '1e400', null],
  ['Float64', 'UTC', '9007199254740993', null],
  ['Float64', 'UTC', '12.5', '12.5'],
  ['Float32', 'UTC', '1.50', null],
  ['Bool', 'UTC', '0', 'false'],
  ['Bool', 'UTC', 'true', 'true'],
  ['Decimal(12, 2)', 'UTC', '1.5', '1.50'],
  ['Decimal(12, 2)', 'UTC', '"1.5"', '1.50'],
  ['Decimal(12, 2)', 'UTC', '1.005', null],
  ['Decimal(12, 2)', 'UTC', '1234567890.12', '1234567890.12'],
  ['Decimal(12, 2)', 'UTC', '12345678901.1', null],
  ['Decimal(12, 2)', 'UTC', '-0.5', null],
  ['Decimal(12, 2)', 'UTC', '1e2', null],
  ['Decimal(9, 0)', 'UTC', '7.0', '7'],
  ['Decimal(38, 10)', 'UTC', '"12345678901234567890123456789.5"', null],
  [
    'Decimal(38, 10)',
    'UTC',
    '"-1234567890123456789.1234567891"',
    '-1234567890123456789.1234567891',
  ],
  ['String', 'UTC', '9007199254740993', '"9007199254740993"'],
  ['String', 'UTC', '1e400', null],
  ['String', 'UTC', 'false', '"false"'],
  ['String', 'UTC', '"a\\u00e9\\n\\"\\/"', '"aé\\n\\"/"'],
  ['String', 'UTC', '"\\ud83d\\ude00"', null],
  ['String', 'UTC', '"\\u0000\\u001F"', '"\\u0000\\u001f"'],
  ['String', 'UTC', '"日本😀"', '"日本😀"'],
  [
    'String',
    'UTC',
    '{ "b" : 1, "a":[true, null,"x\\"y"]}',
    '"{\\"b\\":1,\\"a\\":[true,null,\\"x\\\\\\"y\\"]}"',
  ],
  ['String', 'UTC', '{"1":2}', null],
  ['String', 'UTC', '{"k":1,"k":2}', null],
  ['FixedString(2)', 'UTC', '"DE"', '"DE"'],
  ['FixedString(2)', 'UTC', '"DEU"', null],
  ['FixedString(2)', 'UTC', '"é"', '"é"'],
  [
    'UUID',
    'UTC',
    '"6BA7B810-9DAD-11D1-80B4-00C04FD430C8"',
    '"6ba7b810-9dad-11d1-80b4-00c04fd430c8"',
  ],
  ['UUID', 'UTC', '"6ba7b8109dad11d180b400c04fd430c8"', '"6ba7b810-9dad-11d1-80b4-00c04fd430c8"'],
  ['UUID', 'UTC', '"6ba7b810-9dad-11d1-80b4-00c04fd430cg"', null],
  ['IPv4', 'UTC', '"1.2.3.4"', '"1.2.3.4"'],
  ['IPv4', 'UTC', '"01.2.3.4"', null],
  ['IPv6', 'UTC', '"::1"', '"::1"'],
  ["Enum8('a' = 1, 'b' = -2)", 'UTC', '-2', '"b"'],
  ["Enum8('a' = 1, 'b' = -2)", 'UTC', '"a"', '"a"'],
  ["Enum8('a' = 1, 'b' = -2)", 'UTC', '"c"', null],
  ['DateTime', 'UTC', '"2024-02-29 12:34:56"', '1709210096'],
  ['DateTime', 'UTC', '"2024-02-29t12:34"', '1709210040'],
  ['DateTime', 'Etc/UTC', '"2024-02-29T12:34:56.789"', '1709210096'],
  ['DateTime', 'Europe/Berlin', '"2024-02-29 12:34:56"', null],
  ['DateTime', 'Europe/Berlin', '"2024-02-29T12:34:56+01:00"', '1709206496'],
  ['DateTime', 'Europe/Berlin', '"2024-02-29T12:34:56-0330"', '1709222696'],
  ['DateTime', 'UTC', '"2023-02-29"', null],
  ['DateTime', 'UTC', '1700000000', '1700000000'],
  ['DateTime', 'UTC', '1700000000123', '1700000000'],
  ['DateTime', 'UTC', '1700000000.5', null],
  ["DateTime('UTC')", 'Asia/Kolkata', '"2024-01-01 00:00:00"', '1704067200'],
  ['DateTime64(3)', 'UTC', '1700000000123', '"1700000000.123"'],
  ['DateTime64(3)', 'UTC', '99999999999', null],
  ['DateTime64(3)', 'UTC', '9999999999', '"9999999999.000"'],
  ['DateTime64(6)', 'UTC', '"2024-01-01T00:00:00.123456789Z"', '"1704067200.123456"'],
  ['DateTime64(0)', 'UTC', '"1970-01-01T00:00:00Z"', '"0000000000"'],
  ['Date', 'UTC', '"2024-01-01T23:30:00Z"', '"2024-01-01"'],
  ['Date', 'Europe/Berlin', '"2024-01-01T23:30:00Z"', null],
  ['Date', 'Europe/Berlin', '"2024-01-01 23:30:00"', '"2024-01-01"'],
  ['Date', 'UTC', '0', '"1970-01-01"'],
  ['Date32', 'UTC', '"1900-01-01"', '"1900-01-01"'],
  // The JS fast path reads this as 1900-01-01; the slow path refuses it, and so does native.
  ['Date32', 'UTC', '"29ab-01-01"', null],
  ['Nullable(String)', 'UTC', 'null', 'null'],
  ['Array(String)', 'UTC', '["a", 1, true]', '["a","1","true"]'],
  ['Array(Nullable(Int8))', 'UTC', '[1,null]', '[1,null]'],
  ['Array(Int8)', 'UTC', '[1,null]', null],
  ['Array(Array(String))', 'UTC', '[[],["x"]]', '[[],["x"]]'],
  ['Map(String, Int32)', 'UTC', '{"a":1}', null],
]

describe('native encoder: fixed edges of each type', () => {
  for (const [type, zone, value, want] of CASES) {
    test(`${type} in ${zone}: ${value}`, () => {
      expect(nativeRow(type, zone, value)).toBe(want === null ? null : `{"c":${want}}`)
    })
  }

  test('a column absent or null: skipped, or null when Nullable', () => {
    const cols: ColumnDef[] = [
      { name: 'a', type: 'UInt8', defaultKind: '' },
      { name: 'b', type: 'Nullable(UInt8)', defaultKind: '' },
      { name: 'r', type: 'String', defaultKind: '', source: 'meta.region' },
    ]
    const { native } = encoders(cols, 'UTC')
    const msgs = ['{"a":null}', '{"meta":{"region":"eu","x":[1]}}', '{"meta.region":"eu"}']
    const input = pack(
      msgs.map((m) => enc.encode(m)),
      -1,
    )
    const out = new Uint8Array(256)
    const rowEnds = new Uint32Array(3)
    const r = native.encodeRun(input, POLICY, 0, 3, out, 0, 1 << 20, rowEnds)
    // The flat spelling of a dotted source is declined (the slow path decides it).
    expect(r).toBe(2 * 4 + RUN_DECLINED)
    expect(dec.decode(out.subarray(0, rowEnds[1]))).toBe('{"b":null}\n{"b":null,"r":"eu"}\n')
  })

  test('rows at the edge of out: every length from none to ample, nothing written past it', () => {
    // Rows that grow most against their messages (padded decimals, quoted numbers, escapes
    // doubled inside nested JSON, dates from one digit, long enum names, one source in two
    // columns), each alone in its schema so no other column's unused room hides a short bound,
    // at 0 and past it, into every out.length around them. A row whose room bound does not fit
    // is written aside, so both ways of writing meet the edge, and a short bound would write
    // past out.length (the guard bytes).
    const col = (name: string, type: string, source?: string): ColumnDef => ({
      name,
      type,
      defaultKind: '',
      ...(source === undefined ? {} : { source }),
    })
    const many = (item: string, n: number) => `[${Array(n).fill(item).join(',')}]`
    const quotes = '\\"'.repeat(40)
    const cases: Array<[ColumnDef[], string]> = [
      [[col('d', 'Array(Decimal(38, 10))')], `{"d":${many('1', 30)}}`],
      [[col('d', 'Decimal(38, 10)'), col('e', 'Decimal(38, 10)', 'd')], '{"d":1}'],
      [[col('s', 'Array(Array(String))')], `{"s":[${many('1', 20)},[],${many('2', 20)}]}`],
      [[col('j', 'String')], `{"j":{"k":"${quotes}\\u0001","a":[1,"\\\\"]}}`],
      [[col('j', 'String')], `{"j":[${many(`"${quotes}"`, 3)}]}`],
      [[col('b', 'Array(Bool)')], `{"b":${many('0', 40)}}`],
      [[col('t', 'Array(DateTime64(9))')], `{"t":${many('0', 30)}}`],
      [[col('t', 'Array(Date)')], `{"t":${many('0', 30)}}`],
      [[col('e', `Array(Enum8('${'e'.repeat(40)}' = 1))`)], `{"e":${many('1', 10)}}`],
      [[col('u', 'Array(UUID)')], `{"u":${many('"6BA7B8109DAD11D180B400C04FD430C8"', 4)}}`],
      [
        [col('n', 'Array(Nullable(Int8))'), col('m', 'Nullable(String)')],
        `{"n":${many('null', 9)}}`,
      ],
      // Where the bound is tight: many columns whose text is mostly their fixed part.
      ...(
        [
          ['DateTime64(9)', '0'],
          ['Decimal(38, 10)', '1'],
          ['Bool', '0'],
          ['Date', '0'],
          ['UUID', '"6BA7B8109DAD11D180B400C04FD430C8"'],
        ] as const
      ).map(([type, value]): [ColumnDef[], string] => {
        const names = Array.from({ length: 24 }, (_, k) => `c${k}`)
        return [
          names.map((n) => col(n, type)),
          `{${names.map((n) => `"${n}":${value}`).join(',')}}`,
        ]
      }),
      [
        Array.from({ length: 24 }, (_, k) => col(`c${k}`, 'String', 'x')),
        '{"x":"2026-11-01T00:00:00.123456789Z"}',
      ],
    ]
    const GUARD_AT = 64
    for (const [cols, m] of cases) {
      const { native, reference } = encoders(cols, 'UTC')
      const bytes = enc.encode(m)
      const { fast, slow } = reference(bytes)
      const want = `${dec.decode(fast ?? (slow as Uint8Array))}\n`
      const row = enc.encode(want)
      // The message second in its batch, so it starts past 0.
      const input = pack([enc.encode('{}'), bytes], 10)
      // Empty, then from well short of the row to past its room bound (under 4 bytes a byte).
      const top = row.length + 4 * bytes.length + 1024
      const caps = [
        0,
        ...Array.from({ length: top - row.length + 64 }, (_, k) => row.length - 64 + k),
      ]
      for (const pos of [0, 29]) {
        for (const cap of caps.filter((c) => c >= 0).map((c) => pos + c)) {
          const big = new Uint8Array(cap + GUARD_AT).fill(0xa5)
          const rowEnds = new Uint32Array(2)
          const r = native.encodeRun(
            input,
            POLICY,
            1,
            2,
            big.subarray(0, cap),
            pos,
            1 << 30,
            rowEnds,
          )
          expect(big.subarray(cap).every((b) => b === 0xa5)).toBe(true)
          if (pos + row.length <= cap) {
            expect(r).toBe(4 + RUN_DONE)
            expect(rowEnds[0]).toBe(pos + row.length)
            expect(dec.decode(big.subarray(pos, pos + row.length))).toBe(want)
          } else {
            // One byte short (or more): ROOM, the row not counted.
            expect(r).toBe(RUN_ROOM)
          }
        }
      }
    }
  })

  test('stops: FULL at the limit, ROOM below out.length, DECLINED for flags and size', () => {
    const { native } = encoders([{ name: 'c', type: 'String', defaultKind: '' }], 'UTC')
    const row = '{"c":"xxxx"}' // 12 bytes, 13 with its newline
    const input = pack(
      [row, row, row, row].map((m) => enc.encode(m)),
      10,
    )
    const rowEnds = new Uint32Array(4)
    const big = new Uint8Array(100)
    // An empty body takes one row of any size; then the limit stops the next.
    expect(native.encodeRun(input, POLICY, 0, 4, big, 0, 5, rowEnds)).toBe(4 + RUN_FULL)
    expect(rowEnds[0]).toBe(13)
    expect(native.encodeRun(input, POLICY, 0, 4, big, 13, 26, rowEnds)).toBe(4 + RUN_FULL)
    expect(native.encodeRun(input, POLICY, 0, 4, big, 13, 25, rowEnds)).toBe(RUN_FULL)
    // Room for one row and a half: ROOM, with nothing written at or past out.length.
    const guarded = new Uint8Array(40).fill(7)
    const r = native.encodeRun(input, POLICY, 0, 4, guarded.subarray(0, 20), 0, 1000, rowEnds)
    expect(r).toBe(4 + RUN_ROOM)
    expect([...guarded.subarray(20)].every((b) => b === 7)).toBe(true)
    // A null value (by its flag) and a value over maxValueBytes are declined.
    const flagged = pack(
      [row, row].map((m) => enc.encode(m)),
      10,
      Uint8Array.from([0, 1]),
    )
    expect(native.encodeRun(flagged, POLICY, 0, 2, big, 0, 1000, rowEnds)).toBe(4 + RUN_DECLINED)
    const small = { declineFlags: 1, maxValueBytes: 11 }
    expect(native.encodeRun(input, small, 0, 2, big, 0, 1000, rowEnds)).toBe(RUN_DECLINED)
  })
})
