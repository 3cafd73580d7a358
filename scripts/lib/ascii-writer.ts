/**
 * @module scripts/lib/ascii-writer
 * A growable byte buffer that ASCII text and integers are written into directly, so generating
 * hundreds of MB of ndjson builds no intermediate strings. Must never be given non-ASCII text.
 */

const SMALL = 64

export class AsciiWriter {
  private buf: Uint8Array
  private pos = 0

  constructor(capacity = 1 << 16) {
    this.buf = new Uint8Array(capacity)
  }

  get length(): number {
    return this.pos
  }

  text(s: string): this {
    this.reserve(s.length)
    const buf = this.buf
    let pos = this.pos
    for (let i = 0; i < s.length; i++) buf[pos++] = s.charCodeAt(i)
    this.pos = pos
    return this
  }

  /** A non-negative safe integer in decimal. */
  int(n: number): this {
    let width = 1
    for (let p = 10; p <= n; p *= 10) width++
    this.reserve(width)
    let pos = this.pos + width
    this.pos = pos
    let v = n
    do {
      const q = Math.floor(v / 10)
      this.buf[--pos] = 48 + v - q * 10
      v = q
    } while (v > 0)
    return this
  }

  /** A non-negative safe integer, zero-padded to at least `width` digits. */
  digits(n: number, width: number): this {
    for (let w = width - 1, p = 10 ** w; w > 0 && n < p; w--, p /= 10) this.byte(48)
    return this.int(n)
  }

  /** An amount in cents as a decimal with two fraction digits: 1234 -> 12.34. */
  cents(n: number): this {
    this.int(Math.floor(n / 100)).byte(46)
    const c = n % 100
    return this.byte(48 + Math.floor(c / 10)).byte(48 + (c % 10))
  }

  byte(b: number): this {
    this.reserve(1)
    this.buf[this.pos++] = b
    return this
  }

  bytes(data: Uint8Array): this {
    this.reserve(data.length)
    if (data.length > SMALL) {
      this.buf.set(data, this.pos)
      this.pos += data.length
      return this
    }
    // A plain loop beats set() by 2x for the short pieces an event is made of.
    const buf = this.buf
    let pos = this.pos
    for (let i = 0; i < data.length; i++) buf[pos++] = data[i] as number
    this.pos = pos
    return this
  }

  /** A copy of what was written since the last take, then empties the buffer. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.pos)
    this.pos = 0
    return out
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n))
    next.set(this.buf.subarray(0, this.pos))
    this.buf = next
  }
}
