/**
 * @module tests/support/doris-server/fe-routes
 * The FE port: Stream Load and 2PC answered with a 307 to the BE (never reading the body), the
 * schema and SQL APIs, health and load state. Refusals use the FE's shapes (reference §2, §4.2).
 */
import { redirectUserinfo } from './auth'
import type { ServerContext } from './context'
import { FE_KINDS } from './faults'
import { feAuth } from './fe-auth'
import { feBadRequest, feError, feOk, restBaseResult } from './responses'
import type { Route, RouteCall, Side } from './router'
import { handleSchema } from './schema-api'
import { handleSql, sqlKind } from './sql-api'

/** LoadAction.executeWithoutPassword: password, then the `Expect` header, then the 307. */
function streamLoadRedirect(call: RouteCall): Response {
  const auth = feAuth(call)
  if (!auth.ok) return auth.response
  if (call.req.headers.get('expect') === null)
    return restBaseResult('There is no 100-continue header')
  return redirect(call, redirectUserinfo(auth.creds))
}

function twoPhaseRedirect(call: RouteCall): Response {
  const auth = feAuth(call)
  if (!auth.ok) return auth.response
  const h = call.req.headers
  if (!h.get('txn_id') && !h.get('label'))
    return restBaseResult('No transaction id or label selected.')
  if (!h.get('txn_operation')) {
    return restBaseResult("No transaction operation('commit' or 'abort') selected.")
  }
  return redirect(call, redirectUserinfo(auth.creds))
}

/** `http://user@default_cluster:password@be:port/path?query` — ends in `?` even with no query. */
function redirect(call: RouteCall, userinfo: string): Response {
  const { ctx, url } = call
  const location = `http://${userinfo}@${ctx.beHost}:${ctx.bePort}${url.pathname}?${url.search.slice(1)}`
  ctx.log(`FE 307 ${url.pathname} → BE ${ctx.beHost}:${ctx.bePort}`)
  return new Response(null, {
    status: 307,
    headers: { Location: location, 'Content-Type': 'text/html;charset=utf-8' },
  })
}

function health(): Response {
  return feOk({ online_backend_num: 1, total_backend_num: 1 })
}

function loadState(call: RouteCall): Response {
  const auth = feAuth(call)
  if (!auth.ok) return auth.response
  const db = call.params[0] ?? ''
  const label = call.url.searchParams.get('label')
  if (!label) return feBadRequest('No label selected')
  if (!call.ctx.state.store.hasDatabase(db))
    return feError(`errCode = 2, detailMessage = Unknown database '${db}'`)
  call.ctx.state.txns.sweep()
  return feOk(call.ctx.state.txns.find(db, label)?.status ?? 'UNKNOWN')
}

const SEG = '([^/]+)'

export const FE_ROUTES: readonly Route[] = [
  { method: 'GET', path: /^\/api\/health$/, kind: 'fe_health', handle: health },
  {
    method: 'POST',
    path: new RegExp(`^/api/query/${SEG}/${SEG}$`),
    kind: sqlKind,
    handle: handleSql,
  },
  {
    method: 'PUT',
    path: new RegExp(`^/api/${SEG}/${SEG}/_stream_load$`),
    kind: 'fe_stream_load',
    handle: streamLoadRedirect,
  },
  {
    method: 'PUT',
    path: new RegExp(`^/api/${SEG}/_stream_load_2pc$`),
    kind: 'fe_2pc',
    handle: twoPhaseRedirect,
  },
  {
    method: 'PUT',
    path: new RegExp(`^/api/${SEG}/${SEG}/_stream_load_2pc$`),
    kind: 'fe_2pc',
    handle: twoPhaseRedirect,
  },
  {
    method: 'GET',
    path: new RegExp(`^/api/${SEG}/${SEG}/_schema$`),
    kind: 'schema',
    handle: handleSchema,
  },
  {
    method: 'GET',
    path: new RegExp(`^/api/[^/]+/${SEG}/${SEG}/_schema$`),
    kind: 'schema',
    handle: handleSchema,
  },
  {
    method: 'GET',
    path: new RegExp(`^/api/${SEG}/get_load_state$`),
    kind: 'load_state',
    handle: loadState,
  },
]

export function feSide(ctx: ServerContext): Side {
  return {
    unknownKind: 'fe_unknown',
    error: ctx.faults.feError,
    reset: ctx.faults.feReset,
    resetKinds: FE_KINDS,
    slow: ctx.faults.feSlow,
  }
}
