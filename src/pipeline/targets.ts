/**
 * @module pipeline/targets
 * Per-target schema state: each target has its own immutable snapshot and compiled row encoder,
 * loaded on first use and never shared with another target (DESIGN point 2). A missing table of a
 * template route is remembered for 60 s, then looked up again (SPEC §9 "Templates").
 */
import type { Clock } from '../core/clock'
import { withDeadline } from '../core/deadline'
import { backoffMs } from '../delivery/retry-policy'
import type { ColumnDef, SchemaSnapshot, TargetRef } from '../schema/table-schema'
import { targetKey } from '../schema/table-schema'
import type { Sink } from '../sinks/sink'

export interface RowEncoderLike {
  readonly version: number
  encode(obj: Record<string, unknown>): string | { reason: 'type_mismatch'; detail: string }
}

export interface TargetState {
  readonly key: string
  readonly snapshot: SchemaSnapshot
  readonly encoder: RowEncoderLike
}

export interface TargetRegistryDeps {
  sink: Sink
  clock: Clock
  describeTimeoutMs: number
  retry: { initial_backoff_ms: number; max_backoff_ms: number }
  compile(snapshot: SchemaSnapshot, timezone: string): RowEncoderLike
  /** Called while a lookup keeps failing, and with null once it succeeds (readiness). */
  onTrouble(target: TargetRef, problem: string | null): void
}

export interface LoadOptions {
  readonly timezone: string
  /** Columns from the config (`schema: manual`); the sink is not asked. */
  readonly manual?: readonly ColumnDef[] | undefined
}

const UNKNOWN_TABLE_TTL_MS = 60_000

export class TargetRegistry {
  private readonly states = new Map<string, TargetState>()
  private readonly missing = new Map<string, number>()
  private readonly loading = new Map<string, Promise<TargetState | null>>()
  private nextVersion = 1

  constructor(private readonly deps: TargetRegistryDeps) {}

  /** The loaded state of a target, without waiting. */
  peek(key: string): TargetState | undefined {
    return this.states.get(key)
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
    let p = this.loading.get(key)
    if (!p) {
      p = this.describe(target, opts.timezone, signal).finally(() => this.loading.delete(key))
      this.loading.set(key, p)
    }
    return p
  }

  private async describe(
    target: TargetRef,
    timezone: string,
    signal: AbortSignal,
  ): Promise<TargetState | null> {
    const { sink, clock, describeTimeoutMs, retry } = this.deps
    for (let attempt = 1; ; attempt++) {
      try {
        const columns = await withDeadline(
          `describe ${targetKey(target)}`,
          describeTimeoutMs,
          (s) => sink.describe(target, s),
          signal,
        )
        this.deps.onTrouble(target, null)
        if (columns === null) {
          this.missing.set(targetKey(target), clock.now())
          return null
        }
        return this.install(target, columns, timezone)
      } catch (e) {
        if (signal.aborted) throw signal.reason
        this.deps.onTrouble(target, `cannot read the schema: ${(e as Error).message}`)
        await clock.sleep(backoffMs(attempt, retry, Math.random), signal)
      }
    }
  }

  private install(target: TargetRef, columns: readonly ColumnDef[], timezone: string): TargetState {
    const key = targetKey(target)
    const snapshot: SchemaSnapshot = { target, version: this.nextVersion++, columns }
    const state = { key, snapshot, encoder: this.deps.compile(snapshot, timezone) }
    this.states.set(key, state)
    this.missing.delete(key)
    return state
  }
}
