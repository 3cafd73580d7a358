import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { NumberText } from '../../../src/decode/number-text'
import { quote, utf8Length } from '../../../src/schema/coerce-text'
import { ok, problem } from './coerce-helper'

describe('String columns', () => {
  test('strings are written as they are, escaped for JSON', () => {
    expect(ok('String', 'abc')).toBe('"abc"')
    expect(ok('String', 'x"y\\z\n')).toBe('"x\\"y\\\\z\\n"')
    expect(ok('String', '')).toBe('""')
    expect(ok('String', 'héllo 😀')).toBe('"héllo 😀"')
  })

  test('numbers and booleans become their JSON text', () => {
    expect(ok('String', 42)).toBe('"42"')
    expect(ok('String', 1.5)).toBe('"1.5"')
    expect(ok('String', true)).toBe('"true"')
    expect(ok('String', new NumberText('18446744073709551616'))).toBe('"18446744073709551616"')
  })

  test('objects and arrays become their compact JSON text, big numbers verbatim', () => {
    expect(ok('String', { a: [1, 'x'], b: null })).toBe(JSON.stringify('{"a":[1,"x"],"b":null}'))
    expect(ok('String', [new NumberText('12345678901234567890')])).toBe('"[12345678901234567890]"')
  })

  test("JSON and Object('json') columns are String-like", () => {
    expect(ok('JSON', { a: 1 })).toBe('"{\\"a\\":1}"')
    expect(ok("Object('json')", 'x')).toBe('"x"')
  })

  test('LowCardinality(String) is written like String', () => {
    expect(ok('LowCardinality(String)', 'click')).toBe('"click"')
  })
})

describe('FixedString columns', () => {
  test('count UTF-8 bytes, not characters', () => {
    expect(ok('FixedString(3)', 'abc')).toBe('"abc"')
    expect(ok('FixedString(3)', '€')).toBe('"€"')
    expect(problem('FixedString(3)', 'abcd')).toBe('longer than 3 bytes in UTF-8')
    expect(problem('FixedString(3)', 'éé')).toBe('longer than 3 bytes in UTF-8')
    expect(problem('FixedString(3)', '😀')).toBe('longer than 3 bytes in UTF-8')
    expect(ok('FixedString(4)', '😀')).toBe('"😀"')
    expect(ok('FixedString(16)', 'a'.repeat(16))).toBe(`"${'a'.repeat(16)}"`)
  })

  test('utf8Length counts surrogate pairs as four bytes and lone surrogates as three', () => {
    expect(utf8Length('aé€😀')).toBe(1 + 2 + 3 + 4)
    expect(utf8Length('\ud800x')).toBe(4)
  })
})

describe('UUID columns', () => {
  const canonical = '6ba7b810-9dad-11d1-80b4-00c04fd430c8'
  test('accept any case, with or without dashes or braces, and write canonical lower case', () => {
    expect(ok('UUID', canonical)).toBe(`"${canonical}"`)
    expect(ok('UUID', canonical.toUpperCase())).toBe(`"${canonical}"`)
    expect(ok('UUID', canonical.replaceAll('-', ''))).toBe(`"${canonical}"`)
    expect(ok('UUID', `{${canonical}}`)).toBe(`"${canonical}"`)
    expect(ok('UUID', ` ${canonical} `)).toBe(`"${canonical}"`)
  })

  test('refuse anything else', () => {
    for (const v of ['not-a-uuid', `${canonical}0`, canonical.replace('a', 'g'), 123, '', {}]) {
      expect(problem('UUID', v)).toBe('not a UUID')
    }
  })
})

describe('Enum columns', () => {
  const type = "Enum8('a' = 1, 'b' = -2, 'it\\'s' = 3)"
  test('take a member name or a member number and write the name', () => {
    expect(ok(type, 'a')).toBe('"a"')
    expect(ok(type, 1)).toBe('"a"')
    expect(ok(type, -2)).toBe('"b"')
    expect(ok(type, '-2')).toBe('"b"')
    expect(ok(type, "it's")).toBe('"it\'s"')
  })

  test('refuse names and numbers that are not members', () => {
    for (const v of ['c', 'A', 2, 1.5, '', true]) expect(problem(type, v)).toContain('not a member')
  })

  test('Enum16 works the same way', () => {
    expect(ok("Enum16('x' = 1000)", 1000)).toBe('"x"')
  })
})

describe('IP columns', () => {
  test('IPv4 takes dotted quads only', () => {
    expect(ok('IPv4', '192.168.0.1')).toBe('"192.168.0.1"')
    for (const v of ['256.0.0.1', '1.2.3', '01.2.3.4', 'x', 3232235521]) {
      expect(problem('IPv4', v)).toBe('not an IPv4 address')
    }
  })

  test('IPv6 takes IPv6 text and IPv4 text', () => {
    expect(ok('IPv6', '::1')).toBe('"::1"')
    expect(ok('IPv6', '2001:db8::ff00:42:8329')).toBe('"2001:db8::ff00:42:8329"')
    expect(ok('IPv6', '1.2.3.4')).toBe('"1.2.3.4"')
    expect(problem('IPv6', 'hello')).toBe('not an IPv6 address')
  })
})

describe('quote', () => {
  test('matches JSON.stringify for plain, escaped, control, surrogate and emoji text', () => {
    for (const s of [
      '',
      'abc',
      'a"b',
      'a\\b',
      '\u0000\u001f',
      'tab\there',
      '\ud800',
      'x\udc00',
      '😀',
      '\u2028',
    ]) {
      expect(quote(s)).toBe(JSON.stringify(s))
    }
  })

  test('matches JSON.stringify for random strings of any code units', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => quote(s) === JSON.stringify(s)))
    fc.assert(
      fc.property(
        fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
        (s) => quote(s) === JSON.stringify(s),
      ),
    )
  })
})
