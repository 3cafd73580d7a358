/**
 * @module sinks/doris/schema
 * Reads a table's columns: `GET /api/{db}/{table}/_schema` for the columns and their primitive
 * types, refined by information_schema.columns (lengths, DATETIME scale, element types,
 * nullability). Answers null only for a missing table or database; every other failure throws.
 */
import type { ColumnDef, TargetRef } from '../../schema/table-schema'
import type { FePool } from './fe-pool'
import type { DorisSinkOptions } from './options'
import { isValidName, schemaRequest, sqlRequest } from './request'
import { parseAnswer } from './retry'
import type { DorisService, HttpOutcome } from './service'

export interface SchemaContext {
  readonly opts: DorisSinkOptions
  readonly service: DorisService
  readonly pool: FePool
}

interface SchemaProperty {
  readonly name: string
  readonly type: string
  readonly precision?: string
  readonly scale?: string
}

/** What information_schema adds to a column; absent when that query is refused. */
export interface ColumnDetail {
  readonly columnType: string
  readonly nullable: boolean
  readonly charLength: number | null
  readonly datetimePrecision: number | null
}

const MISSING = /unknown (table|database)|does not exist|not exist/i

export async function describeTable(
  ctx: SchemaContext,
  target: TargetRef,
  signal: AbortSignal,
): Promise<ColumnDef[] | null> {
  const where = `Doris schema of ${target.database}.${target.table}`
  if (!isValidName(target.database) || !isValidName(target.table)) return null
  const { outcome } = await ctx.pool.call(signal, (fe) =>
    ctx.service.execute(schemaRequest(ctx.opts, fe, target), signal),
  )
  const data = envelopeData(outcome, where)
  if (data.missing) return null
  const props = (data.value as { properties?: unknown } | null)?.properties
  if (!Array.isArray(props)) throw new Error(`${where}: the answer has no properties`)
  const details = await columnDetails(ctx, target, signal)
  return (props as SchemaProperty[]).map((p) => ({
    name: p.name,
    type: dorisTypeText(p, details?.get(p.name)),
    defaultKind: '',
  }))
}

/** The DDL-like type text of a column: `DECIMAL(10,2)`, `VARCHAR(8) NULL`, `ARRAY<INT> NULL`. */
export function dorisTypeText(p: SchemaProperty, detail: ColumnDetail | undefined): string {
  const name = p.type.toUpperCase()
  let text = name
  if (name.startsWith('DECIMAL')) text = `DECIMAL(${p.precision ?? 38},${p.scale ?? 9})`
  else if (name === 'DATEV2') text = 'DATE'
  else if (name.startsWith('DATETIME')) {
    const scale = detail?.datetimePrecision ?? 0
    text = scale > 0 ? `DATETIME(${scale})` : 'DATETIME'
  } else if ((name === 'CHAR' || name === 'VARCHAR') && detail?.charLength)
    text = `${name}(${detail.charLength})`
  else if ((name === 'ARRAY' || name === 'MAP' || name === 'STRUCT') && detail)
    text = detail.columnType
  return detail?.nullable ? `${text} NULL` : text
}

async function columnDetails(
  ctx: SchemaContext,
  target: TargetRef,
  signal: AbortSignal,
): Promise<Map<string, ColumnDetail> | null> {
  const stmt =
    'SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, CHARACTER_MAXIMUM_LENGTH, DATETIME_PRECISION ' +
    `FROM information_schema.columns WHERE TABLE_SCHEMA = '${target.database}' ` +
    `AND TABLE_NAME = '${target.table}' ORDER BY ORDINAL_POSITION`
  const { outcome } = await ctx.pool.call(signal, (fe) =>
    ctx.service.execute(sqlRequest(ctx.opts, fe, target.database, stmt), signal),
  )
  if (outcome.kind === 'failure') throw new Error(`information_schema: ${outcome.message}`)
  const body = parseAnswer(outcome.body)
  const rows = typeof body === 'object' ? (body.data as { data?: unknown } | null)?.data : null
  // A user without access to information_schema still gets the primitive types.
  if (!Array.isArray(rows)) return null
  return new Map(
    (rows as unknown[][]).map((r) => [
      String(r[0]),
      {
        columnType: String(r[1]),
        nullable: String(r[2]).toUpperCase() === 'YES',
        charLength: typeof r[3] === 'number' ? r[3] : null,
        datetimePrecision: typeof r[4] === 'number' ? r[4] : null,
      },
    ]),
  )
}

/** The `data` of an FE envelope answer with code 0; `missing` for an unknown table or database. */
function envelopeData(
  outcome: HttpOutcome,
  where: string,
): { missing: true } | { missing: false; value: unknown } {
  if (outcome.kind === 'failure') throw new Error(`${where}: ${outcome.message}`)
  const body = parseAnswer(outcome.body)
  if (outcome.status !== 200 || typeof body === 'string') {
    throw new Error(`${where}: HTTP ${outcome.status}: ${outcome.body.slice(0, 200)}`)
  }
  if (body.code === 0) return { missing: false, value: body.data }
  const detail = typeof body.data === 'string' ? body.data : JSON.stringify(body.data)
  if (body.code === 1 && MISSING.test(detail)) return { missing: true }
  throw new Error(`${where}: code ${String(body.code)}: ${detail.slice(0, 200)}`)
}
