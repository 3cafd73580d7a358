/**
 * @module pipeline/targets
 * Per-target schema state: each target has its own immutable snapshot and compiled row encoder,
 * never shared with another target (DESIGN point 2). Loads and schema changes run in the
 * background, at most 8 requests at once, so a target that loads slowly or keeps failing never
 * holds up another; callers park that target's messages meanwhile (pipeline/parked). A missing
 * table of a template route is remembered for 60 s, then looked up again (SPEC §9 "Templates").
 * Targets idle for 10 minutes, and beyond 10,000 the least recently used, are forgotten: a later
 * message loads them again, with a new version.
 */
import type { Clock } from '../core/clock'
import { withDeadline } from '../core/deadline'
import { Limiter } from '../core/limiter'
import { backoffMs } from '../delivery/retry-policy'
import type { NewColumn } from '../schema/dynamic-column'
import type { ColumnDef, SchemaSnapshot, TargetRef } from '../schema/table-schema'
import { targetKey } from '../schema/table-schema'
import type { Sink, Verdict } from '../sinks/sink'
import { TargetLru } from './target-lru'

export interface RowEncoderLike {
  readonly version: number
  encode(obj: Record<string, unknown>): string | { reason: 'type_mismatch'; detail: string }
}

export interface TargetState {
  readonly key: string
  readonly snapshot: SchemaSnapshot
  readonly encoder: RowEncoderLike
  /** Keys the sink refused as columns: never asked for again while this target is loaded. */
  readonly refused: ReadonlySet<string>
}

/** How one attempt to add a column ended, for metrics and logs. */
export type ColumnOutcome = 'added' | 'exists' | 'refused'

export interface TargetRegistryDeps {
  sink: Sink
  clock: Clock
  describeTimeoutMs: number
  /** Deadline of one ADD COLUMN statement. */
  ddlTimeoutMs?: number
  retry: { initial_backoff_ms: number; max_backoff_ms: number }
  compile(snapshot: SchemaSnapshot, timezone: string): RowEncoderLike
  /** Called while a lookup or a change keeps failing, and with null once it succeeds. */
  onTrouble(target: TargetRef, problem: string | null): void
  /** Called once per column a change asked for (`sinker_schema_changes_total` counts 'added'). */
  onColumn?(target: TargetRef, column: NewColumn, outcome: ColumnOutcome, why: string): void
  /** Requests to the sink at once, across all targets (default 8). */
  concurrency?: number
  /** A target unused this long is forgotten (default 10 minutes). */
  idleMs?: number
  /** At most this many loaded targets (default 10,000). */
  maxTargets?: number
}

export interface LoadOptions {
  readonly timezone: string
  /** Columns from the config (`schema: manual`); the sink is not asked. */
  readonly manual?: readonly ColumnDef[] | undefined
}

const UNKNOWN_TABLE_TTL_MS = 60_000
const DEFAULT_CONCURRENCY = 8
const DEFAULT_IDLE_MS = 10 * 60_000
const DEFAULT_MAX_TARGETS = 10_000
const DEFAULT_DDL_TIMEOUT_MS = 30_000
const NO_NAMES: ReadonlySet<string> = new Set()

export class TargetRegistry {
  private readonly states = new Map<string, TargetState>()
  private readonly missing = new Map<string, number>()
  /** The load or change under way per target key. */
  private readonly jobs = new Map<string, Promise<TargetState | null>>()
  private readonly limiter: Limiter
  private readonly lru: TargetLru
  private nextVersion = 1

  constructor(private readonly deps: TargetRegistryDeps) {
    this.limiter = new Limiter(deps.concurrency ?? DEFAULT_CONCURRENCY)
    this.lru = new TargetLru(deps.idleMs ?? DEFAULT_IDLE_MS, deps.maxTargets ?? DEFAULT_MAX_TARGETS)
  }

  /** Loaded targets. */
  get size(): number {
    return this.states.size
  }

  /** The loaded state of a target, without waiting; notes the use (eviction is by idleness). */
  peek(key: string, now: number): TargetState | undefined {
    const state = this.states.get(key)
    if (state !== undefined) this.lru.touch(key, now)
    return state
  }

  /** True while a load or a schema change of the target is under way. */
  busy(key: string): boolean {
    return this.jobs.has(key)
  }

  /** True when the target was found missing less than 60 s ago. */
  knownMissing(key: string): boolean {
    const at = this.missing.get(key)
    if (at === undefined) return false
    if (this.deps.clock.now() - at < UNKNOWN_TABLE_TTL_MS) return true
    this.missing.delete(key)
    return false
  }

  /**
   * The state of a target: the configured columns (`schema: manual`), or its columns read from
   * the sink, retrying transport errors with backoff until `signal` aborts. Resolves null when the
   * table does not exist (remembered for 60 s). The first route to load a target sets its zone.
   */
  load(target: TargetRef, opts: LoadOptions, signal: AbortSignal): Promise<TargetState | null> {
    const key = targetKey(target)
    const known = this.states.get(key)
    if (known) return Promise.resolve(known)
    if (opts.manual) return Promise.resolve(this.install(target, opts.manual, opts.timezone))
    return this.job(key, () => this.describe(target, opts.timezone, NO_NAMES, signal))
  }

  /** Starts loading a target in the background unless it is loaded or busy; never waits. */
  request(target: TargetRef, opts: LoadOptions, signal: AbortSignal): void {
    const key = targetKey(target)
    if (this.states.has(key) || this.jobs.has(key)) return
    this.load(target, opts, signal).catch(() => undefined)
  }

  /**
   * Starts adding `columns` to a loaded target in the background: each ADD COLUMN is retried
   * with backoff until it is answered (added, already there, or refused), then the table is read
   * again and installed as a new snapshot. Does nothing while the target is busy.
   */
  change(
    target: TargetRef,
    columns: readonly NewColumn[],
    timezone: string,
    signal: AbortSignal,
  ): void {
    const key = targetKey(target)
    if (this.jobs.has(key) || columns.length === 0) return
    const refused = new Set(this.states.get(key)?.refused ?? NO_NAMES)
    this.job(key, async () => {
      for (const column of columns) await this.addColumn(target, column, refused, signal)
      const state = await this.describe(target, timezone, refused, signal)
      // A column the server took but does not show (Doris matches names without case) is not
      // asked for again: `refused` is the new state's own set.
      for (const c of columns) {
        if (state && !state.snapshot.columns.some((x) => x.name === c.name)) refused.add(c.name)
      }
      return state
    }).catch(() => undefined)
  }

  /** Forgets idle targets and, beyond the cap, the least recently used; never a busy or pinned one. */
  sweep(now: number, pinned: (key: string) => boolean): string[] {
    for (const [key, at] of this.missing) {
      if (now - at >= UNKNOWN_TABLE_TTL_MS) this.missing.delete(key)
    }
    const evicted = this.lru.evict(now, (key) => this.jobs.has(key) || pinned(key))
    for (const key of evicted) this.states.delete(key)
    return evicted
  }

  private job(key: string, run: () => Promise<TargetState | null>): Promise<TargetState | null> {
    let p = this.jobs.get(key)
    if (!p) {
      p = run().finally(() => this.jobs.delete(key))
      this.jobs.set(key, p)
    }
    return p
  }

  private async describe(
    target: TargetRef,
    timezone: string,
    refused: ReadonlySet<string>,
    signal: AbortSignal,
  ): Promise<TargetState | null> {
    const { sink, clock, describeTimeoutMs, retry } = this.deps
    for (let attempt = 1; ; attempt++) {
      try {
        // One slot per attempt: a target that keeps failing waits its backoff without a slot.
        const columns = await this.limiter.run(() =>
          withDeadline(
            `describe ${targetKey(target)}`,
            describeTimeoutMs,
            (s) => sink.describe(target, s),
            signal,
          ),
        )
        this.deps.onTrouble(target, null)
        if (columns === null) {
          this.forget(targetKey(target))
          this.missing.set(targetKey(target), clock.now())
          return null
        }
        return this.install(target, columns, timezone, refused)
      } catch (e) {
        if (signal.aborted) throw signal.reason
        this.deps.onTrouble(target, `cannot read the schema: ${(e as Error).message}`)
        await clock.sleep(backoffMs(attempt, retry, Math.random), signal)
      }
    }
  }

  private async addColumn(
    target: TargetRef,
    column: NewColumn,
    refused: Set<string>,
    signal: AbortSignal,
  ): Promise<void> {
    const { sink, clock, retry } = this.deps
    const timeoutMs = this.deps.ddlTimeoutMs ?? DEFAULT_DDL_TIMEOUT_MS
    const what = `add column ${column.name} to ${targetKey(target)}`
    for (let attempt = 1; ; attempt++) {
      const verdict: Verdict = await this.limiter
        .run(() => withDeadline(what, timeoutMs, (s) => sink.addColumn(target, column, s), signal))
        .catch((e: Error) => {
          if (signal.aborted) throw signal.reason
          return { kind: 'retry', why: e.message }
        })
      if (verdict.kind === 'retry') {
        this.deps.onTrouble(target, `cannot ${what}: ${verdict.why}`)
        await clock.sleep(backoffMs(attempt, retry, Math.random), signal)
        continue
      }
      this.deps.onTrouble(target, null)
      if (verdict.kind === 'reject') refused.add(column.name)
      const outcome: ColumnOutcome =
        verdict.kind === 'ok' ? 'added' : verdict.kind === 'duplicate' ? 'exists' : 'refused'
      this.deps.onColumn?.(target, column, outcome, verdict.kind === 'reject' ? verdict.why : '')
      return
    }
  }

  private install(
    target: TargetRef,
    columns: readonly ColumnDef[],
    timezone: string,
    refused: ReadonlySet<string> = NO_NAMES,
  ): TargetState {
    const key = targetKey(target)
    const snapshot: SchemaSnapshot = { target, version: this.nextVersion++, columns }
    const state = { key, snapshot, encoder: this.deps.compile(snapshot, timezone), refused }
    this.states.set(key, state)
    this.missing.delete(key)
    this.lru.touch(key, this.deps.clock.now())
    return state
  }

  private forget(key: string): void {
    this.states.delete(key)
    this.lru.forget(key)
  }
}
