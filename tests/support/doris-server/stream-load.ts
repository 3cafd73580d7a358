/**
 * @module tests/support/doris-server/stream-load
 * The BE side of a Stream Load (protocol reference §3-§5, §12): header checks, begin txn under
 * the label, plan checks, body, rows, max_filter_ratio, commit (or precommit under 2PC), and the
 * result JSON, always HTTP 200. A failed load stores nothing and frees its label.
 */
import { createHash } from 'node:crypto'
import { accessDenied, type Credentials, checkPassword, parseBasicAuth } from './auth'
import { beUrl, type ServerContext } from './context'
import { errorUrl } from './error-log'
import { readBody, resetConnection } from './http-io'
import { checkHeaderStage, type LoadOptions, readPlanStage } from './load-options'
import { type LoadResult, loadResultResponse } from './responses'
import { type BuiltRows, buildRows } from './row-builder'
import { csvRows, jsonRows } from './source-rows'
import type { Table } from './table-store'
import { existingJobStatus, LABEL_PATTERN, type Txn } from './txns'

interface Load {
  readonly ctx: ServerContext
  readonly req: Request
  readonly db: string
  readonly tableName: string
  readonly remoteIp: string
  readonly started: number
  readonly result: LoadResult
}

export async function handleStreamLoad(
  ctx: ServerContext,
  req: Request,
  path: { db: string; table: string },
  remoteIp: string,
): Promise<Response> {
  const h = req.headers
  const load: Load = {
    ctx,
    req,
    db: path.db,
    tableName: path.table,
    remoteIp,
    started: ctx.clock.now(),
    result: emptyResult(
      h.get('label') || crypto.randomUUID(),
      h.get('comment') ?? '',
      h.get('two_phase_commit') === 'true',
    ),
  }
  const reset = ctx.faults.beReset.take('be_stream_load', ctx.random)
  if (reset?.after === 'headers') return resetConnection()
  const creds = parseBasicAuth(h.get('authorization'))
  if (!creds) return fail(load, '[INTERNAL_ERROR]no valid Basic authorization')
  const header = checkHeaderStage(h, contentLength(h))
  if (!header.ok) return fail(load, header.message)
  const begun = begin(load, creds)
  if (!begun.ok) return begun.response
  const { txn, table } = begun
  const plan = readPlanStage(h, ctx.defaultTimezone)
  if (!plan.ok) return abort(load, txn, plan.message)
  const planError = checkPlan(table, plan.value)
  if (planError !== null) return abort(load, txn, planError)
  return await loadBody(
    load,
    txn,
    table,
    plan.value,
    reset?.after === 'body',
    reset?.after === 'commit',
  )
}

function emptyResult(label: string, comment: string, twoPhaseCommit: boolean): LoadResult {
  return {
    txnId: -1,
    label,
    comment,
    twoPhaseCommit,
    status: 'Fail',
    message: '',
    totalRows: 0,
    loadedRows: 0,
    filteredRows: 0,
    unselectedRows: 0,
    loadBytes: 0,
    loadTimeMs: 0,
    beginTxnTimeMs: 0,
    streamLoadPutTimeMs: 0,
    readDataTimeMs: 0,
    writeDataTimeMs: 0,
    commitAndPublishTimeMs: 0,
  }
}

function contentLength(h: Headers): number | null {
  const v = h.get('content-length')
  return v === null ? null : Number(v)
}

function respond(load: Load, patch: Partial<LoadResult>): Response {
  const result = { ...load.result, ...patch, loadTimeMs: load.ctx.clock.now() - load.started }
  load.ctx.log(
    `BE load ${load.db}.${load.tableName} label=${result.label} → ${result.status} ${result.message}`,
  )
  return loadResultResponse(result)
}

function fail(load: Load, message: string, patch: Partial<LoadResult> = {}): Response {
  return respond(load, { ...patch, status: 'Fail', message })
}

/** Fails a load whose txn began: the label is freed (ABORTED labels can be reused, §4.3). */
function abort(load: Load, txn: Txn, message: string, patch: Partial<LoadResult> = {}): Response {
  load.ctx.state.setTxnStatus(txn, 'ABORTED')
  return fail(load, message, { txnId: txn.id, ...patch })
}

type Begun = { ok: true; txn: Txn; table: Table } | { ok: false; response: Response }

/** FE loadTxnBegin: password, database, table, label format, running txns, label in use. */
function begin(load: Load, creds: Credentials): Begun {
  const { ctx, db, tableName } = load
  const label = load.result.label
  const refuse = (message: string): Begun => ({ ok: false, response: fail(load, message) })
  if (!checkPassword(ctx.users, creds))
    return refuse(
      `[ANALYSIS_ERROR]errCode = 2, detailMessage = ${accessDenied(creds, load.remoteIp)}`,
    )
  if (!ctx.state.store.hasDatabase(db))
    return refuse(`[ANALYSIS_ERROR]errCode = 7, detailMessage = unknown databases, dbName=${db}`)
  const table = ctx.state.store.find(db, tableName)
  if (!table)
    return refuse(
      `[ANALYSIS_ERROR]errCode = 7, detailMessage = unknown table, tableName=${tableName}`,
    )
  if (!LABEL_PATTERN.test(label)) {
    return refuse(
      `[ANALYSIS_ERROR]errCode = 2, detailMessage = Label format error. regex: ${LABEL_PATTERN.source}, label: ${label}`,
    )
  }
  if (ctx.faults.tooManyTxns.take('be_stream_load', ctx.random)) {
    return refuse(
      `[ANALYSIS_ERROR]errCode = 2, detailMessage = current running txns on db ${table.id - 1} is 1000, larger than limit 1000`,
    )
  }
  const begun = ctx.state.txns.begin(db, tableName, label)
  if (!begun.ok) return { ok: false, response: labelExists(load, begun.existing) }
  ctx.state.saveTxn(begun.txn)
  return { ok: true, txn: begun.txn, table }
}

function labelExists(load: Load, existing: Txn): Response {
  return respond(load, {
    status: 'Label Already Exists',
    existingJobStatus: existingJobStatus(existing),
    message: `[LABEL_ALREADY_EXISTS]errCode = 2, detailMessage = Label [${existing.label}] has already been used, relate to txn [${existing.id}]`,
  })
}

/** FE streamLoadPut: the `columns` and `partitions` headers must name what the table has. */
function checkPlan(table: Table, opts: LoadOptions): string | null {
  const names = opts.columns ?? []
  for (const name of names) {
    if (!table.columns.some((c) => c.name.toLowerCase() === name.toLowerCase())) {
      return `[ANALYSIS_ERROR]errCode = 2, detailMessage = Unknown column '${name}' in '${table.name}'`
    }
  }
  if (new Set(names.map((n) => n.toLowerCase())).size !== names.length) {
    return '[ANALYSIS_ERROR]errCode = 2, detailMessage = Duplicate column name in columns'
  }
  if (opts.columns !== null) {
    const missing = table.columns.find(
      (c) =>
        !c.nullable &&
        c.defaultText == null &&
        !names.some((n) => n.toLowerCase() === c.name.toLowerCase()),
    )
    if (missing)
      return `[ANALYSIS_ERROR]errCode = 2, detailMessage = Column has no default value. column: ${missing.name}`
  }
  const unknown = (opts.partitions ?? []).find((p) => !table.partitions.some((x) => x.name === p))
  if (unknown)
    return `[ANALYSIS_ERROR]errCode = 2, detailMessage = Unknown partition '${unknown}' in table '${table.name}'`
  return null
}

async function loadBody(
  load: Load,
  txn: Txn,
  table: Table,
  opts: LoadOptions,
  resetAfterBody: boolean,
  resetAfterCommit: boolean,
): Promise<Response> {
  const { ctx } = load
  const readStart = ctx.clock.now()
  const body = await readBody(load.req)
  const base = { txnId: txn.id, readDataTimeMs: ctx.clock.now() - readStart }
  if (!body.ok)
    return abort(load, txn, "[INTERNAL_ERROR]receive body don't equal with body bytes", {
      ...base,
      loadBytes: body.received,
    })
  if (resetAfterBody) {
    ctx.state.setTxnStatus(txn, 'ABORTED')
    return resetConnection()
  }
  const built = injectFiltered(ctx, buildLoadRows(table, opts, body.bytes))
  const counts = {
    ...base,
    loadBytes: body.bytes.byteLength,
    totalRows: built.loaded.length + built.filtered.length,
    loadedRows: built.loaded.length,
    filteredRows: built.filtered.length,
  }
  const errorURL =
    built.filtered.length > 0
      ? errorUrl(beUrl(ctx), ctx.state.errorLogs.add(built.filtered))
      : undefined
  const withUrl = errorURL === undefined ? counts : { ...counts, errorUrl: errorURL }
  if (built.filtered.length > opts.maxFilterRatio * counts.totalRows) {
    return abort(load, txn, '[DATA_QUALITY_ERROR]too many filtered rows', withUrl)
  }
  const slow = ctx.faults.beSlow.take('be_stream_load', ctx.random)
  if (slow) await ctx.clock.sleep(slow.delayMs)
  // A 2PC abort may have ended the txn while the body was read or the load was held.
  if (txn.status !== 'PREPARE')
    return fail(load, '[CANCELLED]cancelled: transaction was aborted', withUrl)
  txn.rows = built.loaded.length
  txn.bodyHash = createHash('sha256').update(body.bytes).digest('hex')
  const response = commit(load, txn, table, built, withUrl)
  return resetAfterCommit ? resetConnection() : response
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

function commit(
  load: Load,
  txn: Txn,
  table: Table,
  built: BuiltRows,
  counts: Partial<LoadResult>,
): Response {
  const { ctx } = load
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
