/**
 * @module tests/support/doris-server/ddl
 * The table changes a sink runs before a batch (reference §11): drop/truncate partitions, truncate
 * tables, add range partitions and columns. Pure over a Table; never leaves a row without its
 * partition, and refuses with DdlError in Doris' wording.
 */
import { DdlError } from './ddl-error'
import {
  addPartition,
  buildColumn,
  type Column,
  type ColumnInput,
  columnDefault,
  type PartitionInput,
  type Table,
} from './table-store'

function requirePartitioned(table: Table): void {
  if (table.partitionColumn === null) {
    throw new DdlError(
      `Table[${table.name}]'s partition type is UNPARTITIONED, not support partition operation`,
    )
  }
}

function requirePartition(table: Table, name: string): void {
  if (!table.partitions.some((p) => p.name === name)) {
    throw new DdlError(`Partition[${name}] does not exist in table[${table.name}]`)
  }
}

export function dropPartition(table: Table, name: string, ifExists: boolean): void {
  requirePartitioned(table)
  if (!table.partitions.some((p) => p.name === name)) {
    if (ifExists) return
    requirePartition(table, name)
  }
  // The reference (§11.1): a table must keep at least one partition.
  if (table.partitions.length === 1) {
    throw new DdlError(`Can not drop the last partition [${name}] of table [${table.name}]`)
  }
  table.partitions = table.partitions.filter((p) => p.name !== name)
  table.rows = table.rows.filter((r) => r.partition !== name)
}

export function addRangePartition(
  table: Table,
  partition: PartitionInput,
  ifNotExists: boolean,
): void {
  requirePartitioned(table)
  if (ifNotExists && table.partitions.some((p) => p.name === partition.name)) return
  addPartition(table, partition)
}

/** TRUNCATE TABLE [PARTITION (…)]: the partitions stay, their rows go. */
export function truncate(table: Table, partitions: readonly string[] | null): void {
  if (partitions === null) {
    table.rows = []
    return
  }
  requirePartitioned(table)
  for (const name of partitions) requirePartition(table, name)
  table.rows = table.rows.filter((r) => r.partition === null || !partitions.includes(r.partition))
}

/** ADD COLUMN: existing rows get the new column's default (NULL without one). */
export function addColumns(
  table: Table,
  inputs: readonly ColumnInput[],
  position: { after: string | null; first: boolean },
): void {
  const added: Column[] = inputs.map((input) => {
    if (table.columns.some((c) => c.name.toLowerCase() === input.name.toLowerCase())) {
      throw new DdlError(`Can not add column which already exists in base table: ${input.name}`)
    }
    if (input.nullable === false && (input.default === undefined || input.default === null)) {
      throw new DdlError(`Can not add a NOT NULL column without a default value: ${input.name}`)
    }
    return buildColumn(input)
  })
  table.columns = insertColumns(table, added, position)
  for (const row of table.rows) {
    for (const c of added) row.values[c.name] = columnDefault(c)
  }
}

function insertColumns(
  table: Table,
  added: Column[],
  position: { after: string | null; first: boolean },
): Column[] {
  const cols = [...table.columns]
  if (position.first) return [...added, ...cols]
  if (position.after === null) return [...cols, ...added]
  const at = cols.findIndex((c) => c.name === position.after)
  if (at < 0) throw new DdlError(`Column[${position.after}] does not exist`)
  cols.splice(at + 1, 0, ...added)
  return cols
}
