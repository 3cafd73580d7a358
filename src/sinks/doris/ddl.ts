/**
 * @module sinks/doris/ddl
 * Sends one statement through the FE SQL API (`POST /api/query/default_cluster/{db}`, reference
 * §9) and classifies the answer: "already exists" is a duplicate (the goal is reached), a refused
 * statement is a reject, anything temporary or not understood a retry. One statement per call.
 */
import type { NewColumn, NewColumnKind } from '../../schema/dynamic-column'
import type { TargetRef } from '../../schema/table-schema'
import type { Verdict } from '../sink'
import type { FePool } from './fe-pool'
import type { DorisSinkOptions } from './options'
import { isValidName, sqlRequest } from './request'
import { classifyFailure, parseAnswer } from './retry'
import type { DorisService, HttpOutcome } from './service'

export interface DdlContext {
  readonly opts: DorisSinkOptions
  readonly service: DorisService
  readonly pool: FePool
}

/** The object is already there: `Table 'x' already exists`, a re-added column or partition. */
const ALREADY_EXISTS =
  /already exists|database exists|Duplicate partition name|Duplicate column name/i

/** Failures of the server, not of the statement. */
const TEMPORARY =
  /timeout|timed out|too many|no backend|not ready|communications link|connection|try again|INTERNAL_ERROR/i

const WHY_MAX_CHARS = 300

export async function runDdl(ctx: DdlContext, sql: string, signal: AbortSignal): Promise<Verdict> {
  const { outcome } = await ctx.pool.call(signal, (fe) =>
    ctx.service.execute(sqlRequest(ctx.opts, fe, ctx.opts.database, sql), signal),
  )
  return classifyDdlOutcome(outcome)
}

export function classifyDdlOutcome(outcome: HttpOutcome): Verdict {
  if (outcome.kind === 'failure') return classifyFailure(outcome.message, outcome.timedOut)
  return classifyDdl(outcome.status, outcome.body)
}

/** The verdict for one SQL API answer (either the streamed or the unstreamed body shape). */
export function classifyDdl(status: number, text: string): Verdict {
  if (status !== 200) return { kind: 'retry', why: cut(`HTTP ${status}: ${text}`) }
  const body = parseAnswer(text)
  if (typeof body === 'string') return { kind: 'retry', why: cut(`not an FE answer: ${body}`) }
  const detail = typeof body.data === 'string' ? body.data : String(body.msg ?? '')
  const why = cut(`FE code ${String(body.code)}: ${detail}`)
  switch (body.code) {
    case 0:
      return { kind: 'ok' }
    case 401:
      return { kind: 'retry', why }
    case 403:
      return { kind: 'reject', why }
    case 1:
      if (ALREADY_EXISTS.test(detail)) return { kind: 'duplicate' }
      return TEMPORARY.test(detail) ? { kind: 'retry', why } : { kind: 'reject', why }
    default:
      return { kind: 'retry', why }
  }
}

/** The Doris type of a dynamic column (SPEC §9): always NULL-able, objects as JSON text. */
export const DORIS_COLUMN_TYPES: Readonly<Record<NewColumnKind, string>> = {
  int: 'BIGINT',
  float: 'DOUBLE',
  bool: 'BOOLEAN',
  string: 'STRING',
  json: 'STRING',
}

/**
 * `ALTER TABLE ... ADD COLUMN ... NULL`: a light schema change, answered "already exists" when
 * a concurrent adder won. Throws for a name outside the identifier pattern.
 */
export function addColumnSql(target: TargetRef, column: NewColumn): string {
  for (const name of [target.database, target.table, column.name]) {
    if (!isValidName(name))
      throw new Error(`invalid Doris name ${JSON.stringify(name.slice(0, 80))}`)
  }
  const type = DORIS_COLUMN_TYPES[column.kind]
  return `ALTER TABLE \`${target.database}\`.\`${target.table}\` ADD COLUMN \`${column.name}\` ${type} NULL`
}

function cut(text: string): string {
  return text.length > WHY_MAX_CHARS ? `${text.slice(0, WHY_MAX_CHARS)}…` : text
}
