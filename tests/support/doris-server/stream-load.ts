/**
 * @module tests/support/doris-server/stream-load
 * The BE side of a Stream Load (protocol reference §3-§5, §12): header checks, begin, plan, body
 * within the load's timeout, rows, max_filter_ratio, then commit (or precommit under 2PC). Always
 * HTTP 200; a load that fails stores nothing.
 */
import { createHash } from 'node:crypto'
import { parseBasicAuth } from './auth'
import { beUrl, type ServerContext } from './context'
import { errorUrl } from './error-log'
import { readBody, resetConnection } from './http-io'
import { beginLoad, checkPlan } from './load-begin'
import { loadTimeoutMs, startDeadline, TIMED_OUT } from './load-deadline'
import { checkHeaderStage, type LoadOptions, readPlanStage } from './load-options'
import { abort, fail, type Load, labelExists, newLoad, respond } from './load-result'
import type { LoadResult } from './responses'
import { type BuiltRows, buildRows } from './row-builder'
import { csvRows, jsonRows } from './source-rows'
import type { Table } from './table-store'
import type { Txn } from './txns'

type ResetPoint = 'headers' | 'body' | 'commit' | null

export async function handleStreamLoad(
  ctx: ServerContext,
  req: Request,
  path: { db: string; table: string },
  remoteIp: string,
): Promise<Response> {
  const load = newLoad(ctx, req, path, remoteIp)
  const h = req.headers
  const reset: ResetPoint = ctx.faults.beReset.take('be_stream_load', ctx.random)?.after ?? null
  if (reset === 'headers') return resetConnection()
  const creds = parseBasicAuth(h.get('authorization'))
  if (!creds) return fail(load, '[INTERNAL_ERROR]no valid Basic authorization')
  const header = checkHeaderStage(h, contentLength(h))
  if (!header.ok) return fail(load, header.message)
  const begun = beginLoad(load, creds)
  if (!begun.ok) return begun.response
  const { txn, table } = begun
  const plan = readPlanStage(h, ctx.defaultTimezone)
  if (!plan.ok) return abort(load, txn, plan.message)
  const planError = checkPlan(table, plan.value)
  if (planError !== null) return abort(load, txn, planError)
  const deadline = startDeadline(ctx.clock, loadTimeoutMs(h.get('timeout')))
  try {
    return await loadBody(load, { txn, table, opts: plan.value, reset, deadline })
  } finally {
    deadline.cancel()
  }
}

function contentLength(h: Headers): number | null {
  const v = h.get('content-length')
  return v === null ? null : Number(v)
}

interface Running {
  readonly txn: Txn
  readonly table: Table
  readonly opts: LoadOptions
  readonly reset: ResetPoint
  readonly deadline: ReturnType<typeof startDeadline>
}

async function loadBody(load: Load, run: Running): Promise<Response> {
  const { ctx } = load
  const { txn } = run
  const timedOut = () => abort(load, txn, `[TIMEOUT]load timeout, txn ${txn.id} cancelled`)
  const readStart = ctx.clock.now()
  const body = await run.deadline.race(readBody(load.req))
  if (body === TIMED_OUT) return timedOut()
  const base = { txnId: txn.id, readDataTimeMs: ctx.clock.now() - readStart }
  if (!body.ok) {
    const message = "[INTERNAL_ERROR]receive body don't equal with body bytes"
    return abort(load, txn, message, { ...base, loadBytes: body.received })
  }
  if (run.reset === 'body') return abortAndReset(load, txn)
  const built = injectFiltered(ctx, buildLoadRows(run.table, run.opts, body.bytes))
  const counts = countsOf(load, base, body.bytes.byteLength, built)
  if (built.filtered.length > run.opts.maxFilterRatio * (counts.totalRows ?? 0)) {
    return abort(load, txn, '[DATA_QUALITY_ERROR]too many filtered rows', counts)
  }
  const slow = ctx.faults.beSlow.take('be_stream_load', ctx.random)
  if (slow && (await run.deadline.race(ctx.clock.sleep(slow.delayMs))) === TIMED_OUT)
    return timedOut()
  // A 2PC abort may have ended the txn while the body was read or the load was held.
  if (txn.status !== 'PREPARE')
    return fail(load, '[CANCELLED]cancelled: transaction was aborted', counts)
  txn.rows = built.loaded.length
  txn.bodyHash = createHash('sha256').update(body.bytes).digest('hex')
  const response = commit(load, run, built, counts)
  return run.reset === 'commit' ? resetConnection() : response
}

function abortAndReset(load: Load, txn: Txn): Response {
  load.ctx.state.setTxnStatus(txn, 'ABORTED')
  return resetConnection()
}

/** The counters of the result, with the ErrorURL when rows were filtered (§4.1). */
function countsOf(
  load: Load,
  base: Partial<LoadResult>,
  bytes: number,
  built: BuiltRows,
): Partial<LoadResult> {
  const counts: Partial<LoadResult> = {
    ...base,
    loadBytes: bytes,
    totalRows: built.loaded.length + built.filtered.length,
    loadedRows: built.loaded.length,
    filteredRows: built.filtered.length,
  }
  if (built.filtered.length === 0) return counts
  const file = load.ctx.state.errorLogs.add(built.filtered)
  return { ...counts, errorUrl: errorUrl(beUrl(load.ctx), file) }
}

function buildLoadRows(table: Table, opts: LoadOptions, bytes: Uint8Array): BuiltRows {
  const text = Buffer.from(bytes).toString('utf8')
  const sources = opts.format === 'json' ? jsonRows(text, opts) : csvRows(text, opts)
  return buildRows(table, sources, opts)
}

function injectFiltered(ctx: ServerContext, built: BuiltRows): BuiltRows {
  const fault = ctx.faults.filterRows.take('be_stream_load', ctx.random)
  if (!fault) return built
  const n = Math.min(fault.rows, built.loaded.length)
  const reason = 'row filtered on purpose by the Doris test server (faults.filterRows)'
  const injected = built.loaded
    .slice(0, n)
    .map((r) => ({ reason, source: JSON.stringify(r.values, jsonSafe) }))
  return { loaded: built.loaded.slice(n), filtered: [...built.filtered, ...injected] }
}

function jsonSafe(_key: string, v: unknown): unknown {
  return typeof v === 'bigint' ? String(v) : v
}

function commit(load: Load, run: Running, built: BuiltRows, counts: Partial<LoadResult>): Response {
  const { ctx } = load
  const { txn, table } = run
  if (load.result.twoPhaseCommit) {
    txn.pending = built.loaded
    ctx.state.setTxnStatus(txn, 'PRECOMMITTED')
    return respond(load, { ...counts, status: 'Success', message: 'OK' })
  }
  if (ctx.faults.labelExists.take('be_stream_load', ctx.random)) {
    // The first attempt committed and its answer was lost; this is what its retry is told.
    ctx.state.commitRows(table, txn, built.loaded, 'VISIBLE')
    return labelExists(load, txn)
  }
  if (ctx.faults.publishTimeout.take('be_stream_load', ctx.random)) {
    ctx.state.commitRows(table, txn, built.loaded, 'COMMITTED')
    const message =
      '[PUBLISH_TIMEOUT]transaction commit successfully, BUT data will be visible later'
    return respond(load, { ...counts, status: 'Publish Timeout', message })
  }
  ctx.state.commitRows(table, txn, built.loaded, 'VISIBLE')
  return respond(load, { ...counts, status: 'Success', message: 'OK' })
}
