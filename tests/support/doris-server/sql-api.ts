/**
 * @module tests/support/doris-server/sql-api
 * `POST /api/query/{ns}/{db}` (reference §9): one statement per request, DDL as `exec_status`,
 * reads as `result_set`, failures in the `Failed to execute sql` envelope. Records every statement;
 * never runs more than one.
 */

import { DdlError } from './ddl-error'
import type { RequestKind } from './faults'
import { feAuth } from './fe-auth'
import { feBadRequest, feError, jsonResponse } from './responses'
import type { RouteCall } from './router'

interface SqlRequest {
  readonly stmt: string
  readonly isSync: boolean
  readonly limit: number
}

async function readSqlRequest(req: Request): Promise<SqlRequest | null> {
  try {
    const body = (await req.json()) as { stmt?: unknown; is_sync?: unknown; limit?: unknown }
    if (typeof body.stmt !== 'string' || body.stmt.trim() === '') return null
    const limit = typeof body.limit === 'number' ? body.limit : 1000
    return { stmt: body.stmt, isSync: body.is_sync !== false, limit }
  } catch {
    return null
  }
}

/** Reads are counted as `sql_query`, everything else as `sql_ddl`. */
export async function sqlKind(call: RouteCall): Promise<RequestKind> {
  return kindOf((await readSqlRequest(call.req.clone() as Request))?.stmt ?? '')
}

function kindOf(stmt: string): RequestKind {
  return /^\s*(select|show|desc|describe)\b/i.test(stmt) ? 'sql_query' : 'sql_ddl'
}

export async function handleSql(call: RouteCall): Promise<Response> {
  const auth = feAuth(call)
  if (!auth.ok) return auth.response
  const { ctx } = call
  const sql = await readSqlRequest(call.req)
  if (!sql) return feBadRequest('Missing statement request body')
  const db = call.params[1] ?? ''
  ctx.state.statements.push(sql.stmt)
  if (!sql.isSync) return feError('Not support async query execution')
  const fault = ctx.faults.sqlFail.take(kindOf(sql.stmt), ctx.random)
  if (fault) return failed(call, sql.stmt, fault.message)
  const started = ctx.clock.now()
  try {
    const { outcome } = ctx.state.runSql(db, sql.stmt)
    ctx.log(`FE sql [${db}] ${sql.stmt} → ok`)
    const time = ctx.clock.now() - started
    if (outcome.kind === 'exec')
      return success(call, { type: 'exec_status', status: {}, time }, false)
    const { meta, rows } = outcome.result
    return success(call, { type: 'result_set', meta, data: rows.slice(0, sql.limit), time }, true)
  } catch (err) {
    if (err instanceof DdlError) return failed(call, sql.stmt, err.message)
    throw err
  }
}

function failed(call: RouteCall, stmt: string, detail: string): Response {
  call.ctx.log(`FE sql ${stmt} → ${detail}`)
  return feError(
    `Failed to execute sql: java.sql.SQLException: errCode = 2, detailMessage = ${detail}`,
  )
}

/** The non-streamed body has `count`; the streamed one drops it and orders its keys (§9). */
function success(call: RouteCall, data: unknown, resultSet: boolean): Response {
  if (call.req.headers.get('x-doris-stream')?.toLowerCase() === 'false') {
    return jsonResponse({ msg: 'success', code: 0, data, count: 0 })
  }
  return jsonResponse(
    resultSet ? { data, msg: 'success', code: 0 } : { msg: 'success', code: 0, data },
  )
}
