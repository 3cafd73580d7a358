/**
 * @module ledger/rules
 * The rules of SPEC §5 as pure decisions over what the ledger says about one task: claim it, run
 * its action, wait for another claimant, take an abandoned claim over, or admit its rows (write or
 * drop). No I/O and no clock: the coordinator feeds in `now` and carries the decisions out.
 */
import { type BackoffOptions, backoffMs } from '../delivery/retry-policy'
import { parseRange } from './patterns'
import type { Admission, BatchTaskSpec, FinalStatus, TaskRecord, TaskStatus } from './task'

export interface RuleTuning {
  /** Action attempts before the task is Deprecated (rule 2). */
  readonly maxAttempts: number
  readonly initialBackoffMs: number
  readonly maxBackoffMs: number
  /** How often a waiter re-reads a claim another process holds. */
  readonly pollMs: number
  /** Claims (the first plus take-overs) before a task that keeps losing its claimant is given up. */
  readonly maxClaims: number
  /** How long a `write` verdict is trusted before the ledger is read again. */
  readonly refreshMs: number
}

export const DEFAULT_TUNING: RuleTuning = {
  maxAttempts: 3,
  initialBackoffMs: 500,
  maxBackoffMs: 5000,
  pollMs: 200,
  maxClaims: 3,
  refreshMs: 10_000,
}

export type Step =
  | { readonly kind: 'claim' }
  | { readonly kind: 'admit'; readonly admission: Admission }
  | { readonly kind: 'wait'; readonly ms: number }
  | { readonly kind: 'take_over' }

export interface StepContext {
  readonly owner: string
  readonly now: number
  readonly tuning: RuleTuning
  /** True only when the holder is certainly dead (same host, no such process). */
  ownerGone(owner: string): boolean
}

/** What to do next about a task, given its ledger record (undefined: never seen). */
export function nextStep(record: TaskRecord | undefined, ctx: StepContext): Step {
  if (record === undefined) return { kind: 'claim' }
  if (record.status !== 'Running') return { kind: 'admit', admission: admissionOf(record.status) }
  // Our own claim is being run by this process; its outcome arrives through the shared promise.
  const foreign = record.owner !== ctx.owner
  if (foreign && (record.leaseUntil <= ctx.now || ctx.ownerGone(record.owner))) {
    return { kind: 'take_over' }
  }
  const untilLease = Math.max(1, record.leaseUntil - ctx.now)
  return { kind: 'wait', ms: Math.min(ctx.tuning.pollMs, untilLease) }
}

/**
 * After a claim is won or taken over: run the action, or give the task up as Deprecated when
 * claimants keep dying inside it. A re-run is safe because no row of a task is written before
 * its outcome is Succeed, and each action is idempotent on a table that holds none of its rows.
 */
export function runOrGiveUp(claimed: TaskRecord, tuning: RuleTuning): 'run' | 'give_up' {
  return claimed.claims <= tuning.maxClaims ? 'run' : 'give_up'
}

export type AttemptNext =
  | { readonly kind: 'finish'; readonly status: FinalStatus }
  | { readonly kind: 'retry'; readonly delayMs: number }

/** After attempt number `attempt` (1-based) answered `result`. */
export function afterAttempt(
  result: 'ok' | 'failed',
  attempt: number,
  tuning: RuleTuning,
  random: () => number,
): AttemptNext {
  if (result === 'ok') return { kind: 'finish', status: 'Succeed' }
  if (attempt >= tuning.maxAttempts) return { kind: 'finish', status: 'Deprecated' }
  const opts: BackoffOptions = {
    initial_backoff_ms: tuning.initialBackoffMs,
    max_backoff_ms: tuning.maxBackoffMs,
  }
  return { kind: 'retry', delayMs: backoffMs(attempt, opts, random) }
}

/** op_type none records its outcome without running anything. */
export function needsAction(spec: BatchTaskSpec): boolean {
  return spec.opType !== 'none'
}

export function admissionOf(status: Exclude<TaskStatus, 'Running'>): Admission {
  return status === 'Succeed' ? 'write' : 'drop'
}

/**
 * How long a claim is presumed alive: every attempt and the drain each within the action timeout,
 * the backoffs between attempts, and the ledger writes around them.
 */
export function leaseMs(actionTimeoutMs: number, tuning: RuleTuning): number {
  return actionTimeoutMs * (tuning.maxAttempts + 4) + tuning.maxBackoffMs * tuning.maxAttempts
}

/** A `write` verdict is re-read after refreshMs, so an operator's deprecation is seen; `drop` is final. */
export function isFresh(admission: Admission, since: number, now: number, tuning: RuleTuning) {
  return admission === 'drop' || now - since < tuning.refreshMs
}

/**
 * The task as the ledger recorded it at claim time: the action of a batch is the one its first
 * message declared, whatever later messages of that batch_id say.
 */
export function specOfRecord(record: TaskRecord): BatchTaskSpec {
  const base = {
    taskId: record.taskId,
    opSystem: record.opSystem,
    opType: record.opType,
    target: { database: record.opDb, table: record.opTable },
    partition: record.opPartition,
    overwrite: record.overwrite,
    opId: record.opId,
  }
  if (record.opType !== 'add_range_partition') return base
  const range = parseRange(record.opSystem, record.opPartition)
  return typeof range === 'string' ? base : { ...base, range }
}
