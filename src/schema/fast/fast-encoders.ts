/**
 * @module schema/fast/fast-encoders
 * The fast encoder of a schema snapshot and zone, compiled once: snapshots are immutable, so
 * the cache is keyed by the snapshot object and dies with it. Never compiles twice for the same
 * pair; a schema the fast path cannot compile gets null (its rows take the slow path).
 */
import type { SchemaSnapshot } from '../table-schema'
import { compileFastEncoder, type FastEncoder } from './fast-encoder'

const bySnapshot = new WeakMap<SchemaSnapshot, Map<string, FastEncoder | null>>()

export function fastEncoderFor(snapshot: SchemaSnapshot, timezone: string): FastEncoder | null {
  let byZone = bySnapshot.get(snapshot)
  if (byZone === undefined) {
    byZone = new Map()
    bySnapshot.set(snapshot, byZone)
  }
  let encoder = byZone.get(timezone)
  if (encoder === undefined) {
    try {
      encoder = compileFastEncoder(snapshot, { timezone })
    } catch {
      encoder = null
    }
    byZone.set(timezone, encoder)
  }
  return encoder
}
