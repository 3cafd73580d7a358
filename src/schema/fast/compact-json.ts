/**
 * @module schema/fast/compact-json
 * Writes a JSON object or array (already validated) as the text of a JSON string: its compact
 * form, as JSON.stringify(JSON.parse(text)) gives it, with `"` and `\` escaped once more (SPEC §9:
 * objects and arrays into String columns). Declines (-1) where JSON.parse would reorder or merge
 * keys (integer-like or duplicate keys) or a number would be reprinted differently.
 */
import { copySrc, type FastRow } from './fast-row'
import { newToken, scanNumber, scanString, skipWs } from './json-scan'
import { newNumberParts, readNumber, textIsToken } from './number-token'
import { writeStringBody } from './string-body'

/** Objects with more keys than this are left to the slow path (duplicate checks are pairwise). */
const MAX_KEYS = 64
const KEY_STACK = 32 * MAX_KEYS

const token = newToken()
const parts = newNumberParts()
/** [start, end) of the keys of the objects being written, innermost last. */
const keyStack = new Int32Array(2 * KEY_STACK)

/** Writes the value src[start, end); returns its end, or -1 to decline. */
export function writeCompact(row: FastRow, start: number, end: number): number {
  return compactValue(row, start, end, 0)
}

/** The value at `i`: the caller's scan validated containers and strings, so none is rescanned. */
function compactValue(row: FastRow, i: number, end: number, keyTop: number): number {
  const src = row.src
  const c = src[i]!
  if (c === 0x22) return compactString(row, i, end, false)
  if (c === 0x7b) return compactObject(row, i, end, keyTop)
  if (c === 0x5b) return compactArray(row, i, end, keyTop)
  let e: number
  if (c === 0x74 || c === 0x6e) e = i + 4
  else if (c === 0x66) e = i + 5
  else {
    e = scanNumber(src, i, end)
    if (e < 0) return -1
    readNumber(src, i, e, parts)
    if (!textIsToken(src, parts)) return -1
  }
  copySrc(row, i, e)
  return e
}

/**
 * The string at `i` (its quote) as `\"text\"`, copied in the same pass that finds its end; one
 * with escapes is rewritten by writeStringBody, a key with escapes declined. Returns its end or -1.
 */
function compactString(row: FastRow, i: number, end: number, key: boolean): number {
  const { src, out } = row
  let p = row.pos
  out[p++] = 0x5c
  out[p++] = 0x22
  let k = i + 1
  for (; k < end; k++) {
    const c = src[k]!
    if (c === 0x22) break
    if (c === 0x5c) return key ? -1 : escapedString(row, i, end)
    out[p++] = c
  }
  if (k >= end) return -1
  out[p++] = 0x5c
  out[p++] = 0x22
  row.pos = p
  return k + 1
}

function escapedString(row: FastRow, i: number, end: number): number {
  const e = scanString(row.src, i, end, token)
  if (e < 0) return -1
  const out = row.out
  out[row.pos++] = 0x5c
  out[row.pos++] = 0x22
  if (!writeStringBody(row, i + 1, e - 1, true)) return -1
  out[row.pos++] = 0x5c
  out[row.pos++] = 0x22
  return e
}

function compactArray(row: FastRow, i: number, end: number, keyTop: number): number {
  const src = row.src
  row.out[row.pos++] = 0x5b
  i = skipWs(src, i + 1, end)
  if (src[i] === 0x5d) {
    row.out[row.pos++] = 0x5d
    return i + 1
  }
  for (;;) {
    i = compactValue(row, i, end, keyTop)
    if (i < 0) return -1
    i = skipWs(src, i, end)
    if (src[i] === 0x5d) {
      row.out[row.pos++] = 0x5d
      return i + 1
    }
    row.out[row.pos++] = 0x2c
    i = skipWs(src, i + 1, end)
  }
}

function compactObject(row: FastRow, i: number, end: number, keyTop: number): number {
  const src = row.src
  row.out[row.pos++] = 0x7b
  i = skipWs(src, i + 1, end)
  if (src[i] === 0x7d) {
    row.out[row.pos++] = 0x7d
    return i + 1
  }
  const first = keyTop
  for (;;) {
    if (keyTop >= first + MAX_KEYS || keyTop >= KEY_STACK) return -1
    const keyEnd = compactString(row, i, end, true)
    if (keyEnd < 0 || !acceptKey(src, i + 1, keyEnd - 1, first, keyTop)) return -1
    keyStack[2 * keyTop] = i + 1
    keyStack[2 * keyTop + 1] = keyEnd - 1
    keyTop++
    row.out[row.pos++] = 0x3a
    i = skipWs(src, skipWs(src, keyEnd, end) + 1, end)
    i = compactValue(row, i, end, keyTop)
    if (i < 0) return -1
    i = skipWs(src, i, end)
    if (src[i] === 0x7d) {
      row.out[row.pos++] = 0x7d
      return i + 1
    }
    row.out[row.pos++] = 0x2c
    i = skipWs(src, i + 1, end)
  }
}

/**
 * False for a key JS objects order first (all digits: an array index) and for a key already
 * seen in this object (JSON.parse keeps the last value at the first key's place).
 */
function acceptKey(src: Uint8Array, s: number, e: number, first: number, top: number): boolean {
  let digits = true
  for (let k = s; k < e && digits; k++) digits = src[k]! >= 0x30 && src[k]! <= 0x39
  if (digits && e > s) return false
  for (let k = first; k < top; k++) {
    const ks = keyStack[2 * k]!
    const ke = keyStack[2 * k + 1]!
    if (ke - ks !== e - s) continue
    let j = 0
    while (j < e - s && src[ks + j] === src[s + j]) j++
    if (j === e - s) return false
  }
  return true
}
