/**
 * @module ledger/actions-doris
 * The SQL a batch task runs on Doris (SPEC §5, protocol reference §11.1): DROP PARTITION IF
 * EXISTS, TRUNCATE TABLE [PARTITION], ADD PARTITION IF NOT EXISTS ... VALUES [(lower), (upper)).
 * Pure; IF [NOT] EXISTS keeps a re-run after a crash harmless. Every name and bound is checked
 * against its pattern and quoted here, so no unchecked text reaches a statement.
 */
import {
  DORIS_PARTITION_NAME,
  MAXVALUE,
  parseRange,
  quoteLiteral,
  quoteName,
  quoteTable,
  RANGE_BOUND,
} from './patterns'
import type { BatchTaskSpec, RangePartition } from './task'

/** The statements of the task, in order; throws on a spec that is not for Doris or unsafe. */
export function dorisStatements(spec: BatchTaskSpec): string[] {
  if (spec.opSystem !== 'doris') throw new Error(`a ${spec.opSystem} task is not Doris'`)
  const table = quoteTable(spec.target.database, spec.target.table)
  switch (spec.opType) {
    case 'drop_partition':
      return [`ALTER TABLE ${table} DROP PARTITION IF EXISTS ${partitionName(spec.partition)}`]
    case 'truncate_table':
      return spec.partition === ''
        ? [`TRUNCATE TABLE ${table}`]
        : [`TRUNCATE TABLE ${table} PARTITION (${partitionName(spec.partition)})`]
    case 'add_range_partition':
      return [`ALTER TABLE ${table} ADD PARTITION IF NOT EXISTS ${rangeClause(rangeOf(spec))}`]
    case 'none':
      return []
  }
}

function partitionName(name: string): string {
  if (!DORIS_PARTITION_NAME.test(name)) {
    throw new Error(`invalid Doris partition name ${JSON.stringify(name.slice(0, 80))}`)
  }
  return quoteName(name)
}

function rangeOf(spec: BatchTaskSpec): RangePartition {
  if (spec.range) return spec.range
  const range = parseRange('doris', spec.partition)
  if (typeof range === 'string') throw new Error(`invalid range partition: ${range}`)
  return range
}

/** `p VALUES [("lower"), ("upper"))`: left-closed, right-open. */
function rangeClause(range: RangePartition): string {
  if (range.lower === MAXVALUE) throw new Error('MAXVALUE cannot be a lower bound')
  const lower = quoteLiteral(range.lower, RANGE_BOUND, '"')
  const upper = range.upper === MAXVALUE ? MAXVALUE : quoteLiteral(range.upper, RANGE_BOUND, '"')
  return `${partitionName(range.name)} VALUES [(${lower}), (${upper}))`
}
