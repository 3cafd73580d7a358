/**
 * @module decode/json-batch-decoder
 * decodeJson for many messages of one buffer (a packed batch's value region): bytes are turned
 * into text a window at a time, and a window that is pure ASCII is sliced per message instead of
 * decoded per message. Same results as decodeJson, message for message; never caches across
 * buffers, so a reused buffer cannot yield stale text.
 */
import { type DecodeResult, decodeJson, decodeJsonText } from './decode-json'

/** ~64 typical messages: big enough to amortise the decode call, small enough to waste little. */
const WINDOW_BYTES = 16_384
const REPLACEMENT = '\uFFFD'

export class JsonBatchDecoder {
  private readonly decoder = new TextDecoder()
  private windowStart = 0
  private windowEnd = 0
  private windowText = ''
  private windowAscii = false

  /** `bytes` must not change while this decoder is in use. */
  constructor(private readonly bytes: Uint8Array) {}

  /** Decodes bytes[start, end) as one JSON object, exactly as decodeJson does. */
  decode(start: number, end: number): DecodeResult {
    if (start < this.windowStart || end > this.windowEnd) this.moveWindow(start, end)
    if (!this.windowAscii) return decodeJson(this.bytes, start, end)
    return decodeJsonText(this.windowText.slice(start - this.windowStart, end - this.windowStart))
  }

  private moveWindow(start: number, end: number): void {
    this.windowStart = start
    this.windowEnd = Math.min(this.bytes.length, Math.max(end, start + WINDOW_BYTES))
    this.windowText = this.decoder.decode(this.bytes.subarray(start, this.windowEnd))
    // Every non-ASCII character, and every bad byte, makes the text shorter than its bytes or
    // shows up as U+FFFD, so equal lengths without U+FFFD mean byte offsets are char offsets.
    this.windowAscii =
      this.windowText.length === this.windowEnd - start && !this.windowText.includes(REPLACEMENT)
  }
}
