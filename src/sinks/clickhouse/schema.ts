/**
 * @module sinks/clickhouse/schema
 * Reads a table's columns with `DESCRIBE TABLE ... FORMAT JSON`. Answers null only when the table
 * or its database does not exist; every other failure throws, so a flaky server never looks like
 * a missing table.
 */
import type { ColumnDef, TargetRef } from '../../schema/table-schema'
import { quoteTarget } from './identifier'
import { classifyClickHouse, errorCodeOf, whyOf } from './retry'
import type { QueryFn } from './service'

const MISSING_CODES = new Set([60, 81]) // UNKNOWN_TABLE, UNKNOWN_DATABASE

export async function describeTable(
  query: QueryFn,
  target: TargetRef,
  signal: AbortSignal,
): Promise<ColumnDef[] | null> {
  const outcome = await query(`DESCRIBE TABLE ${quoteTarget(target)} FORMAT JSON`, signal)
  const where = `DESCRIBE ${target.database}.${target.table}`
  if (outcome.kind === 'failure') throw new Error(`${where}: ${outcome.message}`)
  const code = errorCodeOf(outcome.body, outcome.exceptionCode)
  if (code !== null && MISSING_CODES.has(code)) return null
  if (outcome.status !== 200 || code !== null) {
    const verdict = classifyClickHouse(outcome.status, outcome.body, outcome.exceptionCode)
    throw new Error(
      `${where}: ${verdict.kind === 'ok' ? `HTTP ${outcome.status}` : whyOf(verdict)}`,
    )
  }
  return parseDescribe(outcome.body)
}

interface DescribeRow {
  readonly name?: unknown
  readonly type?: unknown
  readonly default_type?: unknown
}

/** The `data` rows of a DESCRIBE in FORMAT JSON, by field name (18.16 has fewer fields). */
export function parseDescribe(body: string): ColumnDef[] {
  const parsed = JSON.parse(body) as { data?: unknown }
  if (!Array.isArray(parsed.data)) throw new Error('DESCRIBE answer has no data array')
  return parsed.data.map((row: DescribeRow) => {
    if (typeof row.name !== 'string' || typeof row.type !== 'string') {
      throw new Error(`DESCRIBE row without name or type: ${JSON.stringify(row).slice(0, 200)}`)
    }
    return { name: row.name, type: row.type, defaultKind: defaultKindOf(row.default_type) }
  })
}

function defaultKindOf(value: unknown): ColumnDef['defaultKind'] {
  switch (value) {
    case '':
    case undefined:
      return ''
    case 'DEFAULT':
    case 'MATERIALIZED':
    case 'ALIAS':
      return value
    // EPHEMERAL (22.x+) columns take a value on INSERT and otherwise compute one, like DEFAULT.
    case 'EPHEMERAL':
      return 'DEFAULT'
    default:
      // A kind this code does not know: never write to it.
      return 'ALIAS'
  }
}
