/**
 * @module source/packed-batch
 * One consumed Kafka batch as one buffer plus typed arrays (DESIGN point 8): the native
 * `consumePacked` fills it on a worker thread; nothing here allocates an object per message
 * except on request (key(), headers()).
 *
 * Layout of the ArrayBuffer, n messages (all little-endian):
 *   f64 offset[n] | f64 timestamp[n] | u32 valueEnd[n] | u32 keyEnd[n] | u32 headerEnd[n] |
 *   i32 partition[n] | u16 topicIndex[n] | u8 flags[n] | pad to 8 |
 *   value bytes (vbytes) | key bytes (kbytes) | header bytes (hbytes)
 * With a separator byte (sep >= 0) the native side writes it after each value; it is counted in
 * vbytes but not in valueEnd, so value i spans [valueEnd[i-1] + 1, valueEnd[i]) and the value
 * region is already a sep-joined body.
 * The header bytes of message i span [headerEnd[i-1], headerEnd[i]) and hold its headers in
 * order, each as: u32 nameLength | name (UTF-8) | i32 valueLength (-1 = null) | value.
 */

export const FLAG_NULL_VALUE = 1
export const FLAG_NULL_KEY = 2
export const FLAG_HAS_HEADERS = 4

export interface KafkaHeader {
  readonly name: string
  /** null when the header has no value. */
  readonly value: Uint8Array | null
}

export interface PackedBatch {
  readonly count: number
  /** Topic names; topicIndex[i] indexes this list. */
  readonly topics: readonly string[]
  readonly offsets: Float64Array
  /** Message timestamps, epoch milliseconds (-1 when the broker gave none). */
  readonly timestamps: Float64Array
  readonly partitions: Int32Array
  readonly topicIndex: Uint16Array
  readonly flags: Uint8Array
  readonly valueEnd: Uint32Array
  readonly keyEnd: Uint32Array
  readonly headerEnd: Uint32Array
  /** The value region (with separators when sep >= 0). */
  readonly values: Uint8Array
  readonly keys: Uint8Array
  readonly headerBytes: Uint8Array
  /** The separator byte written after each value, or -1. */
  readonly sep: number
}
