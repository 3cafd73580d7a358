/**
 * @module batch/label
 * The Doris Stream Load label (and ClickHouse dedup token) of a batch: a pure function of the
 * target and the per-partition offset ranges, so a retry or a replay reuses it (SPEC §6). Never
 * depends on time, randomness or the order of rows.
 */
import { createHash } from 'node:crypto'
import type { RowOffsets } from '../delivery/offset-tracker'
import type { TargetRef } from '../schema/table-schema'

/** Doris: a label is at most 128 characters of [A-Za-z0-9_-]. */
export const MAX_LABEL_LENGTH = 128
const HASH_CHARS = 32
const MAX_READABLE = MAX_LABEL_LENGTH - HASH_CHARS - 1
/** Kafka partitions are non-negative int32. */
const PARTITION_SPAN = 2 ** 31

/** `<prefix>_<db>_<table>_<128-bit hash of the canonical range text>`. */
export function batchLabel(prefix: string, target: TargetRef, rows: RowOffsets): string {
  const readable = [prefix, target.database, target.table].map(sanitize).join('_')
  const text = JSON.stringify([target.database, target.table, ...offsetRanges(rows)])
  return `${readable.slice(0, MAX_READABLE)}_${hash(text)}`
}

/** The label of rows [start, end) of a split batch: deterministic, distinct per range. */
export function subLabel(label: string, start: number, end: number): string {
  const candidate = `${label}_${start}_${end}`
  if (candidate.length <= MAX_LABEL_LENGTH) return candidate
  return `${label.slice(0, MAX_READABLE)}_${hash(candidate)}`
}

/** [topic, partition, min offset, max offset] per topic-partition, sorted. */
export function offsetRanges(rows: RowOffsets): Array<[string, number, number, number]> {
  // A numeric key per (topic index, partition): no string is built per row.
  const byKey = new Map<number, [string, number, number, number]>()
  for (let i = 0; i < rows.offsets.length; i++) {
    const topicIndex = rows.topicIndexes[i]!
    const partition = rows.partitions[i]!
    const offset = rows.offsets[i]!
    const key = topicIndex * PARTITION_SPAN + partition
    const range = byKey.get(key)
    if (range === undefined) {
      byKey.set(key, [rows.topics[topicIndex] ?? '', partition, offset, offset])
    } else {
      if (offset < range[2]) range[2] = offset
      if (offset > range[3]) range[3] = offset
    }
  }
  return [...byKey.values()].sort((a, b) => (a[0] === b[0] ? a[1] - b[1] : a[0] < b[0] ? -1 : 1))
}

function sanitize(part: string): string {
  return part.replace(/[^A-Za-z0-9_-]/g, '_')
}

/** sha256 rather than Bun.hash: the label must be the same across Bun versions and restarts. */
function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, HASH_CHARS)
}
