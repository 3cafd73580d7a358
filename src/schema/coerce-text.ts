/**
 * @module schema/coerce-text
 * String-like types: String (and JSON), FixedString(N) by UTF-8 bytes, UUID in canonical form,
 * IPv4/IPv6 as text, Enum by name or number. Output is always a JSON string literal.
 */
import { NumberText } from '../decode/number-text'
import { CoerceFailure, type Coercer, trimmed } from './coercer'
import type { EnumMember } from './column-type'

const NOT_STRING = new CoerceFailure('not a string, number, boolean, object or array')
const NOT_UUID = new CoerceFailure('not a UUID')
const UUID_CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const UUID_DASHED = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/
const UUID_PLAIN = /^[0-9a-fA-F]{32}$/
const IPV4 =
  /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/
/** Loose on purpose: the server validates; this only keeps non-addresses out of the batch. */
const IPV6 = /^[0-9a-fA-F:.]{2,45}$/
/** What JSON.stringify would escape (lone surrogates included); most strings have none. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/
const ENUM_NUMBER = /^[+-]?[0-9]{1,6}$/

/**
 * Strings as they are; numbers and booleans as their JSON text; objects and arrays as compact
 * JSON text (SPEC §9). With `maxBytes` (FixedString(N), VARCHAR(n)) the UTF-8 length is capped.
 */
export function stringCoercer(maxBytes: number | null): Coercer {
  const tooLong =
    maxBytes === null ? null : new CoerceFailure(`longer than ${maxBytes} bytes in UTF-8`)
  return (v) => {
    let text: string
    if (typeof v === 'string') text = v
    else if (typeof v === 'number' || typeof v === 'boolean') text = String(v)
    else if (v instanceof NumberText) text = v.text
    else if (typeof v === 'object' && v !== null) text = JSON.stringify(v)
    else return NOT_STRING
    if (maxBytes !== null && !fitsBytes(text, maxBytes)) return tooLong as CoerceFailure
    return quote(text)
  }
}

/** The JSON string literal of `s`, skipping JSON.stringify when nothing needs escaping. */
export function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`
}

function fitsBytes(s: string, max: number): boolean {
  // Each UTF-16 unit is 1..3 UTF-8 bytes, so most strings are decided without counting.
  if (s.length > max) return false
  if (s.length * 3 <= max) return true
  return utf8Length(s) <= max
}

export function utf8Length(s: string): number {
  let bytes = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) bytes += 1
    else if (c < 0x800) bytes += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4
        i++
      } else bytes += 3
    } else bytes += 3
  }
  return bytes
}

/** UUID text with or without dashes or braces, any case; written lower-case, dashed. */
export const uuidCoercer: Coercer = (v) => {
  if (typeof v !== 'string') return NOT_UUID
  if (UUID_CANONICAL.test(v)) return `"${v}"`
  let t = trimmed(v)
  if (t.length === 38 && t.charCodeAt(0) === 123 && t.charCodeAt(37) === 125) t = t.slice(1, 37)
  if (UUID_DASHED.test(t)) return `"${t.toLowerCase()}"`
  if (!UUID_PLAIN.test(t)) return NOT_UUID
  const h = t.toLowerCase()
  return `"${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}"`
}

export function ipCoercer(version: 4 | 6): Coercer {
  const bad = new CoerceFailure(`not an IPv${version} address`)
  return (v) => {
    if (typeof v !== 'string') return bad
    const t = trimmed(v)
    const ok = version === 4 ? IPV4.test(t) : IPV6.test(t) && t.includes(':')
    return ok || (version === 6 && IPV4.test(t)) ? JSON.stringify(t) : bad
  }
}

/** A member's name, or its number (also as a digit string); written as the quoted name. */
export function enumCoercer(members: readonly EnumMember[]): Coercer {
  const byName = new Map<string, string>()
  const byValue = new Map<number, string>()
  for (const m of members) {
    byName.set(m.name, JSON.stringify(m.name))
    byValue.set(m.value, JSON.stringify(m.name))
  }
  const notMember = new CoerceFailure(
    `not a member of the enum (${members.map((m) => `'${m.name}' = ${m.value}`).join(', ')})`.slice(
      0,
      120,
    ),
  )
  return (v) => {
    if (typeof v === 'string') {
      const named = byName.get(v)
      if (named !== undefined) return named
      const t = trimmed(v)
      return ENUM_NUMBER.test(t) ? (byValue.get(Number(t)) ?? notMember) : notMember
    }
    if (typeof v === 'number') return byValue.get(v) ?? notMember
    return notMember
  }
}
