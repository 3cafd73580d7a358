import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { decodeJson, loosesDigits, NumberText } from '../../../src/decode/decode-json'

const encoder = new TextEncoder()

function decode(text: string) {
  const bytes = encoder.encode(text)
  return decodeJson(bytes, 0, bytes.length)
}

function value(text: string): Record<string, unknown> {
  const r = decode(text)
  if (!r.ok) throw new Error(`${r.reason}: ${r.detail}`)
  return r.value
}

function nested(depth: number, open = '[', close = ']'): string {
  const inner = `${open.repeat(depth - 1)}${close.repeat(depth - 1)}`
  return `{"a":${inner === '' ? '1' : inner}}`
}

describe('decodeJson', () => {
  test('returns the object and its text', () => {
    const r = decode('{"a":1,"b":"x","c":[true,null]}')
    expect(r).toEqual({
      ok: true,
      value: { a: 1, b: 'x', c: [true, null] },
      text: '{"a":1,"b":"x","c":[true,null]}',
    })
  })

  test('reads only the bytes between start and end', () => {
    const bytes = encoder.encode('xx{"a":1}{"b":2}yy')
    expect(decodeJson(bytes, 2, 9)).toMatchObject({ ok: true, value: { a: 1 } })
    expect(decodeJson(bytes, 9, 16)).toMatchObject({ ok: true, value: { b: 2 } })
  })

  test('JSON values that are not objects are not_object', () => {
    for (const text of ['[1,2]', '"x"', '42', 'true', 'null']) {
      expect(decode(text)).toMatchObject({ ok: false, reason: 'not_object' })
    }
    expect(decode('[1]')).toMatchObject({ detail: 'a JSON array, not an object' })
  })

  test('text that is not JSON is invalid_json', () => {
    for (const text of ['', '{', '{"a":}', '{"a":1}x', "{'a':1}", '{"a":NaN}', 'nul']) {
      expect(decode(text)).toMatchObject({ ok: false, reason: 'invalid_json' })
    }
  })

  test('bad UTF-8 is invalid_json, a real U+FFFD is not', () => {
    const bad = [[0xff], [0xc0, 0x80], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]]
    for (const seq of bad) {
      const bytes = new Uint8Array([...encoder.encode('{"a":"'), ...seq, ...encoder.encode('"}')])
      expect(decodeJson(bytes, 0, bytes.length)).toEqual({
        ok: false,
        reason: 'invalid_json',
        detail: 'bad UTF-8',
      })
    }
    expect(value('{"a":"\uFFFD é 😀"}')).toEqual({ a: '\uFFFD é 😀' })
  })

  test('nesting of 64 levels is accepted and 65 is invalid_json, for arrays and objects', () => {
    expect(decode(nested(64)).ok).toBe(true)
    expect(decode(nested(65))).toEqual({
      ok: false,
      reason: 'invalid_json',
      detail: 'nesting deeper than 64',
    })
    const objects = (depth: number) => `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`
    expect(decode(objects(64)).ok).toBe(true)
    expect(decode(objects(65))).toMatchObject({ reason: 'invalid_json' })
    expect(decode(`[${nested(65)}]`)).toMatchObject({ reason: 'invalid_json' })
  })

  test('brackets inside strings and many shallow brackets do not count as depth', () => {
    expect(decode(`{"a":"${'['.repeat(200)}","b":"\\"{{{{"}`).ok).toBe(true)
    expect(decode(`{"a":[${Array(100).fill('[1]').join(',')}]}`).ok).toBe(true)
  })

  test('numbers beyond 2^53 and long decimals keep their exact text', () => {
    const v = value(
      '{"a":9007199254740993,"b":[18446744073709551615],"c":{"d":-12345678901234567890},"e":0.12345678901234567}',
    )
    expect(v.a).toEqual(new NumberText('9007199254740993'))
    expect((v.b as unknown[])[0]).toEqual(new NumberText('18446744073709551615'))
    expect((v.c as { d: unknown }).d).toEqual(new NumberText('-12345678901234567890'))
    expect(v.e).toEqual(new NumberText('0.12345678901234567'))
  })

  test('numbers a double holds exactly stay numbers, even in the exact path', () => {
    const v = value(
      '{"id":"12345678901234567890","a":9007199254740991,"b":1.5,"c":1e300,"d":0.000000000000000001}',
    )
    expect(v).toEqual({
      id: '12345678901234567890',
      a: 9007199254740991,
      b: 1.5,
      c: 1e300,
      d: 1e-18,
    })
  })

  test('NumberText serialises back to its digits inside JSON.stringify', () => {
    const v = value('{"a":[12345678901234567890,1]}')
    expect(JSON.stringify(v)).toBe('{"a":[12345678901234567890,1]}')
  })

  test('loosesDigits counts significant digits before any exponent', () => {
    expect(loosesDigits('9007199254740993', 9007199254740992)).toBe(true)
    expect(loosesDigits('1234567890123456', 1234567890123456)).toBe(false)
    expect(loosesDigits('1234567890123456.0', 1234567890123456)).toBe(true)
    expect(loosesDigits('0.000000000000001', 1e-15)).toBe(false)
    expect(loosesDigits('1.2345678901234567e5', 123456.78901234567)).toBe(true)
  })

  test('every safe integer and every big integer decodes exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 128n), max: 2n ** 128n }), (n) => {
        const got = value(`{"n":${n}}`).n
        const text = got instanceof NumberText ? got.text : String(got)
        expect(text).toBe(String(n))
      }),
    )
  })
})
