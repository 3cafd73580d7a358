/**
 * @module ledger/actions-clickhouse
 * The SQL a batch task runs on ClickHouse (SPEC §5): DROP PARTITION ID, TRUNCATE TABLE, and
 * nothing for add_range_partition (partitions are implicit there). Pure; every name and id is
 * checked against its pattern and quoted here, so no unchecked text reaches a statement.
 */
import { CLICKHOUSE_PARTITION_ID, quoteLiteral, quoteTable } from './patterns'
import type { BatchTaskSpec } from './task'

/** The statements of the task, in order; throws on a spec that is not for ClickHouse or unsafe. */
export function clickhouseStatements(spec: BatchTaskSpec): string[] {
  if (spec.opSystem !== 'clickhouse') throw new Error(`a ${spec.opSystem} task is not ClickHouse's`)
  const table = quoteTable(spec.target.database, spec.target.table)
  switch (spec.opType) {
    case 'drop_partition':
      // 18.16 answers 200 even for a malformed id, so the pattern is the only check there is.
      return [
        `ALTER TABLE ${table} DROP PARTITION ID ${quoteLiteral(spec.partition, CLICKHOUSE_PARTITION_ID, "'")}`,
      ]
    case 'truncate_table':
      if (spec.partition !== '') throw new Error('ClickHouse cannot truncate one partition')
      return [`TRUNCATE TABLE ${table}`]
    case 'add_range_partition':
    case 'none':
      return []
  }
}
