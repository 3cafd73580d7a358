import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { parseTemplate, readPath, resolveTemplate } from '../../../src/route/template'

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

  test('injection attempts never resolve to a name', () => {
    for (const tenant of [
      "x'; DROP TABLE t; --",
      'a`b',
      '../etc',
      'a.b',
      'a b',
      '',
      'é',
      'a'.repeat(60),
    ]) {
      expect(resolveTemplate(t, { tenant }).ok).toBe(false)
    }
  })

  test('every resolved name is an identifier (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer(), fc.double()), (tenant) => {
        const r = resolveTemplate(t, { tenant })
        if (r.ok) expect(r.name).toMatch(/^[A-Za-z0-9_]{1,64}$/)
      }),
    )
  })
})

test('readPath follows nested objects only', () => {
  expect(readPath({ a: { b: { c: 3 } } }, ['a', 'b', 'c'])).toBe(3)
  expect(readPath({ a: [{ b: 1 }] }, ['a', '0', 'b'])).toBeUndefined()
  expect(readPath({ a: null }, ['a', 'b'])).toBeUndefined()
})
