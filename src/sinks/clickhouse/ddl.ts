/**
 * @module sinks/clickhouse/ddl
 * Sends one DDL statement and classifies its answer, and builds the few statements the ledger
 * runs (SPEC §5). Builders accept only checked identifiers and partition ids, so header values
 * never reach SQL unchecked.
 */
import type { NewColumn, NewColumnKind } from '../../schema/dynamic-column'
import type { TargetRef } from '../../schema/table-schema'
import type { Verdict } from '../sink'
import { quoteIdentifier, quoteTarget } from './identifier'
import { classifyClickHouse, errorCodeOf, verdictOf, whyOf } from './retry'
import type { QueryFn } from './service'

/**
 * A `system.parts.partition_id`: `all`, digits joined by `-` (`20240115`, `202401-3`, `-1`) or a
 * 32-hex hash. Nothing that could close the quote.
 */
export const PARTITION_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/

/** Codes that say the object is already there: the statement's goal is reached. */
const ALREADY_EXISTS = new Set([57, 82]) // TABLE_ALREADY_EXISTS, DATABASE_ALREADY_EXISTS

/** Codes that say the statement itself is wrong: sending it again cannot help. */
const STATEMENT_ERRORS = new Set([15, 16, 36, 44, 47, 48, 50, 62])

export function classifyDdl(status: number, body: string, exceptionCode?: string | null): Verdict {
  const verdict = classifyClickHouse(status, body, exceptionCode)
  const code = errorCodeOf(body, exceptionCode)
  if (verdict.kind === 'ok' || code === null) return verdict
  // 18.16 lacks ADD COLUMN IF NOT EXISTS; "column with this name already exists" is Code 44.
  if (ALREADY_EXISTS.has(code) || (code === 44 && body.includes('already exists'))) {
    return { kind: 'duplicate' }
  }
  if (STATEMENT_ERRORS.has(code)) return { kind: 'reject', why: whyOf(verdict) }
  return verdict
}

export async function runDdl(query: QueryFn, sql: string, signal: AbortSignal): Promise<Verdict> {
  const outcome = await query(sql, signal)
  return outcome.kind === 'answer'
    ? classifyDdl(outcome.status, outcome.body, outcome.exceptionCode)
    : verdictOf(outcome)
}

export function isValidPartitionId(id: string): boolean {
  return PARTITION_ID_PATTERN.test(id)
}

/** `ALTER TABLE ... DROP PARTITION ID '...'`; throws on an id that fails the pattern. */
export function dropPartitionIdSql(target: TargetRef, partitionId: string): string {
  // 18.16 answers 200 even for a malformed id, so the pattern is the only check there is.
  if (!isValidPartitionId(partitionId)) {
    throw new Error(`invalid partition id ${JSON.stringify(partitionId.slice(0, 80))}`)
  }
  return `ALTER TABLE ${quoteTarget(target)} DROP PARTITION ID '${partitionId}'`
}

export function truncateTableSql(target: TargetRef): string {
  return `TRUNCATE TABLE ${quoteTarget(target)}`
}

/** The ClickHouse type of a dynamic column (SPEC §9): always Nullable, objects as JSON text. */
export const CLICKHOUSE_COLUMN_TYPES: Readonly<Record<NewColumnKind, string>> = {
  int: 'Nullable(Int64)',
  float: 'Nullable(Float64)',
  bool: 'Nullable(UInt8)',
  string: 'Nullable(String)',
  json: 'Nullable(String)',
}

/**
 * `ALTER TABLE ... ADD COLUMN [IF NOT EXISTS] ...` (the clause from 19.4); throws
 * InvalidIdentifierError for a name that could not be quoted safely.
 */
export function addColumnSql(target: TargetRef, column: NewColumn, ifNotExists: boolean): string {
  const clause = ifNotExists ? 'ADD COLUMN IF NOT EXISTS' : 'ADD COLUMN'
  const type = CLICKHOUSE_COLUMN_TYPES[column.kind]
  return `ALTER TABLE ${quoteTarget(target)} ${clause} ${quoteIdentifier(column.name)} ${type}`
}
