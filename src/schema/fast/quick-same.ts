/**
 * @module schema/fast/quick-same
 * The commonest converter outcomes decided inline by the row writer, without a call to the
 * column's converter: an unescaped string into a String column, a short digit run into an
 * unsigned integer column. Only ever answers SAME where the converter would; else defers to it.
 */
import type { ColumnType } from '../column-type'
import { HAS_ESCAPE, KIND_NUMBER, KIND_STRING, type Token } from './json-scan'

/** No inline answer: always call the converter. */
export const QUICK_NONE = 0
/** String-like (also in Nullable, LowCardinality): an unescaped string of <= `limit` bytes. */
export const QUICK_STRING = 1
/** UInt<N>: a digits-only number of fewer than `limit` digits (the maximum's) fits as it is. */
export const QUICK_UINT = 2

export interface QuickSame {
  readonly quick: number
  /** QUICK_STRING: the most text bytes; QUICK_UINT: the digit count of the type's maximum. */
  readonly limit: number
}

export function quickSameOf(type: ColumnType): QuickSame {
  switch (type.kind) {
    case 'low_cardinality':
    case 'nullable':
      return quickSameOf(type.inner)
    case 'string':
      return { quick: QUICK_STRING, limit: type.maxBytes ?? Number.MAX_SAFE_INTEGER }
    case 'fixed_string':
      return { quick: QUICK_STRING, limit: type.bytes }
    case 'json':
      return { quick: QUICK_STRING, limit: Number.MAX_SAFE_INTEGER }
    case 'int':
      if (type.signed) return { quick: QUICK_NONE, limit: 0 }
      return { quick: QUICK_UINT, limit: String(2n ** BigInt(type.bits) - 1n).length }
    default:
      return { quick: QUICK_NONE, limit: 0 }
  }
}

/** True when the converter of a column with `quick` would answer SAME for token `t`. */
export function isQuickSame(quick: number, limit: number, t: Token, src: Uint8Array): boolean {
  if (quick === QUICK_STRING) {
    return t.kind === KIND_STRING && (t.flags & HAS_ESCAPE) === 0 && t.end - t.start - 2 <= limit
  }
  if (quick !== QUICK_UINT || t.kind !== KIND_NUMBER || t.end - t.start >= limit) return false
  // The token is a valid JSON number: digits only means a plain non-negative integer.
  for (let k = t.start; k < t.end; k++) {
    const c = src[k]!
    if (c < 0x30 || c > 0x39) return false
  }
  return true
}
