/**
 * @module schema/fast/key-table
 * The keys one object level of a message is matched against, by bytes: an open-addressed table
 * on (length, first byte, last byte), then a byte compare. No string is made per key. An entry is
 * a column source (a slot), a prefix of dotted sources (a child level), or both.
 */
import { utf8 } from './fast-row'

export interface KeyEntry {
  readonly key: Uint8Array
  /** Index of the value slot this key fills (also the duplicate check for prefixes). */
  readonly slot: number
  /** The next level when this key is the first segment of dotted sources. */
  child: KeyLevel | null
  /** A key the fast path must not interpret (a dotted source written as one flat key). */
  readonly declines: boolean
}

const TABLE_BITS = 9
const TABLE_SIZE = 1 << TABLE_BITS
const MASK = TABLE_SIZE - 1

export class KeyLevel {
  readonly entries: KeyEntry[] = []
  /** Entry index + 1 per table cell; 0 = empty. */
  private readonly table = new Uint16Array(TABLE_SIZE)

  /** The entry for `key`, created with a new slot from `nextSlot` when missing. */
  entry(key: string, nextSlot: () => number, declines = false): KeyEntry {
    const bytes = utf8(key)
    const found = this.find(bytes, 0, bytes.length)
    if (found >= 0) return this.entries[found]!
    if (this.entries.length >= TABLE_SIZE / 2)
      throw new RangeError('too many columns for the fast path')
    const entry: KeyEntry = { key: bytes, slot: nextSlot(), child: null, declines }
    let cell = hash(bytes, 0, bytes.length)
    while (this.table[cell] !== 0) cell = (cell + 1) & MASK
    this.entries.push(entry)
    this.table[cell] = this.entries.length
    return entry
  }

  /** The index of the entry whose key is src[s, e), or -1. */
  find(src: Uint8Array, s: number, e: number): number {
    const n = e - s
    for (let cell = hash(src, s, e); ; cell = (cell + 1) & MASK) {
      const at = this.table[cell]!
      if (at === 0) return -1
      const key = this.entries[at - 1]!.key
      if (key.length !== n) continue
      let j = 0
      while (j < n && key[j] === src[s + j]) j++
      if (j === n) return at - 1
    }
  }
}

function hash(src: Uint8Array, s: number, e: number): number {
  const n = e - s
  if (n === 0) return 0
  return (n * 31 + src[s]! * 7 + src[e - 1]! * 3 + src[s + (n >> 1)]!) & MASK
}
