/**
 * @module pipeline/ingest
 * One packed Kafka batch in, rows into per-target batches and dead letters out: decode, route
 * (target first), map with that target's own snapshot, batch. A message of a fixed route is
 * first offered to the byte-level fast encoder, which writes its row straight into the batch
 * body; a declined one takes the slow path (decode to objects), which alone decides dead-letter
 * reasons. A message whose target is not loaded yet, or is changing its schema (a new column,
 * SPEC §9 "Dynamic schema"), is parked while that runs in the background, so one slow or failing
 * target never stalls the others; released() later places parked messages in arrival order.
 * Every message it tracks reaches one outcome; it never throws for bad input.
 */
import type { Batcher, BatchSet, DrainedBatch } from '../batch/batch-set'
import type { DeadLetterInput } from '../deadletter/dead-letter'
import type { DeadLetterReason } from '../deadletter/reason'
import { JsonBatchDecoder } from '../decode/json-batch-decoder'
import type { OffsetTracker } from '../delivery/offset-tracker'
import type { ReplayPlan } from '../delivery/replay-plan'
import type { Metrics } from '../metrics/metrics'
import type { Route, Router } from '../route/router'
import { type DynamicPolicy, newColumnsOf } from '../schema/dynamic-column'
import { DECLINED, type FastEncoder } from '../schema/fast/fast-encoder'
import { fastEncoderFor } from '../schema/fast/fast-encoders'
import { RUN_DECLINED, RUN_FULL, RUN_ROOM, type RunEncoder } from '../schema/run-encoder'
import { runEncoderFor } from '../schema/run-encoders'
import { type TargetRef, targetKey } from '../schema/table-schema'
import type { SinkKind } from '../sinks/sink'
import type { PackedBatch } from '../source/packed-batch'
import { FLAG_HAS_HEADERS, FLAG_NULL_VALUE } from '../source/packed-batch'
import { headersOf, keyBytes, valueBytes } from '../source/packed-consume'
import type { ParkedMessage, ParkedMessages } from './parked'
import type { LoadOptions, TargetRegistry, TargetState } from './targets'
import type { TaskGate } from './task-gate'

export interface IngestDeps {
  tracker: OffsetTracker
  router: Router
  targets: TargetRegistry
  batches: BatchSet
  /** Messages waiting for their target's load or schema change. */
  parked: ParkedMessages
  metrics: Metrics
  now(): number
  /** Largest value accepted; a longer one is dead-lettered as too_large. */
  maxMessageBytes: number
  /** How to load a target first met through route `index` (its zone, its manual columns). */
  loadOptions(index: number): LoadOptions
  /** Route `index`'s dynamic schema policy, or undefined when it adds no columns. */
  dynamic?(index: number): DynamicPolicy | undefined
  /** New keys left out of `table` because it reached max_columns (log, rate-limited). */
  onCapped?(table: string, keys: readonly string[]): void
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

/** What placing messages produced: dead letters to write and batches to dispatch. */
export interface Placed {
  readonly deadLetters: DeadLetterInput[]
  readonly drained: DrainedBatch[]
}

/** A fixed route's loaded target and its fast encoders, valid until the next await. */
interface FastTarget {
  readonly state: TargetState
  readonly encoder: FastEncoder
  readonly run: RunEncoder
}

type Dead = (reason: DeadLetterReason, detail: string) => void

export async function ingest(
  b: PackedBatch,
  deps: IngestDeps,
  signal: AbortSignal,
): Promise<IngestResult> {
  const { tracker, router, batches, replay } = deps
  const now = deps.now()
  // Targets loaded since the last call place their parked messages before any new one.
  const out = released(deps, signal)
  const counts = new TopicCounts(b.topics.length)
  const decoder = new JsonBatchDecoder(b.values)
  const dead = (i: number, reason: DeadLetterReason, detail: string) =>
    out.deadLetters.push(deadLetterInput(b, i, reason, detail, now))
  // Per (topic, partition) run and per route: what holds until the next await (see reset).
  let lastTopicIndex = -1
  let lastPartition = -1
  let assigned = false
  let fastTargets = new Map<number, FastTarget | null>()
  const zones = new ZoneAgreement(deps)
  // The run lane: a partition's run of messages of a fixed route, encoded in one call.
  let runEnd = 0
  const laneRoutes = replay === undefined ? router.routes.filter((r) => r.fixed).length : 0
  const laneTarget = (topic: string): FastTarget | null => {
    const route = router.routeOf(topic)
    if (!route?.fixed) return null
    let fast = fastTargets.get(route.index)
    if (fast === undefined) {
      fast = fastTarget(route, deps, zones, now)
      fastTargets.set(route.index, fast)
    }
    return fast
  }
  // exactly_once: per partition with manifests, the last offset read in this batch.
  const replayRead = new Map<string, { topic: string; partition: number }>()
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
    if (replay === undefined && laneRoutes !== 0) {
      if (i >= runEnd) runEnd = partitionRunEnd(b, i)
      const fast = laneTarget(topic)
      if (fast !== null) {
        const placed = placeRun(deps, b, fast, topic, partition, i, runEnd, now, out, counts)
        if (placed > 0) {
          i += placed - 1
          start = b.valueEnd[i]! + (b.sep >= 0 ? 1 : 0)
          continue
        }
      }
    }
    const size = end - valueStart
    tracker.track(topic, partition, offset, size)
    counts.add(topicIndex, size)
    if (replay?.has(topic, partition)) {
      replay.enter(topic, partition, offset)
      replayRead.set(`${topic}\u0000${partition}`, { topic, partition })
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
          dropDeprecated(deps, topic, partition, offset, spec.target)
          continue
        }
        task = spec.taskId
      }
    }
    if (route?.fixed && replay === undefined) {
      let fast = fastTargets.get(route.index)
      if (fast === undefined) {
        fast = fastTarget(route, deps, zones, now)
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
          placeRow(deps, fast.state, task, batcher, rowEnd, topic, partition, offset, now, out)
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
    const message: Message = {
      target: resolved.target,
      routeIndex: route.index,
      value: decoded.value,
      task,
      topic,
      partition,
      offset,
    }
    const outcome = place(deps, message, now, signal, out, (reason, detail) =>
      dead(i, reason, detail),
    )
    if (outcome === WAIT) {
      deps.parked.park(targetKey(resolved.target), { ...message, record: recordOf(b, i) })
    }
  }
  if (replay !== undefined) replayDone(deps, replayRead.values(), now, out)
  return { ...out, consumed: counts.report(b.topics, deps.metrics) }
}

/**
 * Places the parked messages of every target whose load or change has finished, in arrival
 * order: rows, or dead letters (unknown_table when the table turned out missing). A target that
 * needs another change keeps the rest of its messages parked. Never waits.
 */
export function released(deps: IngestDeps, signal: AbortSignal): Placed {
  const out: Placed = { deadLetters: [], drained: [] }
  if (deps.parked.size === 0) return out
  const now = deps.now()
  const replayRead = new Map<string, { topic: string; partition: number }>()
  for (const key of deps.parked.keys()) {
    if (deps.targets.busy(key)) continue
    const list = deps.parked.take(key)
    for (let j = 0; j < list.length; j++) {
      const m = list[j]!
      const { topic, partition, offset } = m.record
      // A revoked partition's messages were dropped on revocation; this is the safety net.
      if (!deps.isAssigned(topic, partition)) continue
      if (m.task !== undefined && deps.tasks?.known(m.task) === 'drop') {
        dropDeprecated(deps, topic, partition, offset, m.target)
        continue
      }
      if (deps.replay?.has(topic, partition)) {
        replayRead.set(`${topic}\u0000${partition}`, { topic, partition })
      }
      const message: Message = { ...m, topic, partition, offset }
      const outcome = place(deps, message, now, signal, out, (reason, detail) =>
        out.deadLetters.push({ ...m.record, reason, detail, now }),
      )
      if (outcome === WAIT) {
        deps.parked.restore(key, list.slice(j))
        break
      }
    }
  }
  if (replayRead.size > 0) replayDone(deps, replayRead.values(), now, out)
  return out
}

/**
 * exactly_once: the manifests of these partitions that were read whole are re-formed as batches
 * with their stored labels. A parked message has not reached its manifest yet, so a partition
 * counts as read only up to just before its first parked offset.
 */
function replayDone(
  deps: IngestDeps,
  partitions: Iterable<{ topic: string; partition: number }>,
  now: number,
  out: Placed,
): void {
  const replay = deps.replay
  if (replay === undefined) return
  for (const { topic, partition } of partitions) {
    if (!deps.isAssigned(topic, partition)) continue
    const parked = deps.parked.firstOffset(topic, partition)
    const read = replay.lastRead(topic, partition)
    const upTo = parked === undefined ? read : Math.min(read, parked - 1)
    for (const done of replay.progress(topic, partition, upTo)) {
      const m = done.manifest
      out.drained.push(
        deps.batches.replayed(m.target, done.version, m.label, done.rows, now, m.task),
      )
    }
  }
}

/** A decoded message whose target is resolved. */
interface Message {
  readonly target: TargetRef
  readonly routeIndex: number
  readonly value: Record<string, unknown>
  readonly task: string | undefined
  readonly topic: string
  readonly partition: number
  readonly offset: number
}

const DONE = 0
const WAIT = 1

/**
 * Encodes a message with its own target's snapshot and places the row, or dead-letters it; WAIT
 * when the target is not ready (loading, changing, or messages before it still parked). Starts
 * what the target needs: its load, or the new columns the message brings (draining the target's
 * buffered rows first, so no batch mixes the old and new schema).
 */
function place(
  deps: IngestDeps,
  m: Message,
  now: number,
  signal: AbortSignal,
  out: Placed,
  dead: Dead,
): typeof DONE | typeof WAIT {
  const { targets } = deps
  const key = targetKey(m.target)
  if (deps.parked.has(key)) return WAIT
  const state = targets.peek(key, now)
  if (state === undefined) {
    if (targets.busy(key)) return WAIT
    if (targets.knownMissing(key)) {
      dead('unknown_table', `table ${key} does not exist`)
      return DONE
    }
    targets.request(m.target, deps.loadOptions(m.routeIndex), signal)
    return WAIT
  }
  const policy = deps.dynamic?.(m.routeIndex)
  if (policy !== undefined) {
    const found = newColumnsOf(state.snapshot, m.value, policy, state.refused)
    if (found.capped.length > 0) deps.onCapped?.(key, found.capped)
    if (found.add.length > 0) {
      const drained = deps.batches.drainTarget(state.snapshot.target, 'schema_change')
      if (drained.length > 0) out.drained.push(...drained)
      targets.change(m.target, found.add, deps.loadOptions(m.routeIndex).timezone, signal)
      return WAIT
    }
  }
  const row = encodeSafely(state, m.value)
  if (typeof row !== 'string') {
    dead(row.reason, row.detail)
    return DONE
  }
  placeRow(deps, state, m.task, row, -1, m.topic, m.partition, m.offset, now, out)
  return DONE
}

/**
 * The one place a row enters a batch (fast path, slow path, released parked messages). `row` is
 * the slow encoder's text, or the batcher (from BatchSet.open) the fast encoder wrote it into,
 * ending at `end`. exactly_once: a row of a manifest already written is acknowledged and never
 * sent again; one of an unwritten manifest is gathered for its replay (replayDone sends it).
 */
export function placeRow(
  deps: IngestDeps,
  state: TargetState,
  task: string | undefined,
  row: string | Batcher,
  end: number,
  topic: string,
  partition: number,
  offset: number,
  now: number,
  out: Placed,
): void {
  const { target, version } = state.snapshot
  const replay = deps.replay
  // The fast path is off while replaying, so a replayed row is always text.
  if (replay?.has(topic, partition) && typeof row === 'string') {
    const placed = replay.place(state.key, task, topic, partition, offset)
    if (placed.kind === 'settled') {
      // Written before a crash: sending it again could only duplicate it.
      deps.tracker.ack(topic, partition, offset)
      deps.metrics.rowsDropped.inc({ table: state.key, reason: 'already_written' })
      return
    }
    if (placed.kind === 'replay') {
      replay.gather(placed.label, { row, topic, partition, offset }, version)
      return
    }
  }
  const due =
    typeof row === 'string'
      ? deps.batches.add(target, version, row, topic, partition, offset, now, task)
      : deps.batches.commit(row, end, topic, partition, offset, now)
  if (due.length > 0) out.drained.push(...due)
}

/** A row of a deprecated batch task (SPEC §5 rule 3): acknowledged and counted, never written. */
function dropDeprecated(
  deps: IngestDeps,
  topic: string,
  partition: number,
  offset: number,
  target: TargetRef,
): void {
  deps.tracker.ack(topic, partition, offset)
  deps.metrics.rowsDropped.inc({ table: targetKey(target), reason: 'deprecated_batch' })
}

/** Message i's dead-letter fields as copies: a parked message outlives its packed batch. */
function recordOf(b: PackedBatch, i: number): ParkedMessage['record'] {
  return {
    topic: b.topics[b.topicIndex[i]!]!,
    partition: b.partitions[i]!,
    offset: b.offsets[i]!,
    timestamp: b.timestamps[i]!,
    key: keyBytes(b, i)?.slice() ?? null,
    headers: headersOf(b, i).map((h) => ({ name: h.name, value: h.value?.slice() ?? null })),
    value: valueBytes(b, i)?.slice() ?? null,
  }
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

/** The fast path of a fixed route whose target is loaded and ready, or null (messages go slow). */
function fastTarget(
  route: Route,
  deps: IngestDeps,
  zones: ZoneAgreement,
  now: number,
): FastTarget | null {
  if (deps.sinkKind !== 'clickhouse') return null
  // A dynamic route must see every new key: the fast encoder would skip them silently.
  if (deps.dynamic?.(route.index) !== undefined) return null
  const resolved = deps.router.resolve(route, {})
  if (!resolved.ok) return null
  const key = targetKey(resolved.target)
  // Parked messages of the target go first, in arrival order.
  if (deps.parked.has(key)) return null
  const state = deps.targets.peek(key, now)
  if (!state) return null
  const timezone = deps.loadOptions(route.index).timezone
  const encoder = fastEncoderFor(state.snapshot, timezone)
  const run = runEncoderFor(state.snapshot, timezone)
  if (encoder === null || run === null) return null
  // The slow encoder took the zone of whichever route loaded the target first: the fast one
  // must agree, which is certain only when every route has the same zone.
  if ((encoder.usesRouteZone || run.usesRouteZone) && !zones.agree()) return null
  return { state, encoder, run }
}

/** One past the last message of the (topic, partition) run that message `from` starts. */
function partitionRunEnd(b: PackedBatch, from: number): number {
  const topicIndex = b.topicIndex[from]
  const partition = b.partitions[from]
  let i = from + 1
  while (i < b.count && b.partitions[i] === partition && b.topicIndex[i] === topicIndex) i++
  return i
}

/** Where a run encoder writes its row ends; grown when a batch takes more rows. */
let rowEnds = new Uint32Array(4096)

/**
 * The run lane: messages [from, to) of one partition, bound for `fast`'s target, encoded by its
 * run encoder straight into the target's batch, tracked and committed a run at a time. Stops
 * at the first message the encoder declines; returns how many messages it placed (the caller
 * takes the next one through the per-message path).
 */
function placeRun(
  deps: IngestDeps,
  b: PackedBatch,
  fast: FastTarget,
  topic: string,
  partition: number,
  from: number,
  to: number,
  now: number,
  out: Placed,
  counts: TopicCounts,
): number {
  const { batches, tracker } = deps
  const { target, version } = fast.state.snapshot
  const policy = {
    declineFlags: FLAG_NULL_VALUE | (deps.tasks === undefined ? 0 : FLAG_HAS_HEADERS),
    maxValueBytes: deps.maxMessageBytes,
  }
  const step = b.sep >= 0 ? 1 : 0
  let i = from
  let want = 0
  while (i < to) {
    const batcher = batches.open(target, version, want)
    want = 0
    const stop = Math.min(to, i + batcher.roomRows)
    if (rowEnds.length < stop - i) rowEnds = new Uint32Array(Math.max(stop - i, rowEnds.length * 2))
    const r = fast.run.encodeRun(
      b,
      policy,
      i,
      stop,
      batcher.body,
      batcher.writePos,
      batcher.limitBytes,
      rowEnds,
    )
    const count = Math.floor(r / 4)
    const reason = r & 3
    if (count > 0) {
      const valueStart = i === 0 ? 0 : b.valueEnd[i - 1]! + step
      tracker.trackRun(topic, partition, b.offsets, b.valueEnd, step === 1, i, i + count)
      counts.addRun(
        b.topicIndex[i]!,
        count,
        b.valueEnd[i + count - 1]! - valueStart - step * (count - 1),
      )
      const due = batches.commitRun(batcher, rowEnds, count, topic, partition, b.offsets, i, now)
      if (due.length > 0) out.drained.push(...due)
      i += count
    }
    if (reason === RUN_DECLINED) break
    if (reason === RUN_ROOM) want = Math.max(batcher.body.length, MIN_RUN_ROOM)
    else if (reason === RUN_FULL) {
      const full = batches.drainFull(batcher)
      if (full !== null) out.drained.push(full)
    }
  }
  return i - from
}

/** The least room a body grows by when a run encoder runs out of it. */
const MIN_RUN_ROOM = 64 * 1024

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

  addRun(topicIndex: number, n: number, bytes: number): void {
    this.n[topicIndex]! += n
    this.bytes[topicIndex]! += bytes
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
