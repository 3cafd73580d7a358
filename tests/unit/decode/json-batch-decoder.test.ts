import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { decodeJson } from '../../../src/decode/decode-json'
import { JsonBatchDecoder } from '../../../src/decode/json-batch-decoder'

/** Messages back to back in one buffer, with their byte ranges. */
function pack(parts: Uint8Array[]): { bytes: Uint8Array; ranges: [number, number][] } {
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  const ranges: [number, number][] = []
  let at = 0
  for (const p of parts) {
    bytes.set(p, at)
    ranges.push([at, at + p.length])
    at += p.length
  }
  return { bytes, ranges }
}

const utf8 = (s: string) => new TextEncoder().encode(s)

function expectSameAsDecodeJson(parts: Uint8Array[]): void {
  const { bytes, ranges } = pack(parts)
  const batch = new JsonBatchDecoder(bytes)
  for (const [start, end] of ranges) {
    expect(batch.decode(start, end)).toEqual(decodeJson(bytes, start, end))
  }
}

describe('JsonBatchDecoder', () => {
  test('gives decodeJson results for ASCII, non-ASCII, bad UTF-8, non-objects and junk', () => {
    expectSameAsDecodeJson([
      utf8('{"a":1}'),
      utf8('{"name":"Zoë","emoji":"😀"}'),
      new Uint8Array([123, 34, 97, 34, 58, 34, 0xff, 34, 125]),
      utf8('[1,2]'),
      utf8('not json'),
      utf8(''),
      utf8('{"big":18446744073709551615}'),
      utf8('{"b":"\uFFFD"}'),
    ])
  })

  test('handles messages larger than a window and ranges that straddle windows', () => {
    const big = utf8(`{"s":"${'x'.repeat(40_000)}"}`)
    const small = Array.from({ length: 500 }, (_, i) =>
      utf8(`{"i":${i},"pad":"${'y'.repeat(i % 97)}"}`),
    )
    expectSameAsDecodeJson([...small.slice(0, 250), big, ...small.slice(250), big])
  })

  test('decodes out of order, moving its window back', () => {
    const { bytes, ranges } = pack([utf8('{"a":1}'), utf8('{"b":2}'), utf8('{"c":3}')])
    const batch = new JsonBatchDecoder(bytes)
    const [r0, r1, r2] = ranges as [[number, number], [number, number], [number, number]]
    expect(batch.decode(r2[0], r2[1])).toMatchObject({ value: { c: 3 } })
    expect(batch.decode(r0[0], r0[1])).toMatchObject({ value: { a: 1 } })
    expect(batch.decode(r1[0], r1[1])).toMatchObject({ value: { b: 2 } })
  })

  test('matches decodeJson on random messages of random bytes and random JSON', () => {
    const message = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map((v) => utf8(JSON.stringify(v))),
      fc.uint8Array({ maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => utf8(JSON.stringify({ s }))),
    )
    fc.assert(fc.property(fc.array(message, { maxLength: 60 }), expectSameAsDecodeJson), {
      numRuns: 300,
    })
  })
})
