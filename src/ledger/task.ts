/**
 * @module ledger/task
 * The vocabulary of batch tasks (SPEC §5): a validated task spec parsed from headers and the
 * ledger's record of one task. Types and constants only; nothing here validates or touches I/O.
 */
import type { TargetRef } from '../schema/table-schema'
import type { SinkKind } from '../sinks/sink'

export const OP_TYPES = ['none', 'drop_partition', 'truncate_table', 'add_range_partition'] as const
export type OpType = (typeof OP_TYPES)[number]

/**
 * `Running` is the ledger's own transient state between a won claim and the action's outcome;
 * SPEC §5 names only the two final states, which every task reaches.
 */
export const TASK_STATUSES = ['Running', 'Succeed', 'Deprecated'] as const
export type TaskStatus = (typeof TASK_STATUSES)[number]
export type FinalStatus = Exclude<TaskStatus, 'Running'>

/** `NAME:[LOWER,UPPER)`; `upper` may be the keyword MAXVALUE. */
export interface RangePartition {
  readonly name: string
  readonly lower: string
  readonly upper: string
}

/** A batch task whose every field passed the checks of ledger/headers. */
export interface BatchTaskSpec {
  /** The `batch_id` header. */
  readonly taskId: string
  readonly opSystem: SinkKind
  readonly opType: OpType
  readonly target: TargetRef
  /** The `op_partition` header as sent, '' when absent. */
  readonly partition: string
  /** Set exactly when opType is add_range_partition. */
  readonly range?: RangePartition
  readonly overwrite: boolean
  readonly opId: string
}

/** One row of `ddl_task`. Times are epoch milliseconds. */
export interface TaskRecord {
  readonly id: number
  readonly taskId: string
  readonly status: TaskStatus
  readonly overwrite: boolean
  readonly opId: string
  readonly opSystem: SinkKind
  readonly opType: OpType
  readonly opDb: string
  readonly opTable: string
  readonly opPartition: string
  readonly createTime: number
  readonly updateTime: number
  /** Who holds the claim while Running (`host:pid:nonce`). */
  readonly owner: string
  /** While Running: the claim is presumed abandoned after this time. */
  readonly leaseUntil: number
  /** How many times the claim was taken (1 = never taken over). */
  readonly claims: number
}

export type Admission = 'write' | 'drop'
