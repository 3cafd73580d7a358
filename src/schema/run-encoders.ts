/**
 * @module schema/run-encoders
 * The run encoder of a schema snapshot and zone, compiled once per pair (snapshots are
 * immutable: the cache dies with the snapshot): the native one, falling back to the JS fast
 * encoder per message; the JS one alone when the addon or the schema rules the native one out;
 * null when the fast path cannot take the schema.
 */
import { chainedRunEncoder } from './chained-run-encoder'
import { fastEncoderFor } from './fast/fast-encoders'
import { fastRunEncoder } from './fast/fast-run-encoder'
import { compileNativeEncoder } from './native/native-encoder'
import type { RunEncoder } from './run-encoder'
import { perSnapshotAndZone } from './snapshot-cache'
import type { SchemaSnapshot } from './table-schema'

export const runEncoderFor = perSnapshotAndZone((snapshot, timezone): RunEncoder | null => {
  const fast = fastEncoderFor(snapshot, timezone)
  return fast === null ? null : withNative(snapshot, timezone, fastRunEncoder(fast))
})

/** The native encoder in front of the JS one, when the addon loads and takes the schema. */
function withNative(snapshot: SchemaSnapshot, timezone: string, js: RunEncoder): RunEncoder {
  let native: RunEncoder | null
  try {
    native = compileNativeEncoder(snapshot, { timezone })
  } catch {
    native = null
  }
  return native === null ? js : chainedRunEncoder(native, js)
}
