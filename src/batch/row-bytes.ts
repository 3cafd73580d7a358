/**
 * @module batch/row-bytes
 * The encoded rows of a batch as one byte body: rows back to back, each followed by `\n`
 * (a JSONEachRow / json-lines body as sent), plus where each row ends. Views, not copies: a part
 * of a batch shares its body. Never changes the bytes it was given.
 */

const NEWLINE = 0x0a

export class RowBytes {
  /**
   * `ends[i]` is the offset in `body` just past row i's newline; `body` ends with the last one.
   * Rows [start, end) of a larger body are held as `body` from the first row's start.
   */
  constructor(
    readonly body: Uint8Array,
    readonly ends: Uint32Array,
  ) {}

  get length(): number {
    return this.ends.length
  }

  /** Row i's bytes without its newline (a view of the body). */
  row(i: number): Uint8Array {
    return this.body.subarray(this.startOf(i), this.ends[i]! - 1)
  }

  /** Row i as text (tests, logs, dead letters). */
  text(i: number): string {
    return new TextDecoder().decode(this.row(i))
  }

  /** Rows [start, end) as their own RowBytes: a view of this body with rebased ends. */
  slice(start: number, end: number): RowBytes {
    const base = this.startOf(start)
    const ends = this.ends.slice(start, end)
    for (let i = 0; i < ends.length; i++) ends[i] = ends[i]! - base
    return new RowBytes(this.body.subarray(base, base + (ends[ends.length - 1] ?? 0)), ends)
  }

  /** A body of the given rows, each encoded as UTF-8 and followed by a newline. */
  static fromStrings(rows: readonly string[]): RowBytes {
    const encoder = new TextEncoder()
    const parts = rows.map((r) => encoder.encode(r))
    const body = new Uint8Array(parts.reduce((n, p) => n + p.length + 1, 0))
    const ends = new Uint32Array(rows.length)
    let at = 0
    for (const [i, p] of parts.entries()) {
      body.set(p, at)
      at += p.length
      body[at++] = NEWLINE
      ends[i] = at
    }
    return new RowBytes(body, ends)
  }

  private startOf(i: number): number {
    return i === 0 ? 0 : this.ends[i - 1]!
  }
}
