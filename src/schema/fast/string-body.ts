/**
 * @module schema/fast/string-body
 * Writes the inside of a JSON string token as JSON.stringify(JSON.parse(token)) would: escapes
 * rewritten to their shortest form, `\uXXXX` of printable characters decoded to UTF-8. Nested,
 * it adds one more layer (`"` and `\` escaped) for JSON text held in a String column. Declines
 * (false) on surrogate escapes rather than guess their pairing.
 */
import type { FastRow } from './fast-row'
import { hexValue } from './json-scan'

const SHORT = new Uint8Array(128)
SHORT[8] = 0x62 // \b
SHORT[9] = 0x74 // \t
SHORT[10] = 0x6e // \n
SHORT[12] = 0x66 // \f
SHORT[13] = 0x72 // \r
const LOWER_HEX = [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]

/** Writes src[start, end), the validated inside of a string token; false to decline. */
export function writeStringBody(
  row: FastRow,
  start: number,
  end: number,
  nested: boolean,
): boolean {
  const { src, out } = row
  let i = start
  while (i < end) {
    const c = src[i]!
    if (c !== 0x5c) {
      out[row.pos++] = c
      i++
      continue
    }
    const e = src[i + 1]!
    if (e !== 0x75) {
      writeChar(row, e === 0x2f ? 0x2f : e === 0x22 || e === 0x5c ? e : unshort(e), nested)
      i += 2
      continue
    }
    const code =
      (hexValue(src[i + 2]!) << 12) |
      (hexValue(src[i + 3]!) << 8) |
      (hexValue(src[i + 4]!) << 4) |
      hexValue(src[i + 5]!)
    if (code >= 0xd800 && code <= 0xdfff) return false
    writeChar(row, code, nested)
    i += 6
  }
  return true
}

/** The control character of a short escape letter (b f n r t). */
function unshort(letter: number): number {
  if (letter === 0x62) return 8
  if (letter === 0x74) return 9
  if (letter === 0x6e) return 10
  if (letter === 0x66) return 12
  return 13
}

/** One decoded character, escaped as JSON.stringify does (and once more when nested). */
function writeChar(row: FastRow, code: number, nested: boolean): void {
  const out = row.out
  if (code >= 0x80) {
    if (code < 0x800) {
      out[row.pos++] = 0xc0 | (code >> 6)
    } else {
      out[row.pos++] = 0xe0 | (code >> 12)
      out[row.pos++] = 0x80 | ((code >> 6) & 0x3f)
    }
    out[row.pos++] = 0x80 | (code & 0x3f)
    return
  }
  if (code >= 0x20 && code !== 0x22 && code !== 0x5c) {
    out[row.pos++] = code
    return
  }
  // An escape: its backslash doubles when nested, and so does an escaped quote or backslash.
  writeEscapeByte(row, 0x5c, nested)
  if (code === 0x22 || code === 0x5c) {
    writeEscapeByte(row, code, nested)
    return
  }
  const short = SHORT[code]!
  if (short !== 0) {
    out[row.pos++] = short
    return
  }
  out[row.pos++] = 0x75
  out[row.pos++] = 0x30
  out[row.pos++] = 0x30
  out[row.pos++] = LOWER_HEX[code >> 4]!
  out[row.pos++] = LOWER_HEX[code & 15]!
}

/** `"` or `\` of the inner text: as is, or escaped for the outer string when nested. */
export function writeEscapeByte(row: FastRow, byte: number, nested: boolean): void {
  if (nested) row.out[row.pos++] = 0x5c
  row.out[row.pos++] = byte
}
