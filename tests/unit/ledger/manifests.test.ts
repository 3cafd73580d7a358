/**
 * The libSQL manifest store (SPEC §6): recording a label twice keeps the first manifest, marks
 * stick, reads are per partition and ordered, and pruning forgets only what is wholly committed.
 */
import { afterEach, beforeEach, expect, test } from 'bun:test'
import { systemClock } from '../../../src/core/clock'
import type { Manifest } from '../../../src/delivery/manifest'
import { type Ledger, openLedger } from '../../../src/ledger/open'

let ledger: Ledger

beforeEach(async () => {
  ledger = await openLedger({ url: ':memory:', actionTimeoutMs: 5000, clock: systemClock })
})
afterEach(() => ledger.close())

const m = (label: string, partition: number, first: number, last: number): Manifest => ({
  label,
  target: { database: 'db', table: 't' },
  task: partition === 1 ? 'task-9' : undefined,
  topic: 'events',
  partition,
  firstOffset: first,
  lastOffset: last,
  rows: last - first + 1,
  written: false,
})

test('a label is recorded once; the first manifest stays', async () => {
  const s = ledger.manifests
  await s.record(m('a', 0, 0, 9), 1)
  await s.record({ ...m('a', 0, 0, 9), lastOffset: 99, rows: 1 }, 2)
  expect(await s.forPartitions([{ topic: 'events', partition: 0 }])).toEqual([m('a', 0, 0, 9)])
})

test('reads are per partition, ordered by first offset, with task and written state', async () => {
  const s = ledger.manifests
  await s.record(m('c', 0, 20, 29), 1)
  await s.record(m('a', 0, 0, 9), 1)
  await s.record(m('b', 1, 5, 7), 1)
  await s.record(m('x', 2, 0, 1), 1)
  await s.markWritten('a', 2)
  const got = await s.forPartitions([
    { topic: 'events', partition: 0 },
    { topic: 'events', partition: 1 },
  ])
  expect(got.map((x) => [x.label, x.written, x.task])).toEqual([
    ['a', true, undefined],
    ['c', false, undefined],
    ['b', false, 'task-9'],
  ])
  expect(await s.forPartitions([])).toEqual([])
})

test('pruning forgets manifests wholly below the committed offset of that partition only', async () => {
  const s = ledger.manifests
  await s.record(m('a', 0, 0, 9), 1)
  await s.record(m('b', 0, 10, 19), 1)
  await s.record(m('c', 1, 0, 9), 1)
  expect(await s.prune('events', 0, 15)).toBe(1)
  expect(await s.prune('events', 0, 15)).toBe(0)
  const left = await s.forPartitions([
    { topic: 'events', partition: 0 },
    { topic: 'events', partition: 1 },
  ])
  expect(left.map((x) => x.label)).toEqual(['b', 'c'])
})
