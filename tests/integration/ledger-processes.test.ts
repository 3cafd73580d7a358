/**
 * Two OS processes share one libSQL ledger file and race for the same batch ids: every action
 * still runs exactly once, because a claim (and a take-over) is one conditional statement.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { systemClock } from '../../src/core/clock'
import { openLedger } from '../../src/ledger/open'
import { taskSpec, tempDir } from '../unit/ledger/ledger-fixtures'

const ROOT = resolve(import.meta.dir, '../..')
const TASKS = 40
/** Abandoned claims (a crashed third process) that both racers find already expired. */
const ABANDONED = 10

const CHILD = `
import { appendFileSync } from 'node:fs'
import { systemClock } from '${ROOT}/src/core/clock'
import { BatchTaskCoordinator } from '${ROOT}/src/ledger/coordinator'
import { newOwnerId, openLedger } from '${ROOT}/src/ledger/open'
import { taskSpec } from '${ROOT}/tests/unit/ledger/ledger-fixtures'

const [db, actions, startAt, tasks] = process.argv.slice(2)
const ledger = await openLedger({ url: 'file:' + db, actionTimeoutMs: 10000, clock: systemClock })
const coordinator = new BatchTaskCoordinator({
  store: ledger.store,
  clock: systemClock,
  owner: newOwnerId(),
  actionTimeoutMs: 10000,
  runAction: async (spec) => {
    appendFileSync(actions, spec.taskId + ' ' + process.pid + '\\n')
    await Bun.sleep(5)
    return 'ok'
  },
  drainDeprecated: async () => undefined,
  tuning: { pollMs: 10 },
})
await Bun.sleep(Math.max(0, Number(startAt) - Date.now()))
const ids = Array.from({ length: Number(tasks) }, (_, i) => 'task-' + i)
// Three partitions deliver each batch's first message at once, in a different order per process.
const order = process.pid % 2 === 0 ? ids : [...ids].reverse()
const signal = new AbortController().signal
const results = await Promise.all(
  order.flatMap((id, i) =>
    [0, 1, 2].map(() => coordinator.admit(taskSpec(id, i % 2 ? 'truncate_table' : 'drop_partition'), signal)),
  ),
)
coordinator.close()
await ledger.close()
console.log(JSON.stringify(results))
`

let tmp: ReturnType<typeof tempDir>

beforeAll(() => {
  tmp = tempDir('sinker-ledger-procs-')
})

afterAll(() => tmp.remove())

describe('two processes on one ledger file', () => {
  test('race for the same batch ids and each action runs exactly once', async () => {
    const db = join(tmp.dir, 'ledger.db')
    const actions = join(tmp.dir, 'actions.log')
    const script = join(tmp.dir, 'racer.ts')
    writeFileSync(script, CHILD)
    writeFileSync(actions, '')
    const ledger = await openLedger({
      url: `file:${db}`,
      actionTimeoutMs: 5000,
      clock: systemClock,
    })
    for (let i = 0; i < ABANDONED; i++) {
      await ledger.store.claim(taskSpec(`task-${i}`), {
        owner: 'crashed:1:x',
        now: 0,
        leaseUntil: 1,
      })
    }
    await ledger.close()

    // Both racers start their claims at this instant; the margin covers two cold Bun starts.
    const startAt = String(Date.now() + 6000)
    const racers = [0, 1].map(() =>
      Bun.spawn([process.execPath, 'run', script, db, actions, startAt, String(TASKS)], {
        cwd: ROOT,
        stdout: 'pipe',
        stderr: 'pipe',
      }),
    )
    const outputs = await Promise.all(
      racers.map(async (p) => {
        const [out, err, code] = await Promise.all([
          new Response(p.stdout).text(),
          new Response(p.stderr).text(),
          p.exited,
        ])
        expect({ code, err }).toEqual({ code: 0, err: '' })
        return JSON.parse(out) as string[]
      }),
    )
    for (const results of outputs) expect(results).toEqual(Array(TASKS * 3).fill('write'))

    const lines = readFileSync(actions, 'utf8').trim().split('\n')
    const perTask = new Map<string, number>()
    for (const line of lines) {
      const id = line.split(' ')[0]!
      perTask.set(id, (perTask.get(id) ?? 0) + 1)
    }
    // Which racer wins which claims is up to the file lock: on a loaded machine one may win
    // them all. What must hold is that every action ran exactly once, whoever ran it.
    expect(perTask.size).toBe(TASKS)
    expect([...perTask.values()].every((n) => n === 1)).toBe(true)

    const check = await openLedger({ url: `file:${db}`, actionTimeoutMs: 5000, clock: systemClock })
    const records = await check.store.list(1000)
    await check.close()
    expect(records.length).toBe(TASKS)
    expect(records.every((r) => r.status === 'Succeed')).toBe(true)
    const claims = records.map((r) => [r.taskId, r.claims] as const)
    for (const [taskId, n] of claims) {
      expect(n).toBe(Number(taskId.slice(5)) < ABANDONED ? 2 : 1)
    }
  }, 60_000)
})
