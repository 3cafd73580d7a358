/**
 * @module pipeline/ingest
 * One packed Kafka batch in, rows into per-target batches and dead letters out: decode, route
 * (target first), map with that target's own snapshot, batch. Every message it tracks reaches one
 * outcome: a buffered row, or a dead letter. It never throws for bad input.
 */
import type { BatchSet, DrainedBatch } from '../batch/batch-set'
import type { DeadLetterInput } from '../deadletter/dead-letter'
import type { DeadLetterReason } from '../deadletter/reason'
import { decodeJson } from '../decode/decode-json'
import type { OffsetTracker } from '../delivery/offset-tracker'
import type { Metrics } from '../metrics/metrics'
import type { Router } from '../route/router'
import { targetKey } from '../schema/table-schema'
import type { PackedBatch } from '../source/packed-batch'
import { FLAG_NULL_VALUE } from '../source/packed-batch'
import { headersOf, keyBytes, valueBytes } from '../source/packed-consume'
import type { LoadOptions, TargetRegistry, TargetState } from './targets'

export interface IngestDeps {
  tracker: OffsetTracker
  router: Router
  targets: TargetRegistry
  batches: BatchSet
  metrics: Metrics
  now(): number
  /** Largest value accepted; a longer one is dead-lettered as too_large. */
  maxMessageBytes: number
  /** How to load a target first met through route `index` (its zone, its manual columns). */
  loadOptions(index: number): LoadOptions
  /** Is this partition ours now? Messages of a revoked partition are skipped, not tracked. */
  isAssigned(topic: string, partition: number): boolean
}

export interface IngestResult {
  readonly deadLetters: DeadLetterInput[]
  readonly drained: DrainedBatch[]
  /** Messages of assigned partitions in this batch (all of them got tracked). */
  readonly consumed: number
}

export async function ingest(
  b: PackedBatch,
  deps: IngestDeps,
  signal: AbortSignal,
): Promise<IngestResult> {
  const { tracker, router, targets, batches } = deps
  const deadLetters: DeadLetterInput[] = []
  const drained: DrainedBatch[] = []
  const now = deps.now()
  const consumed = new Map<string, { n: number; bytes: number }>()
  const dead = (i: number, reason: DeadLetterReason, detail: string) =>
    deadLetters.push(deadLetterInput(b, i, reason, detail, now))
  let start = 0
  for (let i = 0; i < b.count; i++) {
    const end = b.valueEnd[i]!
    const valueStart = start
    start = b.sep >= 0 ? end + 1 : end
    const topic = b.topics[b.topicIndex[i]!]!
    const partition = b.partitions[i]!
    const offset = b.offsets[i]!
    if (!deps.isAssigned(topic, partition)) continue
    const size = end - valueStart
    tracker.track(topic, partition, offset, size)
    const c = consumed.get(topic)
    if (c) {
      c.n++
      c.bytes += size
    } else consumed.set(topic, { n: 1, bytes: size })

    if ((b.flags[i]! & FLAG_NULL_VALUE) !== 0) {
      dead(i, 'not_object', 'the message has no value (tombstone)')
      continue
    }
    if (size > deps.maxMessageBytes) {
      dead(i, 'too_large', `value of ${size} bytes exceeds batch.max_bytes`)
      continue
    }
    const decoded = decodeJson(b.values, valueStart, end)
    if (!decoded.ok) {
      dead(i, decoded.reason, decoded.detail)
      continue
    }
    const route = router.routeOf(topic)
    if (!route) {
      dead(i, 'unknown_table', `no route takes topic ${topic}`)
      continue
    }
    const resolved = router.resolve(route, decoded.value)
    if (!resolved.ok) {
      dead(i, resolved.reason, resolved.detail)
      continue
    }
    const key = targetKey(resolved.target)
    let state: TargetState | null | undefined = targets.peek(key)
    if (!state) {
      state = targets.knownMissing(key)
        ? null
        : await targets.load(resolved.target, deps.loadOptions(route.index), signal)
      if (!deps.isAssigned(topic, partition)) continue
    }
    if (!state) {
      dead(i, 'unknown_table', `table ${key} does not exist`)
      continue
    }
    const row = state.encoder.encode(decoded.value)
    if (typeof row !== 'string') {
      dead(i, row.reason, row.detail)
      continue
    }
    const out = batches.add(
      state.snapshot.target,
      state.snapshot.version,
      row,
      // UTF-16 length: exact for ASCII rows and cheap; a batch limit needs no more precision.
      row.length + 1,
      topic,
      partition,
      offset,
      now,
    )
    if (out.length > 0) drained.push(...out)
  }
  let total = 0
  for (const [topic, c] of consumed) {
    deps.metrics.messagesConsumed.inc({ topic }, c.n)
    deps.metrics.bytesConsumed.inc({ topic }, c.bytes)
    total += c.n
  }
  return { deadLetters, drained, consumed: total }
}

function deadLetterInput(
  b: PackedBatch,
  i: number,
  reason: DeadLetterReason,
  detail: string,
  now: number,
): DeadLetterInput {
  return {
    reason,
    detail,
    topic: b.topics[b.topicIndex[i]!]!,
    partition: b.partitions[i]!,
    offset: b.offsets[i]!,
    timestamp: b.timestamps[i]!,
    key: keyBytes(b, i),
    headers: headersOf(b, i),
    value: valueBytes(b, i),
    now,
  }
}
