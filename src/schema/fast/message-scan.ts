/**
 * @module schema/fast/message-scan
 * One pass over a message's bytes: validates the whole JSON object and records, per source slot,
 * where its value lies. Keys that match no column are validated and skipped. Refuses (false) a
 * duplicate key that matters, an escaped or flat-dotted key, and anything it cannot validate.
 */
import {
  HAS_ESCAPE,
  KIND_ARRAY,
  KIND_OBJECT,
  MAX_FAST_DEPTH,
  newToken,
  scanString,
  scanValue,
  skipWs,
  type Token,
} from './json-scan'
import type { KeyLevel } from './key-table'

export class MessageScan {
  /** Per slot: the scan generation that filled it (a slot from an older scan is empty). */
  private readonly filled: Uint32Array
  private readonly starts: Int32Array
  private readonly ends: Int32Array
  private readonly kinds: Uint8Array
  private readonly flags: Uint8Array
  private generation = 0
  private readonly key = newToken()
  private readonly value = newToken()

  constructor(
    private readonly root: KeyLevel,
    slots: number,
  ) {
    this.filled = new Uint32Array(slots)
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

  /** The object at `i` (its `{`) matched against `level`; returns its end or -1. */
  private object(src: Uint8Array, i: number, end: number, level: KeyLevel, depth: number): number {
    i = skipWs(src, i + 1, end)
    if (i < end && src[i] === 0x7d) return i + 1
    const key = this.key
    const value = this.value
    for (;;) {
      if (i >= end || src[i] !== 0x22) return -1
      key.flags = 0
      const keyEnd = scanString(src, i, end, key)
      if (keyEnd < 0 || (key.flags & HAS_ESCAPE) !== 0) return -1
      const at = level.find(src, i + 1, keyEnd - 1)
      i = skipWs(src, keyEnd, end)
      if (i >= end || src[i] !== 0x3a) return -1
      i = skipWs(src, i + 1, end)
      if (at < 0) {
        i = scanValue(src, i, end, value, depth)
      } else {
        i = this.entryValue(src, i, end, level, at, depth)
      }
      if (i < 0) return -1
      i = skipWs(src, i, end)
      if (i >= end) return -1
      const c = src[i]
      if (c === 0x7d) return i + 1
      if (c !== 0x2c) return -1
      i = skipWs(src, i + 1, end)
    }
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
    const value = this.value
    let e: number
    if (entry.child !== null && src[i] === 0x7b) {
      if (depth >= MAX_FAST_DEPTH) return -1
      e = this.object(src, i, end, entry.child, depth + 1)
      value.kind = KIND_OBJECT
      value.flags = 0
    } else {
      e = scanValue(src, i, end, value, depth)
      // A dotted source into an array would read its elements as keys: the slow path knows how.
      if (entry.child !== null && value.kind === KIND_ARRAY) return -1
    }
    if (e < 0) return -1
    this.filled[slot] = this.generation
    this.starts[slot] = i
    this.ends[slot] = e
    this.kinds[slot] = value.kind
    this.flags[slot] = value.flags
    return e
  }
}
