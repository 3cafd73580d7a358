/**
 * @module schema/native/native-encoder
 * The run encoder in C (native/rowcodec): the schema is compiled once into a plan the addon
 * keeps, and each run of messages is one call into it, with the batch's typed arrays as they
 * are. Rows are byte for byte the JS fast encoder's (or, where that declines, the slow path's);
 * whatever the C side cannot prove it declines, and the caller takes the JS path.
 */
import type { RunEncoder } from '../run-encoder'
import type { SchemaSnapshot } from '../table-schema'
import { compilePlan } from './plan'
import { rowcodecAddon } from './rowcodec-addon'

export interface NativeEncoderOptions {
  /** The route's IANA time zone for date-times without an offset. */
  readonly timezone: string
}

/**
 * The native run encoder of a snapshot, or null when the addon cannot load or the schema does
 * not fit its key table. Throws as compileFastEncoder does for unknown types and time zones.
 */
export function compileNativeEncoder(
  snapshot: SchemaSnapshot,
  opts: NativeEncoderOptions,
): RunEncoder | null {
  const plan = compilePlan(snapshot, opts.timezone)
  const addon = rowcodecAddon()
  if (plan === null || addon === null) return null
  const handle = addon.compile(plan.bytes)
  return {
    version: snapshot.version,
    usesRouteZone: plan.usesRouteZone,
    encodeRun(input, policy, from, to, out, pos, limit, rowEnds) {
      return addon.encodeRun(
        handle,
        input.values,
        input.valueEnd,
        input.flags,
        input.sep,
        policy.declineFlags,
        Math.min(policy.maxValueBytes, Number.MAX_SAFE_INTEGER),
        from,
        to,
        out,
        pos,
        Math.min(limit, Number.MAX_SAFE_INTEGER),
        rowEnds,
      )
    },
  }
}
