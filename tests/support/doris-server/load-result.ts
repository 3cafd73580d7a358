/**
 * @module tests/support/doris-server/load-result
 * One Stream Load in flight and how it is answered: the result starts as a Fail with TxnId -1
 * and is completed by whichever stage ends the load. A failed load's txn is aborted, so its label
 * is free again (reference §4.3); nothing here stores rows.
 */
import type { ServerContext } from './context'
import { type LoadResult, loadResultResponse } from './responses'
import { existingJobStatus, type Txn } from './txns'

export interface Load {
  readonly ctx: ServerContext
  readonly req: Request
  readonly db: string
  readonly tableName: string
  readonly remoteIp: string
  readonly started: number
  readonly result: LoadResult
}

export function newLoad(
  ctx: ServerContext,
  req: Request,
  path: { db: string; table: string },
  remoteIp: string,
): Load {
  const h = req.headers
  return {
    ctx,
    req,
    db: path.db,
    tableName: path.table,
    remoteIp,
    started: ctx.clock.now(),
    result: {
      txnId: -1,
      label: h.get('label') || crypto.randomUUID(),
      comment: h.get('comment') ?? '',
      twoPhaseCommit: h.get('two_phase_commit') === 'true',
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
    },
  }
}

export function respond(load: Load, patch: Partial<LoadResult>): Response {
  const result = { ...load.result, ...patch, loadTimeMs: load.ctx.clock.now() - load.started }
  load.ctx.log(
    `BE load ${load.db}.${load.tableName} label=${result.label} → ${result.status} ${result.message}`,
  )
  return loadResultResponse(result)
}

export function fail(load: Load, message: string, patch: Partial<LoadResult> = {}): Response {
  return respond(load, { ...patch, status: 'Fail', message })
}

/** Fails a load whose txn began; the txn is aborted unless it already ended. */
export function abort(
  load: Load,
  txn: Txn,
  message: string,
  patch: Partial<LoadResult> = {},
): Response {
  if (txn.status === 'PREPARE') load.ctx.state.setTxnStatus(txn, 'ABORTED')
  return fail(load, message, { txnId: txn.id, ...patch })
}

/** The answer to a label in use: TxnId -1, counters 0, the existing job's status. */
export function labelExists(load: Load, existing: Txn): Response {
  return respond(load, {
    status: 'Label Already Exists',
    existingJobStatus: existingJobStatus(existing),
    message: `[LABEL_ALREADY_EXISTS]errCode = 2, detailMessage = Label [${existing.label}] has already been used, relate to txn [${existing.id}]`,
  })
}
