/**
 * @module schema/fast/compact-json
 * Writes a JSON object or array (already validated) as the text of a JSON string: its compact
 * form, as JSON.stringify(JSON.parse(text)) gives it, with `"` and `\` escaped once more (SPEC §9:
 * objects and arrays into String columns). Declines (-1) where JSON.parse would reorder or merge
 * keys (integer-like or duplicate keys) or a number would be reprinted differently.
 */
import { copySrc, type FastRow } from './fast-row'
import {
  HAS_ESCAPE,
  KIND_NUMBER,
  KIND_STRING,
  newToken,
  scanValue,
  skipWs,
  type Token,
} from './json-scan'
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

/** The value at `i` (validated by the caller's scan, so containers are not scanned twice). */
function compactValue(row: FastRow, i: number, end: number, keyTop: number): number {
  const src = row.src
  const c = src[i]
  if (c === 0x7b) return compactObject(row, i, end, keyTop)
  if (c === 0x5b) return compactArray(row, i, end, keyTop)
  const e = scanValue(src, i, end, token, 0)
  if (e < 0) return -1
  if (token.kind === KIND_STRING) return compactString(row, token) ? e : -1
  if (token.kind === KIND_NUMBER) {
    readNumber(src, i, e, parts)
    if (!textIsToken(src, parts)) return -1
  }
  copySrc(row, i, e)
  return e
}

function compactString(row: FastRow, t: Token): boolean {
  const out = row.out
  out[row.pos++] = 0x5c
  out[row.pos++] = 0x22
  if ((t.flags & HAS_ESCAPE) === 0) copySrc(row, t.start + 1, t.end - 1)
  else if (!writeStringBody(row, t.start + 1, t.end - 1, true)) return false
  out[row.pos++] = 0x5c
  out[row.pos++] = 0x22
  return true
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
    const keyEnd = scanValue(src, i, end, token, 0)
    if (keyEnd < 0 || (token.flags & HAS_ESCAPE) !== 0) return -1
    if (keyTop >= first + MAX_KEYS || keyTop >= KEY_STACK) return -1
    if (!acceptKey(src, i + 1, keyEnd - 1, first, keyTop)) return -1
    keyStack[2 * keyTop] = i + 1
    keyStack[2 * keyTop + 1] = keyEnd - 1
    keyTop++
    const out = row.out
    out[row.pos++] = 0x5c
    out[row.pos++] = 0x22
    copySrc(row, i + 1, keyEnd - 1)
    out[row.pos++] = 0x5c
    out[row.pos++] = 0x22
    out[row.pos++] = 0x3a
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
