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

/** Above this many bytes a native copy beats the byte loop despite its subarray allocation. */
const NATIVE_COPY_BYTES = 128

/** Copies src[start, end) to the output. */
export function copySrc(row: FastRow, start: number, end: number): void {
  const { src, out } = row
  let p = row.pos
  if (end - start > NATIVE_COPY_BYTES) {
    out.set(src.subarray(start, end), p)
    row.pos = p + end - start
    return
  }
  for (let k = start; k < end; k++) out[p++] = src[k]!
  row.pos = p
}

/** A non-negative integer below 2^53 in decimal, zero-padded to `width` digits. */
export function writeUint(row: FastRow, value: number, width: number): void {
  let digits = 1
  for (let p = 10; p <= value && digits < 16; p *= 10) digits++
  const n = Math.max(digits, width)
  const out = row.out
  let k = row.pos + n - 1
  let v = value
  // Above 2^31 the digits come from a double; below it int arithmetic is exact and cheaper.
  while (v >= 2_147_483_648) {
    const q = Math.floor(v / 10)
    out[k--] = 0x30 + (v - q * 10)
    v = q
  }
  for (; k >= row.pos; k--) {
    const q = (v / 10) | 0
    out[k] = 0x30 + (v - q * 10)
    v = q
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
