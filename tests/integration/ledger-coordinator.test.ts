import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import {
  type ActionResult,
  BatchTaskCoordinator,
  type CoordinatorDeps,
} from '../../src/ledger/coordinator'
import type { Ledger } from '../../src/ledger/open'
import { DEFAULT_TUNING, leaseMs } from '../../src/ledger/rules'
import type { BatchTaskSpec } from '../../src/ledger/task'
import { createMetrics } from '../../src/metrics/metrics'
import {
  ledgerAt,
  signal,
  taskSpec,
  tempDir,
  type VirtualClock,
  virtualClock,
} from '../unit/ledger/ledger-fixtures'

let tmp: ReturnType<typeof tempDir>
let clock: VirtualClock
let ledger: Ledger
const log: string[] = []

beforeEach(async () => {
  tmp = tempDir()
  clock = virtualClock()
  ledger = await ledgerAt(tmp.dir, clock)
  log.length = 0
})

afterEach(async () => {
  await ledger.close()
  tmp.remove()
})

function coordinator(
  over: Partial<CoordinatorDeps> = {},
  action: (spec: BatchTaskSpec, signal: AbortSignal) => Promise<ActionResult> = async () => 'ok',
) {
  return new BatchTaskCoordinator({
    store: ledger.store,
    clock,
    owner: `test:1:${Math.random()}`,
    actionTimeoutMs: 2000,
    runAction: async (spec, s) => {
      log.push(`action:${spec.taskId}`)
      return action(spec, s)
    },
    drainDeprecated: async (taskId) => {
      log.push(`drain:${taskId}`)
    },
    tuning: { maxBackoffMs: 10, initialBackoffMs: 5 },
    random: () => 0.5,
    ...over,
  })
}

describe('BatchTaskCoordinator over a libSQL file', () => {
  test('the first message runs the action once, records Succeed and admits the rows', async () => {
    const c = coordinator()
    expect(c.verdictIfKnown('b1')).toBeUndefined()
    expect(await c.admit(taskSpec('b1'), signal())).toBe('write')
    expect(c.verdictIfKnown('b1')).toBe('write')
    expect(await c.admit(taskSpec('b1'), signal())).toBe('write')
    expect(log).toEqual(['action:b1'])
    expect((await ledger.store.get('b1'))?.status).toBe('Succeed')
  })

  test('many first messages at once run the action once and none is admitted before it ends', async () => {
    let release: () => void = () => undefined
    const gate = new Promise<void>((r) => {
      release = r
    })
    const c = coordinator({}, async () => {
      await gate
      log.push('action done')
      return 'ok'
    })
    const admitted = Array.from({ length: 20 }, () =>
      c.admit(taskSpec('b1'), signal()).then((a) => {
        log.push(`admit:${a}`)
        return a
      }),
    )
    await Bun.sleep(20)
    expect(log).toEqual(['action:b1'])
    release()
    expect(await Promise.all(admitted)).toEqual(Array(20).fill('write'))
    expect(log.slice(0, 2)).toEqual(['action:b1', 'action done'])
  })

  test('a failing action is retried maxAttempts times, then the task is Deprecated and dropped', async () => {
    const metrics = createMetrics({ processMetrics: false })
    const c = coordinator({ metrics }, async () => 'failed')
    expect(await c.admit(taskSpec('b1', 'truncate_table'), signal())).toBe('drop')
    expect(log).toEqual(['action:b1', 'action:b1', 'action:b1'])
    expect((await ledger.store.get('b1'))?.status).toBe('Deprecated')
    const text = await metrics.registry.metrics()
    expect(text).toContain('sinker_ddl_tasks_total{op_type="truncate_table",status="Deprecated"} 1')
  })

  test('an action that throws or outlives the action timeout counts as a failed attempt', async () => {
    let calls = 0
    const c = coordinator({ actionTimeoutMs: 50 }, async (_, s) => {
      calls++
      if (calls === 1) throw new Error('connection reset')
      if (calls === 2) await new Promise((_, reject) => s.addEventListener('abort', reject))
      return 'ok'
    })
    expect(await c.admit(taskSpec('b1'), signal())).toBe('write')
    expect(calls).toBe(3)
  })

  test('op_type none runs nothing and is recorded Succeed', async () => {
    const c = coordinator()
    expect(await c.admit(taskSpec('n1', 'none'), signal())).toBe('write')
    expect(log).toEqual([])
    expect((await ledger.store.get('n1'))?.status).toBe('Succeed')
  })

  test('overwrite deprecates the earlier Succeed task of the same op_id and drains it before the action', async () => {
    const c = coordinator()
    await c.admit(taskSpec('b1'), signal())
    await c.admit(taskSpec('other', 'truncate_table'), signal())
    expect(await c.admit(taskSpec('b2', 'drop_partition', { overwrite: true }), signal())).toBe(
      'write',
    )
    expect(log).toEqual(['action:b1', 'action:other', 'drain:b1', 'action:b2'])
    expect(c.verdictIfKnown('b1')).toBe('drop')
    expect(c.verdictIfKnown('other')).toBe('write')
    expect((await ledger.store.get('b1'))?.status).toBe('Deprecated')
  })

  test('without overwrite the earlier task of the same op_id stays Succeed', async () => {
    const c = coordinator()
    await c.admit(taskSpec('b1'), signal())
    await c.admit(taskSpec('b2'), signal())
    expect(log).toEqual(['action:b1', 'action:b2'])
    expect(c.verdictIfKnown('b1')).toBe('write')
  })

  test('a drain that does not finish in time fails the attempt and is tried again', async () => {
    let drains = 0
    const c = coordinator({
      actionTimeoutMs: 50,
      drainDeprecated: async (taskId, s) => {
        drains++
        log.push(`drain:${taskId}`)
        if (drains === 1) await new Promise((_, reject) => s.addEventListener('abort', reject))
      },
    })
    await c.admit(taskSpec('b1'), signal())
    expect(await c.admit(taskSpec('b2', 'drop_partition', { overwrite: true }), signal())).toBe(
      'write',
    )
    expect(log).toEqual(['action:b1', 'drain:b1', 'drain:b1', 'action:b2'])
  })

  test('after a restart known tasks keep their outcome and their action never runs again', async () => {
    await coordinator().admit(taskSpec('b1'), signal())
    await ledger.close()
    ledger = await ledgerAt(tmp.dir, clock)
    const c = coordinator()
    expect(await c.admit(taskSpec('b1'), signal())).toBe('write')
    expect(log).toEqual(['action:b1'])
  })

  test('a claim left by a crashed process is waited for during its lease, then taken over and re-run', async () => {
    const dead = await ledger.store.claim(taskSpec('b1'), {
      owner: 'other-host:99:dead',
      now: clock.now(),
      leaseUntil: clock.now() + 5000,
    })
    expect(dead.won).toBe(true)
    const c = coordinator()
    const start = clock.now()
    expect(await c.admit(taskSpec('b1'), signal())).toBe('write')
    expect(clock.now() - start).toBeGreaterThanOrEqual(5000)
    expect(log).toEqual(['action:b1'])
    expect((await ledger.store.get('b1'))?.claims).toBe(2)
  })

  test('a claim whose holder is certainly gone is taken over at once by recover()', async () => {
    await ledger.store.claim(taskSpec('b1'), {
      owner: 'gone',
      now: clock.now(),
      leaseUntil: clock.now() + 1e9,
    })
    await ledger.store.claim(taskSpec('b2'), {
      owner: 'alive',
      now: clock.now(),
      leaseUntil: clock.now() + 1e9,
    })
    const c = coordinator({ ownerGone: (o) => o === 'gone' })
    expect(await c.recover(signal())).toBe(1)
    expect(log).toEqual(['action:b1'])
    expect(c.verdictIfKnown('b1')).toBe('write')
    expect((await ledger.store.get('b2'))?.status).toBe('Running')
  })

  test('a task whose claimants keep dying is given up as Deprecated without running again', async () => {
    const spec = taskSpec('b1')
    const first = await ledger.store.claim(spec, { owner: 'a', now: 0, leaseUntil: 0 })
    let seen = first.record
    for (const owner of ['b', 'c']) {
      const t = await ledger.store.takeOver(seen, { owner, now: 0, leaseUntil: 0 })
      if (!t) throw new Error('take over failed')
      seen = t
    }
    expect(seen.claims).toBe(DEFAULT_TUNING.maxClaims)
    const c = coordinator()
    expect(await c.admit(spec, signal())).toBe('drop')
    expect(log).toEqual([])
  })

  test('closing during an action leaves the claim Running for the next start to settle', async () => {
    const c = coordinator(
      {},
      (_, s) => new Promise((_, reject) => s.addEventListener('abort', reject)),
    )
    const admitted = c.admit(taskSpec('b1'), signal())
    await Bun.sleep(10)
    c.close()
    await expect(admitted).rejects.toThrow('closed')
    expect((await ledger.store.get('b1'))?.status).toBe('Running')
    clock.advance(leaseMs(2000, DEFAULT_TUNING))
    expect(await coordinator().admit(taskSpec('b1'), signal())).toBe('write')
  })

  test("an admit's own signal ends its wait without stopping the shared action", async () => {
    let release: () => void = () => undefined
    const gate = new Promise<void>((r) => {
      release = r
    })
    const c = coordinator({}, async () => {
      await gate
      return 'ok'
    })
    const ac = new AbortController()
    const first = c.admit(taskSpec('b1'), ac.signal)
    const second = c.admit(taskSpec('b1'), signal())
    ac.abort(new Error('message revoked'))
    await expect(first).rejects.toThrow('message revoked')
    release()
    expect(await second).toBe('write')
  })

  test("an operator's deprecation is seen once a write verdict goes stale", async () => {
    const c = coordinator()
    await c.admit(taskSpec('b1'), signal())
    await ledger.store.deprecate('b1', clock.now())
    expect(c.verdictIfKnown('b1')).toBe('write')
    clock.advance(DEFAULT_TUNING.refreshMs)
    expect(c.verdictIfKnown('b1')).toBeUndefined()
    expect(await c.admit(taskSpec('b1'), signal())).toBe('drop')
  })

  test('a later message with other op headers under a known batch_id follows the recorded task', async () => {
    const c = coordinator()
    await c.admit(taskSpec('b1', 'none'), signal())
    clock.advance(DEFAULT_TUNING.refreshMs)
    expect(await c.admit(taskSpec('b1', 'truncate_table'), signal())).toBe('write')
    expect(log).toEqual([])
  })
})
