/**
 * @module schema/fast/fast-row
 * The state one fast row encode works on: the message bytes it reads and the output bytes it
 * writes, with small writers for ASCII output. Never grows the output: callers check room first.
 */

export interface FastRow {
  /** The buffer holding the message (a packed batch's value region). */
  src: Uint8Array
  /** Where the row is written; `pos` is the next byte. */
  out: Uint8Array
  pos: number
}

/** The bytes of an ASCII or UTF-8 text, e.g. a column's `,"name":`. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text)
}

export function writeBytes(row: FastRow, bytes: Uint8Array): void {
  const out = row.out
  let p = row.pos
  for (let k = 0; k < bytes.length; k++) out[p++] = bytes[k]!
  row.pos = p
}

/** Copies src[start, end) to the output. */
export function copySrc(row: FastRow, start: number, end: number): void {
  const { src, out } = row
  let p = row.pos
  for (let k = start; k < end; k++) out[p++] = src[k]!
  row.pos = p
}

/** A non-negative integer below 2^53 in decimal, zero-padded to `width` digits. */
export function writeUint(row: FastRow, value: number, width: number): void {
  let digits = 1
  for (let v = value; v >= 10; v = Math.floor(v / 10)) digits++
  const n = Math.max(digits, width)
  const out = row.out
  let v = value
  for (let k = row.pos + n - 1; k >= row.pos; k--) {
    out[k] = 0x30 + (v % 10)
    v = Math.floor(v / 10)
  }
  row.pos += n
}

/** An integer below 2^53 in magnitude, as String(value) writes it. */
export function writeInt(row: FastRow, value: number): void {
  if (value < 0) {
    row.out[row.pos++] = 0x2d
    writeUint(row, -value, 1)
  } else writeUint(row, value, 1)
}
