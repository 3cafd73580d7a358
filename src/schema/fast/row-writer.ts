/**
 * @module schema/fast/row-writer
 * Writes one row from a scanned message: columns in schema order, each as `"name":value`. Where
 * a column's output is its input (same key spelling, value unchanged: SAME) and follows the
 * previous one in the message, the bytes are not written one by one but copied as one run of the
 * message at the end. Never writes past out.length (declines instead).
 */
import { type Converter, DECLINE, SAME, VALUE_SLACK } from './converter'
import { copySrc, type FastRow, utf8, writeBytes } from './fast-row'
import { KIND_NULL, type Token } from './json-scan'
import type { MessageScan } from './message-scan'
import { isQuickSame } from './quick-same'

export interface FastColumn {
  /** `"name":` and `,"name":`, ready to append as the first or a later column. */
  readonly key: Uint8Array
  readonly nextKey: Uint8Array
  readonly slot: number
  readonly nullable: boolean
  /** True when the message's key for this column is spelled exactly as `key` (no dotted source). */
  readonly sameKey: boolean
  readonly convert: Converter
  /** QUICK_* of quick-same: outcomes decided without calling `convert`. */
  readonly quick: number
  readonly limit: number
}

const NULL_BYTES = utf8('null')

/** A run of message bytes to copy to the output, not yet written (start < 0: none). */
export interface Run {
  start: number
  end: number
}

/** The encoder's scratch state, reused for every row. */
export interface RowState {
  readonly scan: MessageScan
  readonly token: Token
  readonly run: Run
}

export function writeRow(columns: readonly FastColumn[], state: RowState, row: FastRow): boolean {
  const { scan, token, run } = state
  const out = row.out
  out[row.pos++] = 0x7b
  run.start = -1
  let first = true
  for (let k = 0; k < columns.length; k++) {
    const col = columns[k]!
    const present = scan.load(col.slot, token)
    const pending = run.start < 0 ? 0 : run.end - run.start
    if (!present || (token.kind === KIND_NULL && !col.nullable)) {
      if (!col.nullable) continue
      if (row.pos + pending + col.nextKey.length + 4 > out.length) return false
      flush(run, row)
      writeBytes(row, first ? col.key : col.nextKey)
      writeBytes(row, NULL_BYTES)
      first = false
      continue
    }
    const key = first ? col.key : col.nextKey
    const base = row.pos
    if (base + pending + key.length + 2 * (token.end - token.start) + VALUE_SLACK > out.length) {
      return false
    }
    // The value is written after the room the pending run and the key will take.
    row.pos = base + pending + key.length
    const r = isQuickSame(col.quick, col.limit, token, row.src) ? SAME : col.convert(token, row)
    if (r === DECLINE) return false
    if (r === SAME) {
      row.pos = base
      extend(run, col, scan, token, row, first)
    } else {
      const end = row.pos
      row.pos = base
      flush(run, row)
      writeBytes(row, key)
      row.pos = end
    }
    first = false
  }
  flush(run, row)
  out[row.pos++] = 0x7d
  return true
}

/** Adds a SAME column to the run: its key and value when they follow the run in the message. */
function extend(
  run: Run,
  col: FastColumn,
  scan: MessageScan,
  t: Token,
  row: FastRow,
  first: boolean,
): void {
  const keyStart = scan.keyStartOf(col.slot)
  if (col.sameKey && t.start === keyStart + col.key.length) {
    if (run.start >= 0 && keyStart === run.end + 1 && row.src[run.end] === 0x2c) {
      run.end = t.end
      return
    }
    flush(run, row)
    if (!first) row.out[row.pos++] = 0x2c
    run.start = keyStart
    run.end = t.end
    return
  }
  flush(run, row)
  writeBytes(row, first ? col.key : col.nextKey)
  run.start = t.start
  run.end = t.end
}

/** Byte by byte: measured faster than out.set(src.subarray()) for rows of this size in Bun. */
function flush(run: Run, row: FastRow): void {
  if (run.start < 0) return
  copySrc(row, run.start, run.end)
  run.start = -1
}
