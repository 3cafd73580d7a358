/**
 * @module tests/unit/support/doris-server/two-phase.test
 * Two-phase commit as the reference describes it: a `two_phase_commit: true` load precommits,
 * `_stream_load_2pc` commits or aborts it by txn_id or label, and an idle precommit expires.
 */
import { describe, expect, test } from 'bun:test'
import type { DorisServer } from '../../../support/doris-server'
import { demoServers, lines, ManualClock, ROOT, redirectTarget, streamLoad } from './helpers'

const startServer = demoServers()

async function server(clock?: ManualClock): Promise<DorisServer> {
  const s = await startServer(clock ? { clock } : {})
  return s
}

/** Sends the 2PC request through the FE's 307, as a client must. */
async function twoPhase(s: DorisServer, headers: Record<string, string>): Promise<unknown> {
  const all = { Authorization: ROOT, ...headers }
  const target = await redirectTarget(s, '/api/demo/_stream_load_2pc', all)
  return await (await fetch(target, { method: 'PUT', headers: all })).json()
}

async function precommit(s: DorisServer, label: string): Promise<number> {
  const result = await streamLoad(s, {
    body: lines({ id: 1 }, { id: 2 }),
    headers: { label, two_phase_commit: 'true' },
  })
  expect(result).toMatchObject({ Status: 'Success', TwoPhaseCommit: 'true', NumberLoadedRows: 2 })
  return Number(result.TxnId)
}

describe('two-phase commit', () => {
  test('a precommitted load holds its rows back and keeps its label RUNNING', async () => {
    const s = await server()
    await precommit(s, 'p')
    expect(s.rows('demo', 'events')).toEqual([])
    expect(s.labels('demo').get('p')?.status).toBe('PRECOMMITTED')
    const retry = await streamLoad(s, { body: lines({ id: 1 }), headers: { label: 'p' } })
    expect(retry).toMatchObject({ Status: 'Label Already Exists', ExistingJobStatus: 'RUNNING' })
  })

  test('commit by txn_id makes the rows visible and answers "transaction [N] commit successfully."', async () => {
    const s = await server()
    const txnId = await precommit(s, 'c')
    expect(await twoPhase(s, { txn_id: String(txnId), txn_operation: 'commit' })).toEqual({
      status: 'Success',
      msg: `transaction [${txnId}] commit successfully.`,
    })
    expect(s.rows('demo', 'events')).toHaveLength(2)
    expect(s.labels('demo').get('c')?.status).toBe('VISIBLE')
    const again = (await twoPhase(s, { txn_id: String(txnId), txn_operation: 'commit' })) as {
      status: string
      msg: string
    }
    expect(again.status).not.toBe('Success')
    expect(again.msg).toContain('is already visible, not pre-committed')
  })

  test('abort by label drops the rows and frees the label', async () => {
    const s = await server()
    await precommit(s, 'a')
    expect(await twoPhase(s, { label: 'a', txn_operation: 'abort' })).toEqual({
      status: 'Success',
      msg: 'label [a] abort successfully.',
    })
    expect(s.labels('demo').get('a')?.status).toBe('ABORTED')
    expect((await streamLoad(s, { body: lines({ id: 9 }), headers: { label: 'a' } })).Status).toBe(
      'Success',
    )
    expect(s.rows('demo', 'events')).toEqual([{ id: 9, name: null, amount: null, ts: null }])
  })

  test('an unknown txn, a bad txn_id and a bad operation are refused with status and msg', async () => {
    const s = await server()
    expect(await twoPhase(s, { txn_id: '424242', txn_operation: 'commit' })).toEqual({
      status: 'ANALYSIS_ERROR',
      msg: 'errCode = 2, detailMessage = transaction [424242] not found',
    })
    expect(await twoPhase(s, { txn_id: 'x1', txn_operation: 'commit' })).toEqual({
      status: 'INTERNAL_ERROR',
      msg: 'convert txn_id [x1] failed',
    })
    expect(await twoPhase(s, { txn_id: '1', txn_operation: 'COMMIT' })).toEqual({
      status: 'INTERNAL_ERROR',
      msg: "transaction operation should be 'commit' or 'abort'",
    })
  })

  test('a precommitted txn aborts after stream_load_default_precommit_timeout_second', async () => {
    const clock = new ManualClock()
    const s = await server(clock)
    const txnId = await precommit(s, 'late')
    clock.advance(3_600_001)
    const commit = (await twoPhase(s, { txn_id: String(txnId), txn_operation: 'commit' })) as {
      msg: string
    }
    expect(commit.msg).toContain('is already aborted')
    expect(s.rows('demo', 'events')).toEqual([])
  })
})

describe('label memory', () => {
  test('a finished label is forgotten after streaming_label_keep_max_second', async () => {
    const clock = new ManualClock()
    const s = await server(clock)
    await streamLoad(s, { body: lines({ id: 1 }), headers: { label: 'old' } })
    clock.advance(43_200_001)
    expect(s.labels('demo').has('old')).toBe(false)
    expect(
      (await streamLoad(s, { body: lines({ id: 1 }), headers: { label: 'old' } })).Status,
    ).toBe('Success')
  })

  test('beyond label_num_threshold the oldest finished labels are forgotten', async () => {
    const s = await startServer({ labelNumThreshold: 2 })
    for (const label of ['l1', 'l2', 'l3'])
      await streamLoad(s, { body: lines({ id: 1 }), headers: { label } })
    expect([...s.labels('demo').keys()].sort()).toEqual(['l2', 'l3'])
  })
})
