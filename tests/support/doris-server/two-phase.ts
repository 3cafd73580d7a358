/**
 * @module tests/support/doris-server/two-phase
 * `PUT /api/{db}/_stream_load_2pc` on a BE (reference §6): commit or abort a PRECOMMITTED txn by
 * `txn_id` or `label`, answered HTTP 200 `{"status","msg"}`. Never commits a txn twice.
 */
import { accessDenied, checkPassword, parseBasicAuth } from './auth'
import { twoPhaseResponse } from './responses'
import type { RouteCall } from './router'
import type { Txn } from './txns'

export function handleTwoPhase(call: RouteCall): Response {
  const { ctx, req } = call
  const db = call.params[0] ?? ''
  const h = req.headers
  const txnIdText = h.get('txn_id')
  const label = h.get('label')
  if (txnIdText !== null && !/^\d+$/.test(txnIdText.trim())) {
    return twoPhaseResponse('INTERNAL_ERROR', `convert txn_id [${txnIdText}] failed`)
  }
  const op = h.get('txn_operation') ?? ''
  if (op !== 'commit' && op !== 'abort') {
    return twoPhaseResponse('INTERNAL_ERROR', "transaction operation should be 'commit' or 'abort'")
  }
  const creds = parseBasicAuth(h.get('authorization'))
  if (!creds) return twoPhaseResponse('INTERNAL_ERROR', 'no valid Basic authorization')
  if (!checkPassword(ctx.users, creds)) {
    return twoPhaseResponse(
      'ANALYSIS_ERROR',
      `errCode = 2, detailMessage = ${accessDenied(creds, call.remoteIp)}`,
    )
  }
  ctx.state.txns.sweep()
  const subject =
    txnIdText !== null ? `transaction [${txnIdText.trim()}]` : `label [${label ?? ''}]`
  const txn =
    txnIdText !== null
      ? ctx.state.txns.findById(Number(txnIdText))
      : ctx.state.txns.find(db, label ?? '')
  if (!txn || txn.db !== db)
    return twoPhaseResponse('ANALYSIS_ERROR', `errCode = 2, detailMessage = ${subject} not found`)
  const refused = op === 'commit' ? commit(call, txn) : abort(call, txn)
  if (refused !== null)
    return twoPhaseResponse('ANALYSIS_ERROR', `errCode = 2, detailMessage = ${refused}`)
  ctx.log(`BE 2pc ${op} txn ${txn.id} (${txn.label})`)
  return twoPhaseResponse('Success', `${subject} ${op} successfully.`)
}

/** Makes a precommitted txn's rows visible; returns the refusal text otherwise. */
function commit(call: RouteCall, txn: Txn): string | null {
  const { state } = call.ctx
  if (txn.status === 'VISIBLE' || txn.status === 'COMMITTED') {
    return `transaction [${txn.id}] is already visible, not pre-committed.`
  }
  if (txn.status === 'ABORTED')
    return `transaction [${txn.id}] is already aborted. abort reason: user abort`
  if (txn.status !== 'PRECOMMITTED') return `transaction [${txn.id}] is prepare, not pre-committed.`
  const table = state.store.find(txn.db, txn.table)
  if (!table) return `unknown table, tableName=${txn.table}`
  state.commitRows(table, txn, txn.pending, 'VISIBLE')
  return null
}

function abort(call: RouteCall, txn: Txn): string | null {
  if (txn.status === 'VISIBLE' || txn.status === 'COMMITTED') {
    return `transaction [${txn.id}] is already ${txn.status}, could not abort.`
  }
  if (txn.status === 'ABORTED')
    return `transaction [${txn.id}] is already aborted. abort reason: user abort`
  call.ctx.state.setTxnStatus(txn, 'ABORTED')
  return null
}
