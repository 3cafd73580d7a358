/**
 * @module pipeline/pipeline
 * The run loop: poll packed batches, ingest, dispatch full batches, commit the tracker's settled
 * offsets, pause on backpressure, hand revocations back within `shutdown_timeout_ms`, and stop
 * gracefully. It never commits an offset the tracker has not settled, and no wait in it is
 * unbounded.
 */

import { BatchSet, type DrainedBatch } from '../batch/batch-set'
import { BodyPool } from '../batch/body-pool'
import type { Config } from '../config/schema'
import type { Clock } from '../core/clock'
import { withDeadline } from '../core/deadline'
import { GcPacer } from '../core/gc-pacer'
import type { DeadLetter } from '../deadletter/dead-letter'
import { ExactlyOnce } from '../delivery/exactly-once'
import type { ManifestStore } from '../delivery/manifest'
import { OffsetTracker } from '../delivery/offset-tracker'
import { ReplayPlan } from '../delivery/replay-plan'
import { ConfigError } from '../errors'
import { BatchTaskCoordinator } from '../ledger/coordinator'
import { newOwnerId, ownerIsGone } from '../ledger/open'
import type { RunAction } from '../ledger/run-statements'
import type { LedgerStore } from '../ledger/store'
import type { Logger } from '../log/logger'
import { rateLimited } from '../log/logger'
import type { Metrics } from '../metrics/metrics'
import { Router } from '../route/router'
import type { DynamicPolicy } from '../schema/dynamic-column'
import { compileRowEncoder } from '../schema/row-encoder'
import { type ColumnDef, targetKey } from '../schema/table-schema'
import type { Sink, Verdict } from '../sinks/sink'
import type { SourceHandlers, TopicPartition, TopicPartitionOffset } from '../source/kafka-source'
import type { PackedBatch } from '../source/packed-batch'
import { Dispatcher } from './dispatcher'
import { Health } from './health'
import { type IngestDeps, ingest, type Placed, released } from './ingest'
import { ParkedMessages } from './parked'
import { buildStatus, type PipelineStatus, TableStats } from './status'
import { type LoadOptions, TargetRegistry } from './targets'
import { TaskGate } from './task-gate'

/** What the pipeline needs of the Kafka consumer (KafkaSource in production). */
export interface Source {
  readonly joined: boolean
  readonly revocation: Promise<void> | undefined
  connect(timeoutMs: number): Promise<void>
  poll(timeoutMs: number): Promise<PackedBatch | null>
  commit(
    offsets: readonly TopicPartitionOffset[],
    timeoutMs: number,
    mode?: 'async' | 'sync',
  ): Promise<void>
  pause(partitions: readonly TopicPartition[]): void
  resume(partitions: readonly TopicPartition[]): void
  highWatermark(topic: string, partition: number): number | null
  close(timeoutMs: number): Promise<void>
}

export interface PipelineDeps {
  config: Config
  createSource(handlers: SourceHandlers): Source
  sink: Sink
  deadLetter: DeadLetter
  clock: Clock
  log: Logger
  metrics: Metrics
  /** The batch-task ledger (SPEC §5); without it batch headers are not acted on (tests). */
  ledger?: { store: LedgerStore; runAction: RunAction; manifests?: ManifestStore } | undefined
}

const COMMIT_INTERVAL_MS = 1000
const PROBE_INTERVAL_MS = 10_000
const PRUNE_INTERVAL_MS = 10_000
const LAG_INTERVAL_MS = 5000
const KAFKA_TIMEOUT_MS = 10_000
/** Two batches of a target in flight keep the sink busy while the next one fills. */
const WRITE_CONCURRENCY = 2
/** Many db keys: writes to different tables overlap their latency (pipeline/dispatcher). */
const TOTAL_WRITE_CONCURRENCY = 8
const BACKPRESSURE_CHECK_MS = 20
/** Bodies kept for reuse: enough for the common one-target case, little beside 400 MB RSS. */
const MAX_POOLED_BODY_BYTES = 64 * 1024 * 1024
/** Consumed bytes between collections the pipeline asks for (see core/gc-pacer). */
const GC_EVERY_BYTES = 32 * 1024 * 1024
/** How often idle targets are forgotten (issue 8: bounded with 10,000 db keys). */
const SWEEP_INTERVAL_MS = 5000
/** /status counts the newest tasks only: enough to see what the ledger is doing. */
const TASK_COUNT_LIMIT = 10_000

const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`

export class Pipeline {
  readonly health: Health
  private readonly tracker = new OffsetTracker()
  private readonly batches: BatchSet
  /** Written batches' bodies, lent to new batches (at most two full batches' worth). */
  private readonly bodies: BodyPool
  private readonly gcPacer = new GcPacer(GC_EVERY_BYTES)
  private readonly router: Router
  private readonly targets: TargetRegistry
  private readonly parked = new ParkedMessages()
  private readonly ingestDeps: IngestDeps
  private readonly logCapped: (emit: (suppressed: number) => void) => void
  private readonly dispatcher: Dispatcher
  private readonly coordinator: BatchTaskCoordinator | undefined
  private readonly tasks: TaskGate | undefined
  private readonly source: Source
  /** exactly_once (SPEC §6): manifests in the ledger, and the ones to replay after a restart. */
  private readonly exactlyOnce: ExactlyOnce | undefined
  private readonly replay: ReplayPlan | undefined
  /** Manifest reads of newly assigned partitions: no message is ingested before they finish. */
  private manifestLoads: Promise<void> = Promise.resolve()
  private readonly assigned = new Map<string, TopicPartition>()
  private readonly committed = new Map<string, number>()
  private readonly tables = new Map<string, TableStats>()
  private readonly stopping = new AbortController()
  private readonly startedAt: number
  private readonly logDeadLetter: (emit: (suppressed: number) => void) => void
  private commitChain: Promise<void> = Promise.resolve()
  private paused = false
  private taskCounts: Record<string, number> = {}
  private backpressureAt = Number.NEGATIVE_INFINITY
  private fatal: Error | undefined
  private consumed = 0
  private written = 0
  private deadLettered = 0

  constructor(private readonly deps: PipelineDeps) {
    const { config, clock, sink } = deps
    this.startedAt = clock.now()
    this.health = new Health(clock)
    const manifests = deps.ledger?.manifests
    if (config.delivery.guarantee === 'exactly_once') {
      if (!manifests) throw new Error('exactly_once needs the ledger for its manifests')
      this.exactlyOnce = new ExactlyOnce({
        store: manifests,
        sink,
        clock,
        log: deps.log,
        retry: config.delivery.retry,
        timeoutMs: KAFKA_TIMEOUT_MS,
      })
      this.replay = new ReplayPlan()
    }
    this.bodies = new BodyPool(Math.min(2 * config.batch.max_bytes, MAX_POOLED_BODY_BYTES))
    this.batches = new BatchSet(config.batch, {
      perPartition: this.exactlyOnce !== undefined,
      bodies: this.bodies,
    })
    this.router = new Router(config.tables, sinkDatabase(config))
    this.targets = new TargetRegistry({
      sink,
      clock,
      describeTimeoutMs: KAFKA_TIMEOUT_MS,
      retry: config.delivery.retry,
      compile: (snapshot, timezone) =>
        compileRowEncoder(snapshot, { timezone, dialect: sink.kind }),
      ddlTimeoutMs: config.ledger.action_timeout_ms,
      onTrouble: (t, problem) => this.health.set(`schema ${t.database}.${t.table}`, problem),
      onColumn: (t, column, outcome, why) => {
        const table = `${t.database}.${t.table}`
        if (outcome === 'added') deps.metrics.schemaChanges.inc({ table })
        const fields = { event: 'column_added', table, column: column.name, outcome, why }
        if (outcome === 'refused') deps.log.warn(fields, `${table}: column ${column.name} refused`)
        else deps.log.info(fields, `${table}: column ${column.name} ${outcome}`)
      },
    })
    this.dispatcher = new Dispatcher({
      bodies: this.bodies,
      sink,
      tracker: this.tracker,
      deadLetter: deps.deadLetter,
      metrics: deps.metrics,
      clock,
      retry: config.delivery.retry,
      concurrency: WRITE_CONCURRENCY,
      totalConcurrency: TOTAL_WRITE_CONCURRENCY,
      onVerdict: (v, table) => this.onVerdict(v, table),
      onFatal: (e) => this.fail(e),
      onWritten: (table, rows, bytes) => {
        this.written += rows
        this.tableStats(table).flushed(rows, bytes, clock.now())
      },
      taskVerdict: (task) => this.coordinator?.verdictIfKnown(task),
      ...(this.exactlyOnce
        ? {
            beforeSend: (b, s) => this.exactlyOnce!.beforeSend(b, s),
            afterWritten: (b) => this.exactlyOnce!.afterWritten(b),
          }
        : {}),
    })
    this.logDeadLetter = rateLimited(() => clock.now(), 10_000, 20)
    this.logCapped = rateLimited(() => clock.now(), 60_000, 5)
    if (deps.ledger) {
      this.coordinator = new BatchTaskCoordinator({
        store: deps.ledger.store,
        clock,
        owner: newOwnerId(),
        actionTimeoutMs: config.ledger.action_timeout_ms,
        runAction: deps.ledger.runAction,
        drainDeprecated: (taskId, s) => this.drainTask(taskId, s),
        ownerGone: ownerIsGone,
        metrics: deps.metrics,
      })
      this.tasks = new TaskGate(this.coordinator, this.router, sink.kind, sinkDatabase(config))
    }
    const policies = config.tables.map(dynamicPolicy)
    this.ingestDeps = {
      tracker: this.tracker,
      router: this.router,
      targets: this.targets,
      batches: this.batches,
      parked: this.parked,
      metrics: deps.metrics,
      now: () => clock.now(),
      maxMessageBytes: config.batch.max_bytes,
      loadOptions: (i) => this.loadOptions(i),
      dynamic: (i) => policies[i],
      onCapped: (table, keys) =>
        this.logCapped((suppressed) =>
          deps.log.warn(
            { event: 'columns_capped', table, keys: keys.slice(0, 20), suppressed },
            `${table} has reached dynamic_schema.max_columns; new keys are ignored`,
          ),
        ),
      isAssigned: (t, p) => this.assigned.has(tpKey(t, p)),
      sinkKind: sink.kind,
      tasks: this.tasks,
      replay: this.replay,
    }
    this.source = deps.createSource({
      onAssign: (parts) => this.onAssign(parts),
      onRevoke: (parts) => this.onRevoke(parts),
      onError: (message, fatal) => this.onSourceError(message, fatal),
    })
  }

  /** Runs until stop() or a fatal error; resolves with the exit code (SPEC §2). */
  async run(): Promise<0 | 1 | 2> {
    const signal = this.stopping.signal
    const loops = [
      this.every(COMMIT_INTERVAL_MS, () => this.commit()),
      this.every(PROBE_INTERVAL_MS, () => this.probe()),
      this.every(LAG_INTERVAL_MS, () => this.updateLag()),
      this.every(PROBE_INTERVAL_MS, () => this.countTasks()),
      this.every(PRUNE_INTERVAL_MS, () => this.pruneManifests()),
      this.every(SWEEP_INTERVAL_MS, () =>
        this.targets.sweep(this.deps.clock.now(), (key) => this.parked.has(key)),
      ),
    ]
    try {
      await this.prepareFixedTargets(signal)
      // Claims a crashed run left behind are settled before any new batch is formed.
      await this.coordinator?.recover(signal)
      await this.connect(signal)
      await this.consume(signal)
    } catch (e) {
      if (!signal.aborted) this.fail(e as Error)
    }
    const code = await this.shutdown()
    await Promise.allSettled(loops)
    return code
  }

  /** Asks the loop to stop; run() then flushes, commits and closes. Idempotent. */
  stop(): void {
    if (!this.stopping.signal.aborted) this.stopping.abort(new Error('stopping'))
  }

  readiness(): { ready: boolean; reasons: string[] } {
    const reasons = this.health.reasons()
    if (!this.source.joined) reasons.push('kafka: not joined to the consumer group yet')
    if (this.stopping.signal.aborted) reasons.push('stopping')
    return { ready: reasons.length === 0, reasons }
  }

  status(): PipelineStatus {
    return buildStatus({
      now: this.deps.clock.now(),
      startedAt: this.startedAt,
      assigned: [...this.assigned.values()],
      tracker: this.tracker,
      committed: this.committed,
      highWatermark: (t, p) => this.source.highWatermark(t, p),
      tables: this.tables,
      consumed: this.consumed,
      written: this.written,
      deadLettered: this.deadLettered,
      paused: this.paused,
      ledgerTasks: this.taskCounts,
    })
  }

  private async consume(signal: AbortSignal): Promise<void> {
    const { clock } = this.deps
    while (!signal.aborted && !this.fatal) {
      const revocation = this.source.revocation
      if (revocation !== undefined) {
        await revocation
        continue
      }
      this.applyBackpressure()
      const held = (key: string) => this.dispatcher.waiting(key)
      const wait = Math.max(10, Math.min(100, this.batches.msUntilNextDue(clock.now(), held)))
      const batch = await this.source.poll(wait)
      // Assigned partitions' manifests are read before any of their messages is placed.
      await this.manifestLoads
      if (batch) {
        this.health.set('kafka', null)
        await this.handle(batch, signal)
      }
      // Parked messages whose target got ready are placed even when no new message arrives.
      if (this.parked.size > 0) await this.settle(released(this.ingestDeps, signal), signal)
      // A target whose last batch still waits for a write slot keeps filling its open batch: with
      // many db keys, age alone would queue ever smaller batches faster than the sink takes them.
      const due = this.batches.due(clock.now(), held)
      for (const d of due) this.dispatcher.dispatch(d)
    }
  }

  private async handle(batch: PackedBatch, signal: AbortSignal): Promise<void> {
    const result = await ingest(batch, this.ingestDeps, signal)
    this.consumed += result.consumed
    await this.settle(result, signal)
    this.gcPacer.consumed(batch.values.byteLength)
  }

  /** Dispatches drained batches, writes dead letters and acknowledges them. */
  private async settle(result: Placed, signal: AbortSignal): Promise<void> {
    const { metrics } = this.deps
    for (const d of result.drained) this.dispatcher.dispatch(d)
    if (result.deadLetters.length === 0) return
    await this.deps.deadLetter.write(result.deadLetters, signal)
    for (const d of result.deadLetters) {
      this.tracker.ack(d.topic, d.partition, d.offset)
      metrics.deadLettered.inc({ reason: d.reason })
      this.logDeadLetter((suppressed) =>
        this.deps.log.warn(
          {
            event: 'message_dead_lettered',
            reason: d.reason,
            detail: d.detail,
            topic: d.topic,
            partition: d.partition,
            offset: d.offset,
            suppressed,
          },
          'message dead-lettered',
        ),
      )
    }
    this.deadLettered += result.deadLetters.length
  }

  private loadOptions(index: number): LoadOptions {
    const route = this.deps.config.tables[index]!
    const manual: ColumnDef[] | undefined =
      route.schema === 'manual'
        ? (route.columns ?? []).map((c) => ({
            name: c.name,
            type: c.type,
            defaultKind: '',
            ...(c.source ? { source: c.source } : {}),
          }))
        : undefined
    return { timezone: route.timezone, manual }
  }

  /** Fixed targets are read before consuming: a missing table keeps /ready 503, not a loss. */
  private async prepareFixedTargets(signal: AbortSignal): Promise<void> {
    for (const route of this.router.routes) {
      if (!route.fixed) continue
      const target = { database: route.database.text, table: route.table.text }
      const what = `table ${target.database}.${target.table}`
      for (;;) {
        const state = await this.targets.load(target, this.loadOptions(route.index), signal)
        if (state) {
          await this.exactlyOnce?.requireDedup(target, signal)
          break
        }
        this.health.set(what, `${what} does not exist`)
        this.deps.log.error(
          { event: 'table_missing', table: `${target.database}.${target.table}` },
          `${what} does not exist; retrying`,
        )
        await this.deps.clock.sleep(5000, signal)
      }
      this.health.set(what, null)
    }
  }

  private async connect(signal: AbortSignal): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.source.connect(KAFKA_TIMEOUT_MS)
        this.health.set('kafka', null)
        this.deps.log.info({ event: 'kafka_connected' }, 'connected to Kafka')
        return
      } catch (e) {
        const msg = `cannot connect: ${(e as Error).message}`
        this.health.set('kafka', msg)
        this.deps.log.error(
          { event: 'kafka_connect_failed', attempt, error: (e as Error).message },
          msg,
        )
        await this.deps.clock.sleep(Math.min(30_000, 1000 * attempt), signal)
      }
    }
  }

  private onAssign(parts: TopicPartition[]): void {
    this.deps.metrics.rebalances.inc()
    for (const p of parts) {
      this.assigned.set(tpKey(p.topic, p.partition), p)
      this.tracker.assign(p.topic, p.partition)
    }
    this.paused = false
    const exactlyOnce = this.exactlyOnce
    const replay = this.replay
    if (exactlyOnce && replay && parts.length > 0) {
      const signal = this.stopping.signal
      this.manifestLoads = this.manifestLoads
        .then(() => exactlyOnce.load(parts, signal))
        .then((manifests) => {
          // Partitions revoked while we read are not ours to replay.
          const still = parts.filter((p) => this.assigned.has(tpKey(p.topic, p.partition)))
          replay.load(
            still,
            manifests.filter((m) => this.assigned.has(tpKey(m.topic, m.partition))),
            (m) => targetKey(m.target),
          )
          if (manifests.length > 0) {
            this.deps.log.info(
              { event: 'manifests_loaded', count: manifests.length, pending: replay.pending() },
              'exactly-once manifests read for the assigned partitions',
            )
          }
        })
        .catch((e: Error) => {
          if (!signal.aborted) this.fail(e)
        })
    }
    this.deps.log.info(
      { event: 'partitions_assigned', partitions: parts.map((p) => `${p.topic}/${p.partition}`) },
      'partitions assigned',
    )
  }

  /**
   * Revocation (SPEC §6): drop the revoked partitions' buffered rows (the new owner re-reads
   * them), wait at most shutdown_timeout_ms for in-flight batches that hold their offsets, commit
   * what was acknowledged, forget the rest. Bounded: a rebalance can never hang here.
   */
  private async onRevoke(parts: TopicPartition[]): Promise<void> {
    const { config, metrics, log, clock } = this.deps
    const started = clock.now()
    metrics.rebalances.inc()
    const revoked = new Set(parts.map((p) => tpKey(p.topic, p.partition)))
    for (const k of revoked) this.assigned.delete(k)
    const dropped = this.batches.dropPartitions((topic, partition) =>
      revoked.has(tpKey(topic, partition)),
    )
    const unparked = this.parked.dropWhere((m) =>
      revoked.has(tpKey(m.record.topic, m.record.partition)),
    )
    // Dropped rows are no longer in flight; the commit point still never passes them.
    for (const d of dropped) this.tracker.abandon(d.topic, d.partition, [d.offset])
    for (const m of unparked) {
      this.tracker.abandon(m.record.topic, m.record.partition, [m.record.offset])
    }
    const holds = (b: DrainedBatch) => {
      for (let i = 0; i < b.rows.length; i++) {
        if (revoked.has(tpKey(b.topics[b.topicIndexes[i]!]!, b.partitions[i]!))) return true
      }
      return false
    }
    const held = this.dispatcher.holding(holds)
    let gaveUp = false
    try {
      await withDeadline('revocation drain', config.delivery.shutdown_timeout_ms, () =>
        this.dispatcher.settled(holds),
      )
    } catch {
      gaveUp = true
    }
    // Nothing polls during a revocation, so an async commit's answer could not arrive.
    await this.commit(revoked, 'sync').catch(() => undefined)
    for (const p of parts) {
      this.replay?.forget(p.topic, p.partition)
      this.tracker.revoke(p.topic, p.partition)
      this.committed.delete(tpKey(p.topic, p.partition))
      metrics.consumerLag.remove({ topic: p.topic, partition: String(p.partition) })
    }
    this.paused = false
    log.info(
      {
        event: 'partitions_revoked',
        partitions: [...revoked].map((k) => k.replace('\u0000', '/')),
        ms: clock.now() - started,
        dropped_rows: dropped.length + unparked.length,
        in_flight_batches: held.length,
        in_flight_targets: new Set(held.map((b) => targetKey(b.target))).size,
        gave_up_in_flight: gaveUp,
      },
      'partitions revoked',
    )
  }

  /**
   * A task just deprecated by an overwrite (SPEC §5 rule 3): its buffered rows are dropped (their
   * offsets still commit) and its batches already on their way are waited for, at most
   * shutdown_timeout_ms, before the new task's action may run.
   */
  private async drainTask(taskId: string, signal: AbortSignal): Promise<void> {
    const { metrics, config, log } = this.deps
    for (const d of this.batches.dropTask(taskId)) {
      this.tracker.ack(d.topic, d.partition, d.offset)
      metrics.rowsDropped.inc({ table: d.table ?? '', reason: 'deprecated_batch' })
    }
    for (const m of this.parked.dropWhere((p) => p.task === taskId)) {
      this.tracker.ack(m.record.topic, m.record.partition, m.record.offset)
      metrics.rowsDropped.inc({
        table: `${m.target.database}.${m.target.table}`,
        reason: 'deprecated_batch',
      })
    }
    await withDeadline(
      'deprecated batch drain',
      config.delivery.shutdown_timeout_ms,
      () => this.dispatcher.settled((b) => b.task === taskId),
      signal,
    ).catch((e: Error) => {
      log.warn({ event: 'task_drain_gave_up', task: taskId, error: e.message }, 'gave up waiting')
    })
  }

  /** exactly_once: manifests wholly below the committed offsets are no longer needed. */
  private async pruneManifests(): Promise<void> {
    if (!this.exactlyOnce) return
    const committed = new Map<string, { topic: string; partition: number; offset: number }>()
    for (const p of this.assigned.values()) {
      const offset = this.committed.get(tpKey(p.topic, p.partition))
      if (offset !== undefined) committed.set(tpKey(p.topic, p.partition), { ...p, offset })
    }
    await this.exactlyOnce.prune(committed)
  }

  /** Task counts by status for /status, read from the ledger (bounded by its own deadlines). */
  private async countTasks(): Promise<void> {
    const store = this.deps.ledger?.store
    if (!store) return
    const counts: Record<string, number> = {}
    for (const t of await store.list(TASK_COUNT_LIMIT))
      counts[t.status] = (counts[t.status] ?? 0) + 1
    this.taskCounts = counts
  }

  private onSourceError(message: string, fatal: boolean): void {
    this.deps.log.error({ event: 'kafka_error', error: message, fatal }, `Kafka: ${message}`)
    if (fatal) this.fail(new Error(`Kafka fatal error: ${message}`))
    else this.health.set('kafka', message, 30_000)
  }

  private onVerdict(v: Verdict, table: string): void {
    const { metrics, config, log } = this.deps
    metrics.sinkRequests.inc({ sink: config.sink.type, status: v.kind })
    if (v.kind === 'retry') {
      metrics.sinkRetries.inc({ sink: config.sink.type })
      this.health.set('sink write', `${table}: ${v.why}`)
      this.tableStats(table).lastError = v.why
      log.warn({ event: 'sink_retry', table, why: v.why }, `write to ${table} failed, retrying`)
    } else if (v.kind === 'ok' || v.kind === 'duplicate') {
      this.health.set('sink write', null)
    }
  }

  /** Commits every partition whose settled offset moved; serialized so commits never overlap. */
  private commit(extra?: ReadonlySet<string>, mode: 'async' | 'sync' = 'async'): Promise<void> {
    const run = async () => {
      const list = this.tracker
        .commitCandidates()
        .filter(
          (c) =>
            this.assigned.has(tpKey(c.topic, c.partition)) ||
            extra?.has(tpKey(c.topic, c.partition)),
        )
      if (list.length === 0) return
      await this.source.commit(list, KAFKA_TIMEOUT_MS, mode)
      this.tracker.markCommitted(list)
      for (const c of list) this.committed.set(tpKey(c.topic, c.partition), c.offset)
      this.deps.metrics.offsetsCommitted.inc(list.length)
      this.updateLag()
    }
    const next = this.commitChain.then(run)
    this.commitChain = next.catch((e: Error) =>
      this.deps.log.warn({ event: 'commit_failed', error: e.message }, 'offset commit failed'),
    )
    return next
  }

  private async probe(): Promise<void> {
    const check = await withDeadline('sink probe', KAFKA_TIMEOUT_MS, (s) =>
      this.deps.sink.probe(s),
    ).catch((e: Error) => ({ ok: false, detail: e.message }))
    this.health.set('sink', check.ok ? null : check.detail)
  }

  private updateLag(): void {
    for (const p of this.assigned.values()) {
      const high = this.source.highWatermark(p.topic, p.partition)
      const key = tpKey(p.topic, p.partition)
      const at = this.committed.get(key) ?? this.tracker.commitPoint(p.topic, p.partition)
      if (high !== null && at !== null) {
        this.deps.metrics.consumerLag.set(
          { topic: p.topic, partition: String(p.partition) },
          Math.max(0, high - at),
        )
      }
    }
  }

  private applyBackpressure(): void {
    // The in-flight figure is derived by scanning the tracker: look at most every 20 ms.
    const now = this.deps.clock.now()
    if (now - this.backpressureAt < BACKPRESSURE_CHECK_MS) return
    this.backpressureAt = now
    const limit = this.deps.config.delivery.max_inflight_bytes
    const bytes = this.tracker.inflightBytes()
    this.deps.metrics.inflightBytes.set(bytes)
    const sinkFailing = this.health.has('sink write')
    // Batches waiting for a write slot beyond one full batch: the sink is slower than Kafka, and
    // reading further would only hold more bodies in memory.
    const queued = this.dispatcher.queuedBytes()
    const backlog = queued > this.deps.config.batch.max_bytes
    const parts = [...this.assigned.values()]
    if (!this.paused && (bytes > limit || sinkFailing || backlog)) {
      this.source.pause(parts)
      this.paused = true
      this.deps.log.info(
        {
          event: 'consumer_paused',
          inflight_bytes: bytes,
          queued_bytes: queued,
          sink_failing: sinkFailing,
        },
        'consumer paused',
      )
    } else if (this.paused && bytes < limit * 0.75 && !sinkFailing && queued === 0) {
      this.source.resume(parts)
      this.paused = false
      this.deps.log.info({ event: 'consumer_resumed', inflight_bytes: bytes }, 'consumer resumed')
    }
  }

  private async shutdown(): Promise<0 | 1 | 2> {
    const { config, clock, log } = this.deps
    this.stop()
    const deadline = clock.now() + config.delivery.shutdown_timeout_ms
    const left = () => Math.max(1, deadline - clock.now())
    // Parked messages whose target is ready still make the final flush; the others (and dead
    // letters, which cannot be written once stopping) stay unacknowledged and are read again.
    for (const d of released(this.ingestDeps, this.stopping.signal).drained) {
      this.dispatcher.dispatch(d)
    }
    for (const d of this.batches.drainAll('shutdown')) this.dispatcher.dispatch(d)
    let flushed = true
    try {
      await withDeadline('final flush', left(), () => this.dispatcher.settled(() => true))
    } catch (e) {
      flushed = false
      this.dispatcher.cancel(e as Error)
      log.error(
        {
          event: 'final_flush_failed',
          error: (e as Error).message,
          batches_left: this.dispatcher.pending,
        },
        'final flush did not finish; its offsets stay uncommitted',
      )
    }
    await withDeadline('final commit', left(), () => this.commit(undefined, 'sync')).catch(
      (e: Error) => {
        log.error({ event: 'final_commit_failed', error: e.message }, 'final commit failed')
      },
    )
    await this.source.close(Math.min(left(), 10_000))
    this.coordinator?.close()
    await Promise.allSettled([this.deps.sink.close(), this.deps.deadLetter.close()])
    // A target exactly_once cannot be kept for is a configuration problem (SPEC §2: exit 2).
    const code = this.fatal instanceof ConfigError ? 2 : this.fatal || !flushed ? 1 : 0
    log.info({ event: 'stopped', exit_code: code }, 'stopped')
    return code
  }

  private fail(e: Error): void {
    if (this.fatal) return
    this.fatal = e
    this.deps.log.error({ event: 'fatal', error: e.message }, `fatal: ${e.message}`)
    this.stop()
  }

  private async every(ms: number, fn: () => unknown): Promise<void> {
    const signal = this.stopping.signal
    while (!signal.aborted) {
      await this.deps.clock.sleep(ms, signal).catch(() => undefined)
      if (signal.aborted) return
      try {
        await fn()
      } catch {
        // Each periodic task reports its own failures; the loop must keep running.
      }
    }
  }

  private tableStats(table: string): TableStats {
    let s = this.tables.get(table)
    if (!s) {
      s = new TableStats()
      this.tables.set(table, s)
    }
    return s
  }
}

/** A route's dynamic schema policy (SPEC §9), or undefined when it adds no columns. */
function dynamicPolicy(route: Config['tables'][number]): DynamicPolicy | undefined {
  const d = route.dynamic_schema
  if (!d.enabled) return undefined
  return { allow: new RegExp(d.allow), maxColumns: d.max_columns }
}

function sinkDatabase(config: Config): string {
  return config.sink.type === 'clickhouse'
    ? (config.sink.clickhouse?.database ?? 'default')
    : (config.sink.doris?.database ?? 'demo')
}
