/**
 * @module ledger/store
 * The ledger's storage: the LedgerStore interface the rules run over, and its libSQL implementation
 * through drizzle. Every state change is one conditional statement, so two processes sharing a
 * ledger can never both win a claim or both finish a task; every call has a deadline.
 */
import type { Client } from '@libsql/client'
import { and, asc, desc, eq, lt } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/libsql'
import { withDeadline } from '../core/deadline'
import { type DdlTaskRow, ddlTask } from './schema'
import type { BatchTaskSpec, FinalStatus, TaskRecord } from './task'

export interface Lease {
  readonly owner: string
  readonly now: number
  readonly leaseUntil: number
}

export interface ClaimResult {
  /** True when this call created the task: the caller alone runs its action. */
  readonly won: boolean
  readonly record: TaskRecord
}

export interface LedgerStore {
  /** Inserts the task as Running under `lease`, or loses to the row already there. */
  claim(spec: BatchTaskSpec, lease: Lease): Promise<ClaimResult>
  get(taskId: string): Promise<TaskRecord | undefined>
  /** Takes a Running claim from its holder if it is still exactly `seen`; undefined if it moved. */
  takeOver(seen: TaskRecord, lease: Lease): Promise<TaskRecord | undefined>
  /** Records the outcome if `owner` still holds the Running claim; false when it does not. */
  finish(taskId: string, owner: string, status: FinalStatus, now: number): Promise<boolean>
  /** Deprecates the Succeed tasks of `opId` created before row `beforeId`; returns their ids. */
  deprecateEarlier(opId: string, beforeId: number, now: number): Promise<string[]>
  /** An operator's deprecation (`sinker ledger deprecate`), whatever the task's state. */
  deprecate(taskId: string, now: number): Promise<TaskRecord | undefined>
  /** The newest tasks first. */
  list(limit: number): Promise<TaskRecord[]>
  /** Tasks whose claim has no outcome yet, oldest first. */
  running(): Promise<TaskRecord[]>
}

export function createLibsqlStore(client: Client, timeoutMs: number): LedgerStore {
  const db = drizzle(client)
  const bounded = <T>(what: string, work: () => Promise<T>) =>
    withDeadline(`ledger ${what}`, timeoutMs, () => work())
  const get = (taskId: string) =>
    bounded('get', async () => {
      const rows = await db.select().from(ddlTask).where(eq(ddlTask.taskId, taskId)).limit(1)
      return rows[0] ? toRecord(rows[0]) : undefined
    })
  return {
    claim: (spec, lease) =>
      bounded('claim', async () => {
        const inserted = await db
          .insert(ddlTask)
          .values(newRow(spec, lease))
          .onConflictDoNothing({ target: ddlTask.taskId })
          .returning()
        if (inserted[0]) return { won: true, record: toRecord(inserted[0]) }
        const rows = await db.select().from(ddlTask).where(eq(ddlTask.taskId, spec.taskId))
        if (!rows[0]) throw new Error(`ledger claim of ${spec.taskId} lost to a vanished row`)
        return { won: false, record: toRecord(rows[0]) }
      }),
    get,
    takeOver: (seen, lease) =>
      bounded('take over', async () => {
        const rows = await db
          .update(ddlTask)
          .set({
            claimOwner: lease.owner,
            leaseUntil: lease.leaseUntil,
            claims: seen.claims + 1,
            updateTime: lease.now,
          })
          .where(
            and(
              eq(ddlTask.taskId, seen.taskId),
              eq(ddlTask.taskStatus, 'Running'),
              eq(ddlTask.claimOwner, seen.owner),
              eq(ddlTask.claims, seen.claims),
            ),
          )
          .returning()
        return rows[0] ? toRecord(rows[0]) : undefined
      }),
    finish: (taskId, owner, status, now) =>
      bounded('finish', async () => {
        const rows = await db
          .update(ddlTask)
          .set({ taskStatus: status, updateTime: now })
          .where(
            and(
              eq(ddlTask.taskId, taskId),
              eq(ddlTask.taskStatus, 'Running'),
              eq(ddlTask.claimOwner, owner),
            ),
          )
          .returning({ id: ddlTask.id })
        return rows.length > 0
      }),
    deprecateEarlier: (opId, beforeId, now) =>
      bounded('deprecate earlier', async () => {
        const rows = await db
          .update(ddlTask)
          .set({ taskStatus: 'Deprecated', updateTime: now })
          .where(
            and(
              eq(ddlTask.opId, opId),
              eq(ddlTask.taskStatus, 'Succeed'),
              lt(ddlTask.id, beforeId),
            ),
          )
          .returning({ taskId: ddlTask.taskId })
        return rows.map((r) => r.taskId)
      }),
    deprecate: (taskId, now) =>
      bounded('deprecate', async () => {
        const rows = await db
          .update(ddlTask)
          .set({ taskStatus: 'Deprecated', updateTime: now })
          .where(eq(ddlTask.taskId, taskId))
          .returning()
        return rows[0] ? toRecord(rows[0]) : undefined
      }),
    list: (limit) =>
      bounded('list', async () => {
        const rows = await db.select().from(ddlTask).orderBy(desc(ddlTask.id)).limit(limit)
        return rows.map(toRecord)
      }),
    running: () =>
      bounded('running', async () => {
        const rows = await db
          .select()
          .from(ddlTask)
          .where(eq(ddlTask.taskStatus, 'Running'))
          .orderBy(asc(ddlTask.id))
        return rows.map(toRecord)
      }),
  }
}

function newRow(spec: BatchTaskSpec, lease: Lease): typeof ddlTask.$inferInsert {
  return {
    createTime: lease.now,
    updateTime: lease.now,
    taskId: spec.taskId,
    taskStatus: 'Running',
    overwrite: spec.overwrite,
    opId: spec.opId,
    opSystem: spec.opSystem,
    opType: spec.opType,
    opDb: spec.target.database,
    opTable: spec.target.table,
    opPartition: spec.partition,
    claimOwner: lease.owner,
    leaseUntil: lease.leaseUntil,
    claims: 1,
  }
}

function toRecord(row: DdlTaskRow): TaskRecord {
  return {
    id: row.id,
    taskId: row.taskId,
    status: row.taskStatus,
    overwrite: row.overwrite,
    opId: row.opId,
    opSystem: row.opSystem,
    opType: row.opType,
    opDb: row.opDb,
    opTable: row.opTable,
    opPartition: row.opPartition,
    createTime: row.createTime,
    updateTime: row.updateTime,
    owner: row.claimOwner,
    leaseUntil: row.leaseUntil,
    claims: row.claims,
  }
}
