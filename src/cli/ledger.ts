/**
 * @module cli/ledger
 * `sinker ledger list|show ID|deprecate ID` (SPEC §2): inspect the batch-task ledger or deprecate
 * one task by its batch_id. Opens only the ledger, never Kafka or the sink; an unknown id is exit 2.
 */
import { loadConfig } from '../config/load'
import { type Clock, systemClock } from '../core/clock'
import { openLedger } from '../ledger/open'
import type { LedgerStore } from '../ledger/store'
import type { TaskRecord } from '../ledger/task'
import type { CliIo, ExitCode } from './io'

export interface LedgerCommandArgs {
  readonly action: 'list' | 'show' | 'deprecate'
  /** The task's batch_id, for show and deprecate. */
  readonly id?: string
  readonly configPath: string
}

/** More than an operator reads on a terminal; the newest tasks come first. */
const LIST_LIMIT = 1000

const COLUMNS = ['TASK_ID', 'STATUS', 'OP_TYPE', 'TARGET', 'PARTITION', 'OVERWRITE', 'UPDATED']

export async function ledgerCommand(
  args: LedgerCommandArgs,
  io: CliIo,
  clock: Clock = systemClock,
): Promise<ExitCode> {
  const config = loadConfig({ path: args.configPath, env: io.env })
  const ledger = await openLedger({
    url: config.ledger.url,
    actionTimeoutMs: config.ledger.action_timeout_ms,
    clock,
  })
  try {
    if (args.action === 'list') return await list(ledger.store, io)
    if (args.id === undefined || args.id === '') {
      io.err(`sinker ledger ${args.action}: a task ID is required`)
      return 2
    }
    if (args.action === 'show') return await show(ledger.store, args.id, io)
    return await deprecate(ledger.store, args.id, io, clock)
  } finally {
    await ledger.close()
  }
}

async function list(store: LedgerStore, io: CliIo): Promise<ExitCode> {
  io.out(COLUMNS.join('\t'))
  for (const r of await store.list(LIST_LIMIT)) {
    io.out(
      [
        r.taskId,
        r.status,
        r.opType,
        `${r.opDb}.${r.opTable}`,
        r.opPartition === '' ? '-' : r.opPartition,
        String(r.overwrite),
        iso(r.updateTime),
      ].join('\t'),
    )
  }
  return 0
}

async function show(store: LedgerStore, id: string, io: CliIo): Promise<ExitCode> {
  const r = await store.get(id)
  if (!r) return unknown(id, io)
  for (const [key, value] of fields(r)) io.out(`${key}: ${value}`)
  return 0
}

async function deprecate(
  store: LedgerStore,
  id: string,
  io: CliIo,
  clock: Clock,
): Promise<ExitCode> {
  const before = await store.get(id)
  if (!before) return unknown(id, io)
  await store.deprecate(id, clock.now())
  io.out(`deprecated ${id} (was ${before.status}); its rows are dropped from now on`)
  return 0
}

function unknown(id: string, io: CliIo): ExitCode {
  io.err(`sinker ledger: no batch task with ID ${JSON.stringify(id.slice(0, 200))}`)
  return 2
}

/** The columns of SPEC §5 in its order, then the claim the ledger keeps while a task runs. */
function fields(r: TaskRecord): [string, string][] {
  return [
    ['id', String(r.id)],
    ['create_time', iso(r.createTime)],
    ['update_time', iso(r.updateTime)],
    ['task_id', r.taskId],
    ['task_status', r.status],
    ['overwrite', String(r.overwrite)],
    ['op_id', r.opId],
    ['op_system', r.opSystem],
    ['op_type', r.opType],
    ['op_db', r.opDb],
    ['op_table', r.opTable],
    ['op_partition', r.opPartition],
    ['claim_owner', r.owner],
    ['lease_until', iso(r.leaseUntil)],
    ['claims', String(r.claims)],
  ]
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}
