/**
 * @module schema/native/rowcodec-addon
 * Loads rowcodec.node (native/rowcodec, built by scripts/build-addon) by a literal relative
 * path, so `bun build --compile` embeds it in the binary. Loaded once per process; null when
 * it is missing or will not load (the caller then keeps to the JS encoders).
 */

/** An encoder compiled from a plan: an opaque handle owned by the addon. */
export type NativeHandle = { readonly __rowcodec: unique symbol }

export interface RowcodecAddon {
  /** Parses a plan (schema/native/plan); throws on a malformed one. */
  compile(plan: Uint8Array): NativeHandle
  /** RunEncoder.encodeRun with the input and policy spread out; returns count * 4 + RUN_*. */
  encodeRun(
    handle: NativeHandle,
    values: Uint8Array,
    valueEnd: Uint32Array,
    flags: Uint8Array,
    sep: number,
    declineFlags: number,
    maxValueBytes: number,
    from: number,
    to: number,
    out: Uint8Array,
    pos: number,
    limit: number,
    rowEnds: Uint32Array,
  ): number
}

let loaded: RowcodecAddon | null | undefined

export function rowcodecAddon(): RowcodecAddon | null {
  if (loaded === undefined) {
    try {
      loaded = require('../../../.build/addon/rowcodec.node') as RowcodecAddon
    } catch {
      loaded = null
    }
  }
  return loaded
}
