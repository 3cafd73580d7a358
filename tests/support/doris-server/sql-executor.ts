/**
 * @module tests/support/doris-server/sql-executor
 * Runs one parsed statement against the store with the request's database as the current one:
 * DDL changes the store, reads return a result set. Never journals; state.ts does.
 */
import { addColumns, addRangePartition, dropPartition, truncate } from './ddl'
import { describe, oneColumn, type ResultSet, select, showPartitions } from './query'
import type { Statement, TableName } from './sql-parser'
import type { Table, TableStore } from './table-store'

export type SqlOutcome =
  | { readonly kind: 'exec' }
  | { readonly kind: 'rows'; readonly result: ResultSet }

const READS = new Set<Statement['kind']>([
  'select',
  'select_literal',
  'desc',
  'show_partitions',
  'show_tables',
  'show_databases',
])

/** True for statements that change something (and so are journaled and counted as DDL). */
export function isDdl(stmt: Statement): boolean {
  return !READS.has(stmt.kind)
}

export function executeStatement(store: TableStore, db: string, stmt: Statement): SqlOutcome {
  const table = (name: TableName): Table => store.get(name.db ?? db, name.name)
  switch (stmt.kind) {
    case 'create_database':
      store.createDatabase(stmt.db, stmt.ifNotExists)
      break
    case 'create_table':
      store.createTable(stmt.table.db ?? db, stmt.table.name, stmt.def, stmt.ifNotExists)
      break
    case 'drop_table':
      store.dropTable(stmt.table.db ?? db, stmt.table.name, stmt.ifExists)
      break
    case 'add_partition':
      addRangePartition(table(stmt.table), stmt.partition, stmt.ifNotExists)
      break
    case 'drop_partition':
      dropPartition(table(stmt.table), stmt.name, stmt.ifExists)
      break
    case 'truncate':
      truncate(table(stmt.table), stmt.partitions)
      break
    case 'add_columns':
      addColumns(table(stmt.table), stmt.columns, stmt)
      break
    case 'select':
      return { kind: 'rows', result: select(store, db, stmt) }
    case 'select_literal': {
      const type = stmt.numeric ? 'TINYINT' : 'VARCHAR'
      const value = stmt.numeric ? Number(stmt.value) : stmt.value
      return { kind: 'rows', result: { meta: [{ name: stmt.value, type }], rows: [[value]] } }
    }
    case 'desc':
      return { kind: 'rows', result: describe(table(stmt.table)) }
    case 'show_partitions':
      return { kind: 'rows', result: showPartitions(table(stmt.table)) }
    case 'show_tables':
      return {
        kind: 'rows',
        result: oneColumn(
          `Tables_in_${stmt.db ?? db}`,
          store.tables(stmt.db ?? db).map((t) => t.name),
        ),
      }
    case 'show_databases':
      return { kind: 'rows', result: oneColumn('Database', store.databases()) }
  }
  return { kind: 'exec' }
}
