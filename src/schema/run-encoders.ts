/**
 * @module schema/run-encoders
 * The run encoder of a schema snapshot and zone, compiled once per pair (snapshots are
 * immutable: the cache dies with the snapshot); null when the fast path cannot take the schema.
 */
import { fastEncoderFor } from './fast/fast-encoders'
import { fastRunEncoder } from './fast/fast-run-encoder'
import type { RunEncoder } from './run-encoder'
import type { SchemaSnapshot } from './table-schema'

const bySnapshot = new WeakMap<SchemaSnapshot, Map<string, RunEncoder | null>>()

export function runEncoderFor(snapshot: SchemaSnapshot, timezone: string): RunEncoder | null {
  let byZone = bySnapshot.get(snapshot)
  if (byZone === undefined) {
    byZone = new Map()
    bySnapshot.set(snapshot, byZone)
  }
  let encoder = byZone.get(timezone)
  if (encoder === undefined) {
    const fast = fastEncoderFor(snapshot, timezone)
    encoder = fast === null ? null : fastRunEncoder(fast)
    byZone.set(timezone, encoder)
  }
  return encoder
}
