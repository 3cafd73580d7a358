/**
 * @module ledger/coordinator
 * BatchTaskCoordinator: the per-message API of the ledger (SPEC §5). The first message of a new
 * batch_id claims the task (an insert that loses on conflict, so one claimant in all processes),
 * runs its action with retries under action_timeout_ms, records Succeed or Deprecated, and only
 * then admits the batch's rows. It never admits a row before its task's outcome is recorded.
 *
 * A claim left Running by a crashed claimant is taken over once its lease ends (at once when the
 * claimant is certainly dead) and its action re-run: safe because no row of the batch can have
 * been written (rows wait for Succeed) and each action is idempotent on such a table (DROP
 * PARTITION, TRUNCATE, ADD PARTITION IF NOT EXISTS, nothing). A task whose claimants keep dying
 * is given up as Deprecated after maxClaims claims: never run blindly forever, never forgotten.
 */
import type { Clock } from '../core/clock'
import { withDeadline } from '../core/deadline'
import type { Metrics } from '../metrics/metrics'
import {
  admissionOf,
  afterAttempt,
  DEFAULT_TUNING,
  isFresh,
  leaseMs,
  needsAction,
  nextStep,
  type RuleTuning,
  runOrGiveUp,
  specOfRecord,
} from './rules'
import type { Lease, LedgerStore } from './store'
import type { Admission, BatchTaskSpec, FinalStatus, TaskRecord } from './task'

export type ActionResult = 'ok' | 'failed'

export interface CoordinatorDeps {
  readonly store: LedgerStore
  readonly clock: Clock
  /** Unique per process start (ledger/open newOwnerId). */
  readonly owner: string
  readonly actionTimeoutMs: number
  /** One attempt of the task's DDL; 'failed' (or a throw) is retried up to maxAttempts. */
  runAction(spec: BatchTaskSpec, signal: AbortSignal): Promise<ActionResult>
  /** Resolves once every write of that task's rows already under way has finished or been given up. */
  drainDeprecated(taskId: string, signal: AbortSignal): Promise<void>
  ownerGone?(owner: string): boolean
  readonly metrics?: Pick<Metrics, 'ddlTasks'>
  readonly tuning?: Partial<RuleTuning>
  readonly random?: () => number
}

interface Known {
  readonly admission: Admission
  readonly at: number
}

export class BatchTaskCoordinator {
  private readonly known = new Map<string, Known>()
  private readonly pending = new Map<string, Promise<Admission>>()
  private readonly lifetime = new AbortController()
  private readonly tuning: RuleTuning

  constructor(private readonly deps: CoordinatorDeps) {
    this.tuning = { ...DEFAULT_TUNING, ...deps.tuning }
  }

  /** The verdict for a task already settled here, without an await; undefined when not known. */
  verdictIfKnown(taskId: string): Admission | undefined {
    const k = this.known.get(taskId)
    if (!k || !isFresh(k.admission, k.at, this.deps.clock.now(), this.tuning)) return undefined
    return k.admission
  }

  /**
   * Whether the rows of this task may be written. Rejects only when the ledger cannot be reached
   * within its deadlines, the coordinator closes, or `signal` aborts: then the message must be
   * neither written nor acknowledged.
   */
  admit(spec: BatchTaskSpec, signal: AbortSignal): Promise<Admission> {
    const known = this.verdictIfKnown(spec.taskId)
    if (known) return Promise.resolve(known)
    return abortable(
      this.shared(spec.taskId, () => this.settle(spec)),
      signal,
    )
  }

  /** Settles every Running claim that is abandoned; returns how many it settled. */
  async recover(signal: AbortSignal): Promise<number> {
    const running = await this.deps.store.running()
    const abandoned = running.filter((r) => nextStep(r, this.context()).kind === 'take_over')
    const settled = abandoned.map((r) =>
      abortable(
        this.shared(r.taskId, () => this.settle(specOfRecord(r))),
        signal,
      ),
    )
    await Promise.all(settled)
    return settled.length
  }

  /** Stops every wait and action; a claim in progress stays Running, as after a crash. */
  close(): void {
    this.lifetime.abort(new Error('the batch-task coordinator is closed'))
  }

  private shared(taskId: string, work: () => Promise<Admission>): Promise<Admission> {
    let p = this.pending.get(taskId)
    if (!p) {
      p = work().finally(() => this.pending.delete(taskId))
      // Each admit observes p through its own race; this keeps an unobserved failure quiet.
      p.catch(() => undefined)
      this.pending.set(taskId, p)
    }
    return p
  }

  /** Follows the rules until the task has an outcome. */
  private async settle(spec: BatchTaskSpec): Promise<Admission> {
    const { store, clock } = this.deps
    let record = await store.get(spec.taskId)
    for (;;) {
      this.lifetime.signal.throwIfAborted()
      const step = nextStep(record, this.context())
      switch (step.kind) {
        case 'admit':
          return this.remember(spec.taskId, step.admission)
        case 'wait':
          await clock.sleep(step.ms, this.lifetime.signal)
          record = await store.get(spec.taskId)
          break
        case 'claim': {
          const claim = await store.claim(spec, this.lease())
          if (claim.won) return this.runClaimed(claim.record)
          record = claim.record
          break
        }
        case 'take_over': {
          const taken = record && (await store.takeOver(record, this.lease()))
          if (taken) return this.runClaimed(taken)
          record = await store.get(spec.taskId)
          break
        }
      }
    }
  }

  private async runClaimed(claimed: TaskRecord): Promise<Admission> {
    const spec = specOfRecord(claimed)
    const status =
      runOrGiveUp(claimed, this.tuning) === 'give_up' ? 'Deprecated' : await this.execute(spec)
    this.lifetime.signal.throwIfAborted()
    const recorded = await this.deps.store.finish(
      spec.taskId,
      this.deps.owner,
      status,
      this.deps.clock.now(),
    )
    // Lost the claim meanwhile (lease ended and another took over, or an operator deprecated
    // the task): the ledger's outcome wins, read it as any other waiter would.
    if (!recorded) return this.settle(spec)
    this.deps.metrics?.ddlTasks.inc({ op_type: spec.opType, status })
    return this.remember(spec.taskId, admissionOf(status))
  }

  /** Deprecates and drains earlier batches (overwrite), then runs the action with retries. */
  private async execute(spec: BatchTaskSpec): Promise<FinalStatus> {
    const random = this.deps.random ?? Math.random
    // Ids deprecated by this task whose drain has not finished yet; a failed drain is retried.
    const undrained = new Set<string>()
    for (let attempt = 1; ; attempt++) {
      let result: ActionResult = 'failed'
      try {
        if (spec.overwrite) await this.deprecateEarlier(spec, undrained)
        result = needsAction(spec) ? await this.attempt(spec) : 'ok'
      } catch {
        this.lifetime.signal.throwIfAborted()
      }
      const next = afterAttempt(result, attempt, this.tuning, random)
      if (next.kind === 'finish') return next.status
      await this.deps.clock.sleep(next.delayMs, this.lifetime.signal)
    }
  }

  /**
   * Rule 3: the earlier Succeed tasks of this op_id become Deprecated, their rows are dropped from
   * now on, and the action waits until their writes already under way are over.
   */
  private async deprecateEarlier(spec: BatchTaskSpec, undrained: Set<string>): Promise<void> {
    const { store, clock } = this.deps
    const record = await store.get(spec.taskId)
    if (!record) throw new Error(`task ${spec.taskId} vanished from the ledger`)
    for (const taskId of await store.deprecateEarlier(spec.opId, record.id, clock.now())) {
      this.remember(taskId, 'drop')
      undrained.add(taskId)
    }
    await Promise.all(
      [...undrained].map(async (taskId) => {
        await withDeadline(
          `drain of deprecated batch ${taskId}`,
          this.deps.actionTimeoutMs,
          (signal) => this.deps.drainDeprecated(taskId, signal),
          this.lifetime.signal,
        )
        undrained.delete(taskId)
      }),
    )
  }

  private attempt(spec: BatchTaskSpec): Promise<ActionResult> {
    return withDeadline(
      `${spec.opType} of batch ${spec.taskId}`,
      this.deps.actionTimeoutMs,
      (signal) => this.deps.runAction(spec, signal),
      this.lifetime.signal,
    )
  }

  private remember(taskId: string, admission: Admission): Admission {
    this.known.set(taskId, { admission, at: this.deps.clock.now() })
    return admission
  }

  private lease(): Lease {
    const now = this.deps.clock.now()
    const leaseUntil = now + leaseMs(this.deps.actionTimeoutMs, this.tuning)
    return { owner: this.deps.owner, now, leaseUntil }
  }

  private context() {
    return {
      owner: this.deps.owner,
      now: this.deps.clock.now(),
      tuning: this.tuning,
      ownerGone: this.deps.ownerGone ?? (() => false),
    }
  }
}

/** `p`, or the signal's reason as soon as it aborts (the shared work itself goes on). */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}
