/**
 * @module delivery/manifest
 * The manifest of an exactly-once batch (SPEC §6): its target, batch task, the one partition and
 * offset range it holds, its row count and its label. In exactly_once mode a batch holds rows of
 * one partition only, so a replay re-forms it from that range alone, whoever else owns the
 * other partitions then.
 */
import type { DrainedBatch } from '../batch/batch-set'
import type { TargetRef } from '../schema/table-schema'

export interface Manifest {
  readonly label: string
  readonly target: TargetRef
  readonly task: string | undefined
  readonly topic: string
  readonly partition: number
  readonly firstOffset: number
  readonly lastOffset: number
  readonly rows: number
  /** Stored true once the sink confirmed the batch (or its rows were settled otherwise). */
  readonly written: boolean
}

/** The manifest of a batch of one partition; throws if the batch spans several. */
export function manifestOf(batch: DrainedBatch): Manifest {
  const n = batch.offsets.length
  if (n === 0) throw new Error(`batch ${batch.label} is empty`)
  const topicIndex = batch.topicIndexes[0]!
  const partition = batch.partitions[0]!
  let first = batch.offsets[0]!
  let last = first
  for (let i = 1; i < n; i++) {
    if (batch.topicIndexes[i] !== topicIndex || batch.partitions[i] !== partition) {
      throw new Error(`batch ${batch.label} holds several partitions: not exactly-once`)
    }
    const o = batch.offsets[i]!
    if (o < first) first = o
    if (o > last) last = o
  }
  return {
    label: batch.label,
    target: batch.target,
    task: batch.task,
    topic: batch.topics[topicIndex] ?? '',
    partition,
    firstOffset: first,
    lastOffset: last,
    rows: n,
    written: false,
  }
}

/** What a manifest store keeps; the libSQL one is ledger/manifests. Every call is bounded. */
export interface ManifestStore {
  /** Stores the manifest unless one with its label exists (a replay records it again). */
  record(m: Manifest, now: number): Promise<void>
  markWritten(label: string, now: number): Promise<void>
  /** Every manifest of these partitions, by partition and first offset. */
  forPartitions(partitions: readonly { topic: string; partition: number }[]): Promise<Manifest[]>
  /** Forgets the partition's manifests wholly below `committed` (the next offset to read). */
  prune(topic: string, partition: number, committed: number): Promise<number>
}
