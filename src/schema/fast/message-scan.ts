/**
 * @module schema/fast/message-scan
 * One pass over a message's bytes: validates the whole JSON object and records, per source slot,
 * where its value lies. Keys that match no column are validated and skipped. Refuses (false) a
 * duplicate key that matters, an escaped or flat-dotted key, and anything it cannot validate.
 * The common tokens (keys, strings, numbers) are scanned inline: this loop is the hot path.
 */
import {
  escapeEnd,
  HAS_ESCAPE,
  KIND_ARRAY,
  KIND_NUMBER,
  KIND_OBJECT,
  KIND_STRING,
  MAX_FAST_DEPTH,
  NON_ASCII,
  newToken,
  STRING_STOP,
  scanNumber,
  scanValue,
  skipArray,
  skipObject,
  skipWs,
  type Token,
  utf8End,
} from './json-scan'
import type { KeyLevel } from './key-table'

const NO_ENTRY = -1

export class MessageScan {
  /** Per slot: the scan generation that filled it (a slot from an older scan is empty). */
  private readonly filled: Uint32Array
  private readonly keyStarts: Int32Array
  private readonly starts: Int32Array
  private readonly ends: Int32Array
  private readonly kinds: Uint8Array
  private readonly flags: Uint8Array
  private generation = 0
  private readonly literal = newToken()
  /** Kind and flags of the value the last valueEnd() scanned. */
  private kind = 0
  private stringFlags = 0

  constructor(
    private readonly root: KeyLevel,
    slots: number,
  ) {
    this.filled = new Uint32Array(slots)
    this.keyStarts = new Int32Array(slots)
    this.starts = new Int32Array(slots)
    this.ends = new Int32Array(slots)
    this.kinds = new Uint8Array(slots)
    this.flags = new Uint8Array(slots)
  }

  /** Scans src[start, end) as one JSON object; false to decline. */
  scan(src: Uint8Array, start: number, end: number): boolean {
    if (++this.generation === 0xffffffff) {
      this.filled.fill(0)
      this.generation = 1
    }
    const i = skipWs(src, start, end)
    if (i >= end || src[i] !== 0x7b) return false
    const e = this.object(src, i, end, this.root, 1)
    return e >= 0 && skipWs(src, e, end) === end
  }

  /** Loads slot `slot` of the last scan into `t`; false when the message had no such value. */
  load(slot: number, t: Token): boolean {
    if (this.filled[slot] !== this.generation) return false
    t.kind = this.kinds[slot]!
    t.start = this.starts[slot]!
    t.end = this.ends[slot]!
    t.flags = this.flags[slot]!
    return true
  }

  /** Where the key of slot `slot` (loaded by the last scan) starts: its opening quote. */
  keyStartOf(slot: number): number {
    return this.keyStarts[slot]!
  }

  /** The object at `i` (its `{`) matched against `level`; returns its end or -1. */
  private object(src: Uint8Array, i: number, end: number, level: KeyLevel, depth: number): number {
    i = skipWs(src, i + 1, end)
    if (i < end && src[i] === 0x7d) return i + 1
    for (;;) {
      if (i >= end || src[i] !== 0x22) return -1
      const keyEnd = keyEndOf(src, i, end)
      if (keyEnd < 0) return -1
      const at = level.find(src, i + 1, keyEnd - 1)
      const keyStart = i
      i = keyEnd
      if (i < end && src[i] !== 0x3a) i = skipWs(src, i, end)
      if (i >= end || src[i] !== 0x3a) return -1
      i++
      if (i < end && src[i]! <= 0x20) i = skipWs(src, i, end)
      if (at === NO_ENTRY) i = this.valueEnd(src, i, end, depth)
      else {
        i = this.entryValue(src, i, end, level, at, depth)
        if (i >= 0) this.keyStarts[level.entries[at]!.slot] = keyStart
      }
      if (i < 0) return -1
      if (i < end && src[i]! <= 0x20) i = skipWs(src, i, end)
      if (i >= end) return -1
      const c = src[i]
      if (c === 0x7d) return i + 1
      if (c !== 0x2c) return -1
      i++
      if (i < end && src[i]! <= 0x20) i = skipWs(src, i, end)
    }
  }

  /** Scans the value at `i`, setting kind and stringFlags; returns its end or -1. */
  private valueEnd(src: Uint8Array, i: number, end: number, depth: number): number {
    if (i >= end) return -1
    const c = src[i]!
    if (c === 0x22) {
      this.kind = KIND_STRING
      return this.stringEnd(src, i, end)
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      this.kind = KIND_NUMBER
      return scanNumber(src, i, end)
    }
    if (c === 0x7b || c === 0x5b) {
      this.kind = c === 0x7b ? KIND_OBJECT : KIND_ARRAY
      if (depth >= MAX_FAST_DEPTH) return -1
      return c === 0x7b ? skipObject(src, i, end, depth + 1) : skipArray(src, i, end, depth + 1)
    }
    const e = scanValue(src, i, end, this.literal, depth)
    this.kind = this.literal.kind
    return e
  }

  /** The string at `i` (its quote); sets stringFlags. */
  private stringEnd(src: Uint8Array, i: number, end: number): number {
    let flags = 0
    i++
    while (i < end) {
      const c = src[i]!
      if (STRING_STOP[c] === 0) {
        i++
        continue
      }
      if (c === 0x22) {
        this.stringFlags = flags
        return i + 1
      }
      if (c === 0x5c) {
        flags |= HAS_ESCAPE
        i = escapeEnd(src, i, end)
      } else if (c >= 0x80) {
        flags |= NON_ASCII
        i = utf8End(src, i, end)
      } else return -1
      if (i < 0) return -1
    }
    return -1
  }

  /** The value of a known key: recorded in its slot, and descended into for dotted sources. */
  private entryValue(
    src: Uint8Array,
    i: number,
    end: number,
    level: KeyLevel,
    at: number,
    depth: number,
  ): number {
    const entry = level.entries[at]!
    const slot = entry.slot
    if (entry.declines || this.filled[slot] === this.generation) return -1
    let e: number
    this.stringFlags = 0
    if (entry.child !== null && i < end && src[i] === 0x7b) {
      if (depth >= MAX_FAST_DEPTH) return -1
      e = this.object(src, i, end, entry.child, depth + 1)
      this.kind = KIND_OBJECT
    } else {
      e = this.valueEnd(src, i, end, depth)
      // A dotted source into an array would read its elements as keys: the slow path knows how.
      if (entry.child !== null && this.kind === KIND_ARRAY) return -1
    }
    if (e < 0) return -1
    this.filled[slot] = this.generation
    this.starts[slot] = i
    this.ends[slot] = e
    this.kinds[slot] = this.kind
    this.flags[slot] = this.kind === KIND_STRING ? this.stringFlags : 0
    return e
  }
}

/** The end of the key string at `i`: escaped keys are refused (-1), UTF-8 ones validated. */
function keyEndOf(src: Uint8Array, i: number, end: number): number {
  i++
  while (i < end) {
    const c = src[i]!
    if (STRING_STOP[c] === 0) {
      i++
      continue
    }
    if (c === 0x22) return i + 1
    if (c < 0x80) return -1
    i = utf8End(src, i, end)
    if (i < 0) return -1
  }
  return -1
}
