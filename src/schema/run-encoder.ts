/**
 * @module schema/run-encoder
 * The contract of a run encoder: many messages of one packed batch, all bound for one target,
 * encoded as rows straight into that target's batch body in one call, instead of one call and
 * one bookkeeping step per message. Two implementations keep to it: one around the JS fast
 * encoder and one in the native addon; both write exactly the bytes the slow path would.
 */

/** Every message of [from, to) was encoded. */
export const RUN_DONE = 0
/** Message from + count was declined and nothing of it was written: the caller takes it. */
export const RUN_DECLINED = 1
/** Message from + count might not fit below out.length: grow the body and call again. */
export const RUN_ROOM = 2
/**
 * Message from + count would end past `limit` in a body that already holds rows: the batch is
 * full. Also returned after a row that reached `limit` exactly (that row is counted).
 */
export const RUN_FULL = 3

/** The fields of a packed batch (source/packed-batch) a run encoder reads. */
export interface RunInput {
  /** Message values back to back, each followed by one `sep` byte when sep >= 0. */
  readonly values: Uint8Array
  /** Per message, where its value ends in `values`. */
  readonly valueEnd: Uint32Array
  /** Per message, FLAG_* of packed-batch. */
  readonly flags: Uint8Array
  readonly sep: number
}

/** What a run encoder declines without looking at the value. */
export interface RunPolicy {
  /** A message with any of these flags is declined (null values; headers when tasks are on). */
  readonly declineFlags: number
  /** A longer value is declined (the caller dead-letters it as too_large). */
  readonly maxValueBytes: number
}

export interface RunEncoder {
  /** The schema snapshot version the rows are encoded with. */
  readonly version: number
  /** True when rows depend on the route's zone (Date, or DateTime without its own zone). */
  readonly usesRouteZone: boolean
  /**
   * Writes the rows of messages [from, to) at out[pos...], each followed by '\n', in message
   * order, until a message stops it. rowEnds[k] is where the row of message from + k ends, past
   * its newline. A row is counted only when it ends at or below `limit`, or when pos was 0 (an
   * empty body takes one row of any size). Never writes at or past out.length.
   * Returns count * 4 + RUN_* (the reason it stopped).
   */
  encodeRun(
    input: RunInput,
    policy: RunPolicy,
    from: number,
    to: number,
    out: Uint8Array,
    pos: number,
    limit: number,
    rowEnds: Uint32Array,
  ): number
}
