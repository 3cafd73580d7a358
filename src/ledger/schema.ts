/**
 * @module ledger/schema
 * The drizzle description of the ledger's tables: `ddl_task` (SPEC §5) and `batch_manifest`
 * (SPEC §6). Declaration only: the tables are created by ledger/migrate, whose SQL must stay in
 * step with this file.
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

/** Exactly-once batch manifests (SPEC §6): one per batch, stored before the batch is sent. */
export const batchManifest = sqliteTable(
  'batch_manifest',
  {
    label: text('label').primaryKey(),
    topic: text('topic').notNull(),
    partition: integer('partition_id').notNull(),
    firstOffset: integer('first_offset').notNull(),
    lastOffset: integer('last_offset').notNull(),
    rowCount: integer('row_count').notNull(),
    targetDb: text('target_db').notNull(),
    targetTable: text('target_table').notNull(),
    taskId: text('task_id'),
    written: integer('written', { mode: 'boolean' }).notNull(),
    createTime: integer('create_time').notNull(),
    updateTime: integer('update_time').notNull(),
  },
  (t) => [index('batch_manifest_partition').on(t.topic, t.partition, t.lastOffset)],
)

export type BatchManifestRow = typeof batchManifest.$inferSelect
