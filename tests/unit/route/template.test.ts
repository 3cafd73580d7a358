// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are sinker's own ${field} templates
import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { decodeJsonText, NumberText } from '../../../src/decode/decode-json'
import { parseTemplate, readPath, resolveTemplate } from '../../../src/route/template'

const IDENTIFIER = /^[A-Za-z0-9_]{1,64}$/

/** Values a hostile or careless producer puts in a db-key field; none may name a target. */
const HOSTILE_KEYS = [
  "x'; DROP TABLE t; --",
  'a;DROP',
  'a`b',
  'a"b',
  "a'b",
  '../x',
  '..',
  'a/b',
  'a\\b',
  'a.b',
  'a b',
  'a-b',
  'a\nb',
  'a\n',
  'a\u0000b',
  '$(id)',
  '${tenant}',
  '',
  ' ',
  // Look-alikes: Cyrillic а, fullwidth ａ, Kelvin sign K, dotless ı, a zero-width space.
  '\u0430cme',
  '\uff41cme',
  '\u212a',
  'adm\u0131n',
  'acme\u200b',
  'é',
  'a'.repeat(58),
]

describe('parseTemplate', () => {
  test('a name without placeholders is fixed', () => {
    const t = parseTemplate('events')
    expect(t.fixed).toBe(true)
    expect(resolveTemplate(t, {})).toEqual({ ok: true, name: 'events' })
  })

  test('literal parts and nested paths are split', () => {
    const t = parseTemplate('events_${meta.region}_${tenant}')
    expect(t.fixed).toBe(false)
    expect(t.parts).toEqual([
      { literal: 'events_' },
      { path: ['meta', 'region'] },
      { literal: '_' },
      { path: ['tenant'] },
    ])
  })

  test('rejects unsafe literal text and empty field names', () => {
    expect(() => parseTemplate('events-${a}')).toThrow()
    expect(() => parseTemplate('ev`ents')).toThrow()
    expect(() => parseTemplate('x_${}')).toThrow()
    expect(() => parseTemplate('x_${a..b}')).toThrow()
    expect(() => parseTemplate('a'.repeat(65))).toThrow()
  })
})

describe('resolveTemplate', () => {
  const t = parseTemplate('events_${tenant}')

  test('strings and integers resolve', () => {
    expect(resolveTemplate(t, { tenant: 'acme' })).toEqual({ ok: true, name: 'events_acme' })
    expect(resolveTemplate(t, { tenant: 42 })).toEqual({ ok: true, name: 'events_42' })
  })

  test('a missing field is reported as missing', () => {
    const r = resolveTemplate(t, { other: 1 })
    expect(r.ok).toBe(false)
    expect(r.ok === false && r.missing).toBe(true)
  })

  test('objects, floats and booleans are refused', () => {
    for (const tenant of [{ a: 1 }, 1.5, true, [1]]) {
      const r = resolveTemplate(t, { tenant })
      expect(r.ok === false && !r.missing).toBe(true)
    }
  })

  test('injection attempts and look-alikes never resolve to a name', () => {
    for (const tenant of HOSTILE_KEYS) {
      const r = resolveTemplate(t, { tenant })
      expect(r).toMatchObject({ ok: false, missing: false })
    }
  })

  test('the resolved name may be 64 characters, not 65', () => {
    expect(resolveTemplate(t, { tenant: 'a'.repeat(57) })).toEqual({
      ok: true,
      name: `events_${'a'.repeat(57)}`,
    })
    expect(resolveTemplate(t, { tenant: 'a'.repeat(58) }).ok).toBe(false)
    expect(resolveTemplate(parseTemplate('${tenant}'), { tenant: 'b'.repeat(65) }).ok).toBe(false)
  })

  test('an integer beyond 2^53 names its target by its exact digits, never a rounded double', () => {
    const decoded = decodeJsonText('{"tenant": 18446744073709551615}')
    expect(decoded.ok && decoded.value.tenant).toBeInstanceOf(NumberText)
    const value = decoded.ok ? decoded.value : {}
    expect(resolveTemplate(t, value)).toEqual({ ok: true, name: 'events_18446744073709551615' })
    const twoTo53 = decodeJsonText('{"tenant": 9007199254740993}')
    expect(resolveTemplate(t, twoTo53.ok ? twoTo53.value : {})).toEqual({
      ok: true,
      name: 'events_9007199254740993',
    })
  })

  test('numbers that are not exact integers are refused', () => {
    for (const tenant of [
      2 ** 53,
      1e21,
      -0.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      new NumberText('1.00000000000000000001'),
      new NumberText('1e400'),
      new NumberText('123456789012345678.5'),
    ]) {
      expect(resolveTemplate(t, { tenant })).toMatchObject({ ok: false, missing: false })
    }
  })

  test('a negative integer is no identifier', () => {
    expect(resolveTemplate(t, { tenant: -7 }).ok).toBe(false)
    expect(resolveTemplate(t, { tenant: new NumberText('-18446744073709551615') }).ok).toBe(false)
  })

  test('hostile keys in decoded JSON (escapes included) never resolve (property)', () => {
    const hostile = fc.oneof(
      fc.constantFrom(...HOSTILE_KEYS),
      fc.string({ unit: 'binary' }),
      fc.string({ unit: 'grapheme' }),
      fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map((n) => n.toString()),
    )
    fc.assert(
      fc.property(hostile, fc.boolean(), (key, asNumber) => {
        // A big integer arrives as JSON number text; anything else as a JSON string.
        const json = asNumber && /^-?[0-9]+$/.test(key) ? key : JSON.stringify(key)
        const decoded = decodeJsonText(`{"tenant": ${json}}`)
        if (!decoded.ok) return
        const r = resolveTemplate(t, decoded.value)
        if (!r.ok) return
        expect(r.name).toMatch(IDENTIFIER)
        expect(r.name).toBe(`events_${key}`)
      }),
      { numRuns: 500 },
    )
  })

  test('every resolved name is an identifier, and every identifier-safe key resolves (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer(), fc.double()), (tenant) => {
        const r = resolveTemplate(t, { tenant })
        if (r.ok) expect(r.name).toMatch(IDENTIFIER)
        const text = typeof tenant === 'string' ? tenant : String(tenant)
        const safe =
          (typeof tenant === 'string' ? tenant !== '' : Number.isSafeInteger(tenant)) &&
          IDENTIFIER.test(`events_${text}`)
        expect(r.ok).toBe(safe)
      }),
      { numRuns: 500 },
    )
  })
})

test('readPath follows nested objects only', () => {
  expect(readPath({ a: { b: { c: 3 } } }, ['a', 'b', 'c'])).toBe(3)
  expect(readPath({ a: [{ b: 1 }] }, ['a', '0', 'b'])).toBeUndefined()
  expect(readPath({ a: null }, ['a', 'b'])).toBeUndefined()
})
