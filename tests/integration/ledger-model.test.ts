/**
 * Model-based test of the batch-task rules (SPEC §5): random interleavings of messages of several
 * batches over several partitions, with overwrite, failing actions, restarts and crashes in the
 * middle of an action, run against the real coordinator and a libSQL file, and compared with a
 * plain sequential reference model.
 */
import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { BatchTaskCoordinator } from '../../src/ledger/coordinator'
import type { Ledger } from '../../src/ledger/open'
import { DEFAULT_TUNING, leaseMs } from '../../src/ledger/rules'
import type { Admission, BatchTaskSpec, FinalStatus, OpType } from '../../src/ledger/task'
import {
  killable,
  ledgerAt,
  signal,
  taskSpec,
  tempDir,
  virtualClock,
} from '../unit/ledger/ledger-fixtures'

const MAX_ATTEMPTS = DEFAULT_TUNING.maxAttempts
const ACTION_TIMEOUT_MS = 2000
/** Three op groups: tasks of one group share an op_id, so overwrite applies among them. */
const GROUPS: readonly OpType[] = ['drop_partition', 'truncate_table', 'none']

interface BatchDef {
  readonly group: number
  readonly overwrite: boolean
  /** The action fails this many times before it succeeds. */
  readonly failures: number
  /** The first call of the action never returns: the process dies inside it. */
  readonly crash: boolean
}

const batchArb = fc.record({
  group: fc.nat(GROUPS.length - 1),
  overwrite: fc.boolean(),
  failures: fc.nat(MAX_ATTEMPTS + 1),
  crash: fc.boolean(),
})

const scenarioArb = fc.array(batchArb, { minLength: 2, maxLength: 5 }).chain((batches) =>
  fc.record({
    batches: fc.constant(batches),
    steps: fc.array(
      fc.oneof(
        {
          weight: 6,
          arbitrary: fc
            .array(fc.record({ batch: fc.nat(batches.length - 1), partition: fc.nat(3) }), {
              minLength: 1,
              maxLength: 5,
            })
            .map((messages) => ({
              kind: 'messages' as const,
              messages: oneBatchPerGroup(batches, messages),
            })),
        },
        { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
      ),
      { minLength: 1, maxLength: 14 },
    ),
  }),
)

/**
 * Messages of different groups in one step run at once; two new batches of one group racing is
 * an ordering the sequential model cannot predict, so a step keeps one batch per group. A crash
 * kills every action under way, so a step with a crashing batch holds that batch alone.
 */
function oneBatchPerGroup(batches: BatchDef[], messages: { batch: number; partition: number }[]) {
  const crashing = messages.find((m) => batches[m.batch]!.crash)
  if (crashing) return messages.filter((m) => m.batch === crashing.batch)
  const chosen = new Map<number, number>()
  return messages.filter((m) => {
    const group = batches[m.batch]!.group
    const first = chosen.get(group) ?? m.batch
    chosen.set(group, first)
    return first === m.batch
  })
}

function specOf(index: number, def: BatchDef): BatchTaskSpec {
  return taskSpec(`t${index}`, GROUPS[def.group]!, { overwrite: def.overwrite })
}

/** The reference: tasks settle one at a time, in the order their first message arrives. */
class Model {
  readonly status = new Map<string, FinalStatus>()
  readonly calls = new Map<string, number>()
  /** Each overwrite task's drained predecessors. */
  readonly drains = new Map<string, string[]>()
  private readonly order: { taskId: string; group: number }[] = []

  admit(index: number, def: BatchDef): Admission {
    const taskId = `t${index}`
    if (!this.status.has(taskId)) this.settle(taskId, def)
    return this.status.get(taskId) === 'Succeed' ? 'write' : 'drop'
  }

  private settle(taskId: string, def: BatchDef) {
    if (def.overwrite) {
      const earlier = this.order.filter(
        (t) => t.group === def.group && this.status.get(t.taskId) === 'Succeed',
      )
      for (const t of earlier) this.status.set(t.taskId, 'Deprecated')
      this.drains.set(
        taskId,
        earlier.map((t) => t.taskId),
      )
    }
    this.order.push({ taskId, group: def.group })
    const runs = GROUPS[def.group] !== 'none'
    const fails = def.failures >= MAX_ATTEMPTS
    const calls = runs ? (def.crash ? 1 : 0) + (fails ? MAX_ATTEMPTS : def.failures + 1) : 0
    this.calls.set(taskId, calls)
    this.status.set(taskId, runs && fails ? 'Deprecated' : 'Succeed')
  }
}

/** The system under test: a coordinator per "process life" over one libSQL file. */
class Harness {
  readonly clock = virtualClock()
  readonly calls = new Map<string, number>()
  readonly events: string[] = []
  private readonly failuresLeft = new Map<string, number>()
  private readonly crashPending = new Set<string>()
  private ledger!: Ledger
  private life!: { coordinator: BatchTaskCoordinator; kill(): void }
  private onCrash: () => void = () => undefined

  constructor(
    private readonly dir: string,
    batches: BatchDef[],
  ) {
    batches.forEach((b, i) => {
      this.failuresLeft.set(`t${i}`, b.failures)
      if (b.crash) this.crashPending.add(`t${i}`)
    })
  }

  async start() {
    this.ledger = await ledgerAt(this.dir, this.clock, ACTION_TIMEOUT_MS)
    const store = killable(this.ledger.store)
    const coordinator = new BatchTaskCoordinator({
      store: store.store,
      clock: this.clock,
      owner: `model:${this.events.length}:${Math.random()}`,
      actionTimeoutMs: ACTION_TIMEOUT_MS,
      runAction: (spec, s) => this.action(spec, s),
      drainDeprecated: async (taskId) => {
        this.events.push(`drain:${taskId}`)
      },
      tuning: { initialBackoffMs: 5, maxBackoffMs: 20 },
    })
    this.life = { coordinator, kill: store.kill }
  }

  async stop() {
    this.life.coordinator.close()
    await this.ledger.close()
  }

  /** Runs one step's messages at once; on a crash, dies, restarts and redelivers them. */
  async deliver(specs: BatchTaskSpec[]): Promise<Admission[]> {
    const crashed = new Promise<'crash'>((resolve) => {
      this.onCrash = () => resolve('crash')
    })
    const admits = specs.map((s) => this.life.coordinator.admit(s, signal()))
    const all = Promise.all(admits)
    all.catch(() => undefined)
    if ((await Promise.race([all, crashed])) !== 'crash') return all
    this.life.kill()
    this.life.coordinator.close()
    await Promise.allSettled(admits)
    await this.ledger.close()
    this.clock.advance(leaseMs(ACTION_TIMEOUT_MS, DEFAULT_TUNING))
    await this.start()
    return this.deliver(specs)
  }

  private action(spec: BatchTaskSpec, s: AbortSignal): Promise<'ok' | 'failed'> {
    this.calls.set(spec.taskId, (this.calls.get(spec.taskId) ?? 0) + 1)
    this.events.push(`action:${spec.taskId}`)
    if (this.crashPending.delete(spec.taskId)) {
      this.onCrash()
      return new Promise((_, reject) => s.addEventListener('abort', () => reject(s.reason)))
    }
    const left = this.failuresLeft.get(spec.taskId) ?? 0
    this.failuresLeft.set(spec.taskId, left - 1)
    return Promise.resolve(left > 0 ? 'failed' : 'ok')
  }

  statuses() {
    return this.ledger.store.list(100)
  }
}

describe('batch-task rules against a reference model', () => {
  test('every action runs and every row is admitted or dropped exactly as the model says', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ batches, steps }) => {
        const tmp = tempDir('sinker-ledger-model-')
        const model = new Model()
        const sut = new Harness(tmp.dir, batches)
        await sut.start()
        try {
          for (const step of steps) {
            if (step.kind === 'restart') {
              await sut.stop()
              await sut.start()
              continue
            }
            const specs = step.messages.map((m) => specOf(m.batch, batches[m.batch]!))
            const got = await sut.deliver(specs)
            const want = step.messages.map((m) => model.admit(m.batch, batches[m.batch]!))
            expect(got).toEqual(want)
          }
          expect(Object.fromEntries(sut.calls)).toEqual(
            Object.fromEntries([...model.calls].filter(([, n]) => n > 0)),
          )
          const recorded = Object.fromEntries(
            (await sut.statuses()).map((r) => [r.taskId, r.status]),
          )
          expect(recorded).toEqual(Object.fromEntries(model.status))
          for (const [taskId, earlier] of model.drains) {
            const firstAction = sut.events.indexOf(`action:${taskId}`)
            for (const e of earlier) {
              const drained = sut.events.indexOf(`drain:${e}`)
              expect(drained).toBeGreaterThanOrEqual(0)
              if (firstAction >= 0) expect(drained).toBeLessThan(firstAction)
            }
          }
        } finally {
          await sut.stop()
          tmp.remove()
        }
      }),
      { numRuns: 60 },
    )
  }, 120_000)
})
