/**
 * @module ledger/schema
 * The drizzle description of the `ddl_task` table of SPEC §5. Declaration only: the table is
 * created by ledger/migrate, whose SQL must stay in step with this file.
 */
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { OP_TYPES, TASK_STATUSES } from './task'

export const ddlTask = sqliteTable(
  'ddl_task',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    createTime: integer('create_time').notNull(),
    updateTime: integer('update_time').notNull(),
    taskId: text('task_id').notNull(),
    taskStatus: text('task_status', { enum: TASK_STATUSES }).notNull(),
    overwrite: integer('overwrite', { mode: 'boolean' }).notNull(),
    opId: text('op_id').notNull(),
    opSystem: text('op_system', { enum: ['clickhouse', 'doris'] }).notNull(),
    opType: text('op_type', { enum: OP_TYPES }).notNull(),
    opDb: text('op_db').notNull(),
    opTable: text('op_table').notNull(),
    opPartition: text('op_partition').notNull(),
    claimOwner: text('claim_owner').notNull(),
    leaseUntil: integer('lease_until').notNull(),
    claims: integer('claims').notNull(),
  },
  (t) => [
    // The claim is an insert that loses on this index: the one atomic step of rule 1.
    uniqueIndex('ddl_task_task_id').on(t.taskId),
    index('ddl_task_op_id_status').on(t.opId, t.taskStatus),
    index('ddl_task_status').on(t.taskStatus),
  ],
)

export type DdlTaskRow = typeof ddlTask.$inferSelect
