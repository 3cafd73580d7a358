/**
 * @module tests/unit/ledger/ledger-fixtures
 * Shared by the ledger tests: a virtual clock whose sleeps move time instead of waiting, a ledger
 * file in a fresh temp dir, a store that can be "killed" like a crashed process, and task specs.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Clock } from '../../../src/core/clock'
import { opIdOf } from '../../../src/ledger/op-id'
import { type Ledger, openLedger } from '../../../src/ledger/open'
import type { LedgerStore } from '../../../src/ledger/store'
import type { BatchTaskSpec, OpType } from '../../../src/ledger/task'

export interface VirtualClock extends Clock {
  advance(ms: number): void
}

/** Sleeping moves the clock forward and yields one macrotask, so tests never wait for real. */
export function virtualClock(start = 1_700_000_000_000): VirtualClock {
  let now = start
  return {
    now: () => now,
    advance: (ms) => {
      now += ms
    },
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason)
        now += ms
        setTimeout(resolve, 0)
      }),
  }
}

export function tempDir(prefix = 'sinker-ledger-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

export function ledgerAt(dir: string, clock: Clock, actionTimeoutMs = 2000): Promise<Ledger> {
  return openLedger({ url: `file:${join(dir, 'ledger.db')}`, actionTimeoutMs, clock })
}

/** A store whose every call fails once killed: what a crashed process leaves behind. */
export function killable(store: LedgerStore): { store: LedgerStore; kill(): void } {
  let dead = false
  const guard =
    <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
    (...a: A): Promise<R> =>
      dead ? Promise.reject(new Error('process crashed')) : f(...a)
  return {
    kill: () => {
      dead = true
    },
    store: {
      claim: guard(store.claim),
      get: guard(store.get),
      takeOver: guard(store.takeOver),
      finish: guard(store.finish),
      deprecateEarlier: guard(store.deprecateEarlier),
      deprecate: guard(store.deprecate),
      list: guard(store.list),
      running: guard(store.running),
    },
  }
}

export function taskSpec(
  taskId: string,
  opType: OpType = 'drop_partition',
  over: Partial<BatchTaskSpec> = {},
): BatchTaskSpec {
  const target = over.target ?? { database: 'analytics', table: 'events' }
  const partition = over.partition ?? (opType === 'drop_partition' ? '20261101' : '')
  const opSystem = over.opSystem ?? 'clickhouse'
  return {
    taskId,
    opSystem,
    opType,
    target,
    partition,
    overwrite: false,
    opId: opIdOf({ opSystem, opType, database: target.database, table: target.table, partition }),
    ...over,
  }
}

export const signal = (): AbortSignal => new AbortController().signal
