/**
 * @module schema/snapshot-cache
 * A compiler memoized per (schema snapshot, zone): snapshots are immutable, so the cache is keyed
 * by the snapshot object and dies with it. Never compiles twice for the same pair.
 */
import type { SchemaSnapshot } from './table-schema'

export function perSnapshotAndZone<T>(
  compile: (snapshot: SchemaSnapshot, timezone: string) => T,
): (snapshot: SchemaSnapshot, timezone: string) => T {
  const bySnapshot = new WeakMap<SchemaSnapshot, Map<string, T>>()
  return (snapshot, timezone) => {
    let byZone = bySnapshot.get(snapshot)
    if (byZone === undefined) {
      byZone = new Map()
      bySnapshot.set(snapshot, byZone)
    }
    if (!byZone.has(timezone)) byZone.set(timezone, compile(snapshot, timezone))
    return byZone.get(timezone) as T
  }
}
