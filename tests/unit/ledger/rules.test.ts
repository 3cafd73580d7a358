import { describe, expect, test } from 'bun:test'
import {
  afterAttempt,
  DEFAULT_TUNING,
  isFresh,
  leaseMs,
  nextStep,
  runOrGiveUp,
  type StepContext,
  specOfRecord,
} from '../../../src/ledger/rules'
import type { TaskRecord } from '../../../src/ledger/task'

const record: TaskRecord = {
  id: 7,
  taskId: 'b1',
  status: 'Running',
  overwrite: false,
  opId: 'op',
  opSystem: 'doris',
  opType: 'drop_partition',
  opDb: 'analytics',
  opTable: 'events',
  opPartition: 'p1',
  createTime: 1000,
  updateTime: 1000,
  owner: 'hostA:1:aa',
  leaseUntil: 5000,
  claims: 1,
}

const ctx: StepContext = {
  owner: 'hostB:2:bb',
  now: 2000,
  tuning: DEFAULT_TUNING,
  ownerGone: () => false,
}

describe('nextStep', () => {
  test('an unseen task is claimed', () => {
    expect(nextStep(undefined, ctx)).toEqual({ kind: 'claim' })
  })

  test('a Succeed task is written and a Deprecated one dropped', () => {
    expect(nextStep({ ...record, status: 'Succeed' }, ctx)).toEqual({
      kind: 'admit',
      admission: 'write',
    })
    expect(nextStep({ ...record, status: 'Deprecated' }, ctx)).toEqual({
      kind: 'admit',
      admission: 'drop',
    })
  })

  test('a claim another process holds within its lease is waited for, polling', () => {
    expect(nextStep(record, ctx)).toEqual({ kind: 'wait', ms: DEFAULT_TUNING.pollMs })
    expect(nextStep(record, { ...ctx, now: 4950 })).toEqual({ kind: 'wait', ms: 50 })
  })

  test('a claim whose lease ended, or whose holder is certainly dead, is taken over', () => {
    expect(nextStep(record, { ...ctx, now: 5000 })).toEqual({ kind: 'take_over' })
    expect(nextStep(record, { ...ctx, ownerGone: (o) => o === record.owner })).toEqual({
      kind: 'take_over',
    })
  })

  test('our own running claim is never taken over, even past its lease', () => {
    const own = { ...ctx, owner: record.owner, now: 9000, ownerGone: () => true }
    expect(nextStep(record, own).kind).toBe('wait')
  })
})

describe('runOrGiveUp', () => {
  test('runs until claimants died maxClaims times, then gives the task up', () => {
    expect(runOrGiveUp({ ...record, claims: 1 }, DEFAULT_TUNING)).toBe('run')
    expect(runOrGiveUp({ ...record, claims: DEFAULT_TUNING.maxClaims }, DEFAULT_TUNING)).toBe('run')
    expect(runOrGiveUp({ ...record, claims: DEFAULT_TUNING.maxClaims + 1 }, DEFAULT_TUNING)).toBe(
      'give_up',
    )
  })
})

describe('afterAttempt', () => {
  const top = () => 0.999_999
  test('success finishes Succeed', () => {
    expect(afterAttempt('ok', 3, DEFAULT_TUNING, top)).toEqual({
      kind: 'finish',
      status: 'Succeed',
    })
  })

  test('a failure is retried with capped backoff until maxAttempts, then Deprecated', () => {
    expect(afterAttempt('failed', 1, DEFAULT_TUNING, top)).toEqual({ kind: 'retry', delayMs: 499 })
    expect(afterAttempt('failed', 2, DEFAULT_TUNING, top)).toEqual({ kind: 'retry', delayMs: 999 })
    expect(afterAttempt('failed', 3, DEFAULT_TUNING, top)).toEqual({
      kind: 'finish',
      status: 'Deprecated',
    })
  })
})

describe('leaseMs and isFresh', () => {
  test('the lease outlasts every attempt, the drain and the backoffs', () => {
    const t = DEFAULT_TUNING
    expect(leaseMs(1000, t)).toBeGreaterThan(
      1000 * (t.maxAttempts + 1) + t.maxBackoffMs * t.maxAttempts,
    )
  })

  test('a write verdict goes stale after refreshMs; a drop verdict never does', () => {
    expect(isFresh('write', 0, DEFAULT_TUNING.refreshMs - 1, DEFAULT_TUNING)).toBe(true)
    expect(isFresh('write', 0, DEFAULT_TUNING.refreshMs, DEFAULT_TUNING)).toBe(false)
    expect(isFresh('drop', 0, 1e12, DEFAULT_TUNING)).toBe(true)
  })
})

describe('specOfRecord', () => {
  test('rebuilds the task the first message declared, with its parsed range', () => {
    const r = { ...record, opType: 'add_range_partition' as const, opPartition: 'p1:[1,2)' }
    expect(specOfRecord(r)).toEqual({
      taskId: 'b1',
      opSystem: 'doris',
      opType: 'add_range_partition',
      target: { database: 'analytics', table: 'events' },
      partition: 'p1:[1,2)',
      range: { name: 'p1', lower: '1', upper: '2' },
      overwrite: false,
      opId: 'op',
    })
    expect(specOfRecord(record).range).toBeUndefined()
  })
})
