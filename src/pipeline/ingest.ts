/**
 * @module pipeline/ingest
 * One packed Kafka batch in, rows into per-target batches and dead letters out: decode, route
 * (target first), map with that target's own snapshot, batch. A message of a fixed route is
 * first offered to the byte-level fast encoder, which writes its row straight into the batch
 * body; a declined one takes the slow path (decode to objects), which alone decides dead-letter
 * reasons. Every message it tracks reaches one outcome; it never throws for bad input.
 */
import type { BatchSet, DrainedBatch } from '../batch/batch-set'
import type { DeadLetterInput } from '../deadletter/dead-letter'
import type { DeadLetterReason } from '../deadletter/reason'
import { JsonBatchDecoder } from '../decode/json-batch-decoder'
import type { OffsetTracker } from '../delivery/offset-tracker'
import type { ReplayPlan } from '../delivery/replay-plan'
import type { Metrics } from '../metrics/metrics'
import type { Route, Router } from '../route/router'
import { DECLINED, type FastEncoder } from '../schema/fast/fast-encoder'
import { fastEncoderFor } from '../schema/fast/fast-encoders'
import { targetKey } from '../schema/table-schema'
import type { SinkKind } from '../sinks/sink'
import type { PackedBatch } from '../source/packed-batch'
import { FLAG_HAS_HEADERS, FLAG_NULL_VALUE } from '../source/packed-batch'
import { headersOf, keyBytes, valueBytes } from '../source/packed-consume'
import type { LoadOptions, TargetRegistry, TargetState } from './targets'
import type { TaskGate } from './task-gate'

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
  /** The fast encoder writes ClickHouse's row text; Doris rows take the slow path. */
  sinkKind: SinkKind
  /** Batch-task headers and the ledger (SPEC §5); absent in tests that need no ledger. */
  tasks?: TaskGate | undefined
  /**
   * exactly_once (SPEC §6): the manifests to replay. Its rows take the slow path, whose bytes
   * the fast path is proven to equal, so a replay never depends on which path a row took.
   */
  replay?: ReplayPlan | undefined
}

export interface IngestResult {
  readonly deadLetters: DeadLetterInput[]
  readonly drained: DrainedBatch[]
  /** Messages of assigned partitions in this batch (all of them got tracked). */
  readonly consumed: number
}

/** A fixed route's loaded target and its fast encoder, valid until the next await. */
interface FastTarget {
  readonly state: TargetState
  readonly encoder: FastEncoder
}

export async function ingest(
  b: PackedBatch,
  deps: IngestDeps,
  signal: AbortSignal,
): Promise<IngestResult> {
  const { tracker, router, targets, batches, replay } = deps
  const deadLetters: DeadLetterInput[] = []
  const drained: DrainedBatch[] = []
  const now = deps.now()
  const counts = new TopicCounts(b.topics.length)
  const decoder = new JsonBatchDecoder(b.values)
  const dead = (i: number, reason: DeadLetterReason, detail: string) =>
    deadLetters.push(deadLetterInput(b, i, reason, detail, now))
  // Per (topic, partition) run and per route: what holds until the next await (see reset).
  let lastTopicIndex = -1
  let lastPartition = -1
  let assigned = false
  let fastTargets = new Map<number, FastTarget | null>()
  const zones = new ZoneAgreement(deps)
  // exactly_once: per partition with manifests, the last offset read in this batch.
  const replayProgress = new Map<string, { topic: string; partition: number; offset: number }>()
  let start = 0
  for (let i = 0; i < b.count; i++) {
    const end = b.valueEnd[i]!
    const valueStart = start
    start = b.sep >= 0 ? end + 1 : end
    const topicIndex = b.topicIndex[i]!
    const topic = b.topics[topicIndex]!
    const partition = b.partitions[i]!
    const offset = b.offsets[i]!
    if (topicIndex !== lastTopicIndex || partition !== lastPartition) {
      lastTopicIndex = topicIndex
      lastPartition = partition
      assigned = deps.isAssigned(topic, partition)
    }
    if (!assigned) continue
    const size = end - valueStart
    tracker.track(topic, partition, offset, size)
    counts.add(topicIndex, size)
    if (replay?.has(topic, partition)) {
      replay.enter(topic, partition, offset)
      replayProgress.set(`${topic}\u0000${partition}`, { topic, partition, offset })
    }

    if ((b.flags[i]! & FLAG_NULL_VALUE) !== 0) {
      dead(i, 'not_object', 'the message has no value (tombstone)')
      continue
    }
    if (size > deps.maxMessageBytes) {
      dead(i, 'too_large', `value of ${size} bytes exceeds batch.max_bytes`)
      continue
    }
    const route = router.routeOf(topic)
    let task: string | undefined
    if (deps.tasks !== undefined && (b.flags[i]! & FLAG_HAS_HEADERS) !== 0) {
      const parsed = deps.tasks.parse(headersOf(b, i), route)
      if (parsed.kind === 'bad') {
        dead(i, 'bad_batch_header', parsed.detail)
        continue
      }
      if (parsed.kind === 'task') {
        const spec = parsed.task
        let verdict = deps.tasks.known(spec.taskId)
        if (verdict === undefined) {
          // The batch holds here until its action ran (SPEC §5 rule 1).
          verdict = await deps.tasks.admit(spec, signal)
          lastTopicIndex = -1
          fastTargets = new Map()
          if (!deps.isAssigned(topic, partition)) continue
        }
        if (verdict === 'drop') {
          tracker.ack(topic, partition, offset)
          deps.metrics.rowsDropped.inc({
            table: targetKey(spec.target),
            reason: 'deprecated_batch',
          })
          continue
        }
        task = spec.taskId
      }
    }
    if (route?.fixed && replay === undefined) {
      let fast = fastTargets.get(route.index)
      if (fast === undefined) {
        fast = fastTarget(route, deps, zones)
        fastTargets.set(route.index, fast)
      }
      if (fast !== null) {
        const { snapshot } = fast.state
        const batcher = batches.open(
          snapshot.target,
          snapshot.version,
          fast.encoder.maxRowBytes(size),
          task,
        )
        const rowEnd = fast.encoder.encode(
          b.values,
          valueStart,
          end,
          batcher.body,
          batcher.writePos,
        )
        if (rowEnd !== DECLINED) {
          const out = batches.commit(batcher, rowEnd, topic, partition, offset, now)
          if (out.length > 0) drained.push(...out)
          continue
        }
      }
    }
    const decoded = decoder.decode(valueStart, end)
    if (!decoded.ok) {
      dead(i, decoded.reason, decoded.detail)
      continue
    }
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
      // Partitions and targets may have changed while we waited.
      lastTopicIndex = -1
      fastTargets = new Map()
      if (!deps.isAssigned(topic, partition)) continue
    }
    if (!state) {
      dead(i, 'unknown_table', `table ${key} does not exist`)
      continue
    }
    const row = encodeSafely(state, decoded.value)
    if (typeof row !== 'string') {
      dead(i, row.reason, row.detail)
      continue
    }
    const { target, version } = state.snapshot
    if (replay?.has(topic, partition)) {
      const placed = replay.place(key, task, topic, partition, offset)
      if (placed.kind === 'settled') {
        // Written before a crash: sending it again could only duplicate it.
        tracker.ack(topic, partition, offset)
        deps.metrics.rowsDropped.inc({ table: key, reason: 'already_written' })
        continue
      }
      if (placed.kind === 'replay') {
        replay.gather(placed.label, { row, topic, partition, offset }, version)
        continue
      }
    }
    const out = batches.add(target, version, row, topic, partition, offset, now, task)
    if (out.length > 0) drained.push(...out)
  }
  if (replay !== undefined) {
    for (const p of replayProgress.values()) {
      if (!deps.isAssigned(p.topic, p.partition)) continue
      for (const done of replay.progress(p.topic, p.partition, p.offset)) {
        const m = done.manifest
        drained.push(batches.replayed(m.target, done.version, m.label, done.rows, now, m.task))
      }
    }
  }
  return { deadLetters, drained, consumed: counts.report(b.topics, deps.metrics) }
}

/**
 * The slow encoder, with a guard: a value that makes a coercer throw (a bug on an input nobody
 * foresaw) is this message's type_mismatch, never an exception that stops the pipeline.
 */
function encodeSafely(
  state: TargetState,
  value: Record<string, unknown>,
): string | { reason: 'type_mismatch'; detail: string } {
  try {
    return state.encoder.encode(value)
  } catch (e) {
    return {
      reason: 'type_mismatch',
      detail: `cannot coerce: ${String((e as Error).message).slice(0, 200)}`,
    }
  }
}

/** The fast path of a fixed route whose target is loaded, or null (its messages go slow). */
function fastTarget(route: Route, deps: IngestDeps, zones: ZoneAgreement): FastTarget | null {
  if (deps.sinkKind !== 'clickhouse') return null
  const resolved = deps.router.resolve(route, {})
  if (!resolved.ok) return null
  const state = deps.targets.peek(targetKey(resolved.target))
  if (!state) return null
  const timezone = deps.loadOptions(route.index).timezone
  const encoder = fastEncoderFor(state.snapshot, timezone)
  if (encoder === null) return null
  // The slow encoder took the zone of whichever route loaded the target first: the fast one
  // must agree, which is certain only when every route has the same zone.
  if (encoder.usesRouteZone && !zones.agree()) return null
  return { state, encoder }
}

/** Whether all routes share one time zone; asked at most once per ingest. */
class ZoneAgreement {
  private answer: boolean | undefined
  constructor(private readonly deps: IngestDeps) {}

  agree(): boolean {
    if (this.answer === undefined) {
      const zones = new Set(
        this.deps.router.routes.map((r) => this.deps.loadOptions(r.index).timezone),
      )
      this.answer = zones.size <= 1
    }
    return this.answer
  }
}

/** Messages and bytes per topic index of one packed batch, reported to metrics once. */
class TopicCounts {
  private readonly n: Float64Array
  private readonly bytes: Float64Array

  constructor(topics: number) {
    this.n = new Float64Array(topics)
    this.bytes = new Float64Array(topics)
  }

  add(topicIndex: number, size: number): void {
    this.n[topicIndex]! += 1
    this.bytes[topicIndex]! += size
  }

  /** Updates the consumed metrics; returns the total message count. */
  report(topics: readonly string[], metrics: Metrics): number {
    let total = 0
    for (let t = 0; t < topics.length; t++) {
      const n = this.n[t]!
      if (n === 0) continue
      const topic = topics[t]!
      metrics.messagesConsumed.inc({ topic }, n)
      metrics.bytesConsumed.inc({ topic }, this.bytes[t]!)
      total += n
    }
    return total
  }
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
