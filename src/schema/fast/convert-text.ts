/**
 * @module schema/fast/convert-text
 * String-like columns from bytes (SPEC §9): strings pass through as their bytes, escapes are
 * rewritten the way JSON.stringify would, numbers and booleans become their JSON text, objects
 * and arrays their compact JSON text; FixedString, Enum, UUID and IP as coerce-text does them.
 * Never writes a byte the slow path would not.
 */
import type { EnumMember } from '../column-type'
import { writeCompact } from './compact-json'
import { type Converter, DECLINE, SAME, WROTE } from './converter'
import { copySrc, utf8, writeBytes } from './fast-row'
import {
  HAS_ESCAPE,
  hexValue,
  KIND_ARRAY,
  KIND_FALSE,
  KIND_NUMBER,
  KIND_OBJECT,
  KIND_STRING,
  KIND_TRUE,
} from './json-scan'
import { newNumberParts, readNumber, textIsToken } from './number-token'
import { writeStringBody } from './string-body'

const TRUE_TEXT = utf8('"true"')
const FALSE_TEXT = utf8('"false"')

/** String (and JSON, VARCHAR(n), FixedString(n) with `maxBytes`). */
export function stringConverter(maxBytes: number | null): Converter {
  const parts = newNumberParts()
  return (t, row) => {
    const { src } = row
    switch (t.kind) {
      case KIND_STRING:
        // Without escapes the token's bytes are the text's UTF-8 bytes, as JSON.stringify
        // writes them.
        if ((t.flags & HAS_ESCAPE) === 0) {
          return maxBytes !== null && t.end - t.start - 2 > maxBytes ? DECLINE : SAME
        }
        if (maxBytes !== null) return DECLINE
        row.out[row.pos++] = 0x22
        if (!writeStringBody(row, t.start + 1, t.end - 1, false)) return DECLINE
        row.out[row.pos++] = 0x22
        return WROTE
      case KIND_NUMBER:
        readNumber(src, t.start, t.end, parts)
        if (!textIsToken(src, parts)) return DECLINE
        if (maxBytes !== null && t.end - t.start > maxBytes) return DECLINE
        row.out[row.pos++] = 0x22
        copySrc(row, t.start, t.end)
        row.out[row.pos++] = 0x22
        return WROTE
      case KIND_TRUE:
      case KIND_FALSE:
        if (maxBytes !== null && maxBytes < (t.kind === KIND_TRUE ? 4 : 5)) return DECLINE
        writeBytes(row, t.kind === KIND_TRUE ? TRUE_TEXT : FALSE_TEXT)
        return WROTE
      case KIND_OBJECT:
      case KIND_ARRAY:
        if (maxBytes !== null) return DECLINE
        row.out[row.pos++] = 0x22
        if (writeCompact(row, t.start, t.end) < 0) return DECLINE
        row.out[row.pos++] = 0x22
        return WROTE
    }
    return DECLINE
  }
}

/** A member's exact name (no escapes), or its number; written as the quoted name. */
export function enumConverter(members: readonly EnumMember[]): Converter {
  const names = members.map((m) => utf8(m.name))
  const quoted = members.map((m) => utf8(JSON.stringify(m.name)))
  const byValue = new Map<number, Uint8Array>()
  for (const [i, m] of members.entries()) byValue.set(m.value, quoted[i]!)
  const parts = newNumberParts()
  return (t, row) => {
    const { src } = row
    if (t.kind === KIND_STRING) {
      if ((t.flags & HAS_ESCAPE) !== 0) return DECLINE
      const at = findName(names, src, t.start + 1, t.end - 1)
      if (at < 0) return DECLINE
      // The quoted name is the token itself unless JSON.stringify escaped something in it.
      if (quoted[at]!.length === t.end - t.start) return SAME
      writeBytes(row, quoted[at]!)
      return WROTE
    }
    if (t.kind !== KIND_NUMBER) return DECLINE
    readNumber(src, t.start, t.end, parts)
    if (parts.hasExp || parts.fracEnd > parts.fracStart || parts.intEnd - parts.intStart > 6) {
      return DECLINE
    }
    let v = 0
    for (let k = parts.intStart; k < parts.intEnd; k++) v = v * 10 + (src[k]! - 0x30)
    const name = byValue.get(parts.neg ? -v : v)
    if (name === undefined) return DECLINE
    writeBytes(row, name)
    return WROTE
  }
}

function findName(
  names: readonly Uint8Array[],
  src: Uint8Array,
  start: number,
  end: number,
): number {
  const n = end - start
  for (let k = 0; k < names.length; k++) {
    const name = names[k]!
    if (name.length !== n) continue
    let j = 0
    while (j < n && name[j] === src[start + j]) j++
    if (j === n) return k
  }
  return -1
}

/** Per byte: its lower-case hex digit, or 0 when it is not one. */
const LOWER_HEX = new Uint8Array(256)
for (const c of '0123456789abcdef') LOWER_HEX[c.charCodeAt(0)] = c.charCodeAt(0)
for (const c of 'ABCDEF') LOWER_HEX[c.charCodeAt(0)] = c.toLowerCase().charCodeAt(0)
/** Per position of the dashed form: 1 where the dash goes. */
const DASHED = new Uint8Array(36)
for (const k of [8, 13, 18, 23]) DASHED[k] = 1

/** UUID text, dashed or 32 hex digits, any case; written lower-case and dashed. */
export const uuidConverter: Converter = (t, row) => {
  if (t.kind !== KIND_STRING || t.flags !== 0) return DECLINE
  const s = t.start + 1
  const n = t.end - 1 - s
  if (n === 36 && isCanonicalUuid(row.src, s)) return SAME
  if (n !== 36 && n !== 32) return DECLINE
  const { src, out } = row
  let p = row.pos
  out[p++] = 0x22
  for (let k = 0; k < n; k++) {
    const c = src[s + k]!
    if (n === 36 && DASHED[k] === 1) {
      if (c !== 0x2d) return DECLINE
      out[p++] = 0x2d
      continue
    }
    if (n === 32 && (k === 8 || k === 12 || k === 16 || k === 20)) out[p++] = 0x2d
    const h = LOWER_HEX[c]!
    if (h === 0) return DECLINE
    out[p++] = h
  }
  out[p++] = 0x22
  row.pos = p
  return WROTE
}

/** Dashed, lower-case: the form written, so the token is the output. */
function isCanonicalUuid(src: Uint8Array, s: number): boolean {
  for (let k = 0; k < 36; k++) {
    const c = src[s + k]!
    if (DASHED[k] === 1 ? c !== 0x2d : LOWER_HEX[c] !== c) return false
  }
  return true
}

/** IPv4 (and IPv6) text as coerce-text accepts it; written as it came. */
export function ipConverter(version: 4 | 6): Converter {
  return (t, row) => {
    if (t.kind !== KIND_STRING || t.flags !== 0) return DECLINE
    const s = t.start + 1
    const e = t.end - 1
    return isIpv4(row.src, s, e) || (version === 6 && isIpv6(row.src, s, e)) ? SAME : DECLINE
  }
}

/** The IPV4 pattern of coerce-text: four 0..255 octets without leading zeros. */
export function isIpv4(src: Uint8Array, s: number, e: number): boolean {
  let i = s
  for (let octet = 0; octet < 4; octet++) {
    if (octet > 0) {
      if (i >= e || src[i] !== 0x2e) return false
      i++
    }
    const start = i
    let v = 0
    while (i < e && i - start < 3 && src[i]! >= 0x30 && src[i]! <= 0x39)
      v = v * 10 + (src[i++]! - 0x30)
    const len = i - start
    if (len === 0 || v > 255 || (len > 1 && src[start] === 0x30)) return false
  }
  return i === e
}

/** `^[0-9a-fA-F:.]{2,45}$` holding a colon. */
function isIpv6(src: Uint8Array, s: number, e: number): boolean {
  const n = e - s
  if (n < 2 || n > 45) return false
  let colon = false
  for (let i = s; i < e; i++) {
    const c = src[i]!
    if (c === 0x3a) colon = true
    else if (c !== 0x2e && hexValue(c) < 0) return false
  }
  return colon
}
