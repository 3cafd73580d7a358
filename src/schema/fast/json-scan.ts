/**
 * @module schema/fast/json-scan
 * Validates and measures one JSON value in a byte buffer without building it: kind, extent and
 * what its bytes hold (escapes, non-ASCII). Accepts only what JSON.parse accepts from valid UTF-8,
 * and never claims a token it did not fully check (it returns -1: the caller declines).
 */

export const KIND_STRING = 1
export const KIND_NUMBER = 2
export const KIND_TRUE = 3
export const KIND_FALSE = 4
export const KIND_NULL = 5
export const KIND_OBJECT = 6
export const KIND_ARRAY = 7

/** String flags: a backslash escape, and bytes of multi-byte UTF-8 characters. */
export const HAS_ESCAPE = 1
export const NON_ASCII = 2

/** Deeper values are left to the slow path, which enforces the 64-level limit (SPEC §9). */
export const MAX_FAST_DEPTH = 32

/** One scanned value; owned by its reader and overwritten by every scan. */
export interface Token {
  kind: number
  /** [start, end) of the whole token, quotes included for strings. */
  start: number
  end: number
  flags: number
}

export function newToken(): Token {
  return { kind: 0, start: 0, end: 0, flags: 0 }
}

/** 1 for the bytes that end or complicate a plain string run: `"`, `\`, controls, non-ASCII. */
export const STRING_STOP = new Uint8Array(256)
for (let c = 0; c < 256; c++)
  STRING_STOP[c] = c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x80 ? 1 : 0

/** JSON whitespace: space, tab, line feed, carriage return. */
export function skipWs(src: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = src[i]!
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i
    i++
  }
  return i
}

/** Scans the value at `i` into `t`; returns its end, or -1 when it is invalid or too deep. */
export function scanValue(
  src: Uint8Array,
  i: number,
  end: number,
  t: Token,
  depth: number,
): number {
  if (i >= end) return -1
  const c = src[i]!
  t.start = i
  t.flags = 0
  let e: number
  if (c === 0x22) {
    t.kind = KIND_STRING
    e = scanString(src, i, end, t)
  } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
    t.kind = KIND_NUMBER
    e = scanNumber(src, i, end)
  } else if (c === 0x7b) {
    t.kind = KIND_OBJECT
    e = depth >= MAX_FAST_DEPTH ? -1 : skipObject(src, i, end, depth + 1)
  } else if (c === 0x5b) {
    t.kind = KIND_ARRAY
    e = depth >= MAX_FAST_DEPTH ? -1 : skipArray(src, i, end, depth + 1)
  } else if (c === 0x74) {
    t.kind = KIND_TRUE
    e = literal(src, i, end, 0x72, 0x75, 0x65, -1)
  } else if (c === 0x66) {
    t.kind = KIND_FALSE
    e = literal(src, i, end, 0x61, 0x6c, 0x73, 0x65)
  } else if (c === 0x6e) {
    t.kind = KIND_NULL
    e = literal(src, i, end, 0x75, 0x6c, 0x6c, -1)
  } else return -1
  t.end = e
  return e
}

/** `true`, `null` (three more bytes) or `false` (four). */
function literal(
  src: Uint8Array,
  i: number,
  end: number,
  a: number,
  b: number,
  c: number,
  d: number,
): number {
  const n = d < 0 ? 4 : 5
  if (i + n > end || src[i + 1] !== a || src[i + 2] !== b || src[i + 3] !== c) return -1
  if (d >= 0 && src[i + 4] !== d) return -1
  return i + n
}

/** The string starting at the quote `i`; sets HAS_ESCAPE / NON_ASCII in `t.flags`. */
export function scanString(src: Uint8Array, i: number, end: number, t: Token): number {
  i++
  while (i < end) {
    const c = src[i]!
    if (STRING_STOP[c] === 0) {
      i++
      continue
    }
    if (c === 0x22) return i + 1
    if (c === 0x5c) {
      t.flags |= HAS_ESCAPE
      i = escapeEnd(src, i, end)
    } else if (c >= 0x80) {
      t.flags |= NON_ASCII
      i = utf8End(src, i, end)
    } else return -1
    if (i < 0) return -1
  }
  return -1
}

const ESCAPABLE = new Uint8Array(256)
for (const c of '"\\/bfnrt') ESCAPABLE[c.charCodeAt(0)] = 1

/** The end of the escape at `i` (a backslash), or -1. */
export function escapeEnd(src: Uint8Array, i: number, end: number): number {
  if (i + 1 >= end) return -1
  const c = src[i + 1]!
  if (ESCAPABLE[c] === 1) return i + 2
  if (c !== 0x75 || i + 6 > end) return -1
  for (let k = i + 2; k < i + 6; k++) if (hexValue(src[k]!) < 0) return -1
  return i + 6
}

export function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  const l = c | 0x20
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1
}

/**
 * The end of the UTF-8 sequence at `i`, or -1 for what TextDecoder would replace: overlong
 * forms, surrogates, code points above U+10FFFF, truncated sequences (the Unicode table 3-7).
 */
export function utf8End(src: Uint8Array, i: number, end: number): number {
  const c = src[i]!
  let n: number
  let lo = 0x80
  let hi = 0xbf
  if (c >= 0xc2 && c <= 0xdf) n = 1
  else if (c >= 0xe0 && c <= 0xef) {
    n = 2
    if (c === 0xe0) lo = 0xa0
    else if (c === 0xed) hi = 0x9f
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 3
    if (c === 0xf0) lo = 0x90
    else if (c === 0xf4) hi = 0x8f
  } else return -1
  if (i + n >= end) return -1
  const c1 = src[i + 1]!
  if (c1 < lo || c1 > hi) return -1
  for (let k = 2; k <= n; k++) {
    const ck = src[i + k]!
    if (ck < 0x80 || ck > 0xbf) return -1
  }
  return i + n + 1
}

/** `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?` starting at `i`. */
export function scanNumber(src: Uint8Array, i: number, end: number): number {
  if (src[i] === 0x2d) i++
  if (i >= end) return -1
  if (src[i] === 0x30) i++
  else {
    const d = digitsEnd(src, i, end)
    if (d === i) return -1
    i = d
  }
  if (i < end && src[i] === 0x2e) {
    const d = digitsEnd(src, i + 1, end)
    if (d === i + 1) return -1
    i = d
  }
  if (i < end && (src[i]! | 0x20) === 0x65) {
    i++
    if (i < end && (src[i] === 0x2b || src[i] === 0x2d)) i++
    const d = digitsEnd(src, i, end)
    if (d === i) return -1
    i = d
  }
  return i
}

export function digitsEnd(src: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = src[i]!
    if (c < 0x30 || c > 0x39) return i
    i++
  }
  return i
}

const scratch = newToken()

/** Validates the object at `i` (its `{`); returns its end or -1. */
export function skipObject(src: Uint8Array, i: number, end: number, depth: number): number {
  i = skipWs(src, i + 1, end)
  if (i < end && src[i] === 0x7d) return i + 1
  for (;;) {
    if (i >= end || src[i] !== 0x22) return -1
    i = scanString(src, i, end, scratch)
    if (i < 0) return -1
    i = skipWs(src, i, end)
    if (i >= end || src[i] !== 0x3a) return -1
    i = scanValue(src, skipWs(src, i + 1, end), end, scratch, depth)
    if (i < 0) return -1
    i = skipWs(src, i, end)
    if (i >= end) return -1
    const c = src[i]!
    if (c === 0x7d) return i + 1
    if (c !== 0x2c) return -1
    i = skipWs(src, i + 1, end)
  }
}

/** Validates the array at `i` (its `[`); returns its end or -1. */
export function skipArray(src: Uint8Array, i: number, end: number, depth: number): number {
  i = skipWs(src, i + 1, end)
  if (i < end && src[i] === 0x5d) return i + 1
  for (;;) {
    i = scanValue(src, i, end, scratch, depth)
    if (i < 0) return -1
    i = skipWs(src, i, end)
    if (i >= end) return -1
    const c = src[i]!
    if (c === 0x5d) return i + 1
    if (c !== 0x2c) return -1
    i = skipWs(src, i + 1, end)
  }
}
