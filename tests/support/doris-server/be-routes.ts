/**
 * @module tests/support/doris-server/be-routes
 * The BE port: Stream Load, 2PC commit/abort, health and the error log behind each ErrorURL
 * (reference §3-§6, §10). Never redirects and never answers in the FE's envelope shapes.
 */
import type { ServerContext } from './context'
import { BE_KINDS } from './faults'
import type { Route, RouteCall, Side } from './router'
import { handleStreamLoad } from './stream-load'
import { handleTwoPhase } from './two-phase'

function streamLoad(call: RouteCall): Promise<Response> {
  const [db, table] = call.params as [string, string]
  return handleStreamLoad(call.ctx, call.req, { db, table }, call.remoteIp)
}

function health(): Response {
  return new Response(JSON.stringify({ status: 'OK', msg: 'To Be Added' }), {
    headers: { 'Content-Type': 'application/json' },
  })
}

function errorLog(call: RouteCall): Response {
  const text = call.ctx.state.errorLogs.get(call.url.searchParams.get('file') ?? '')
  if (text === undefined) return new Response('Not Found\n', { status: 404 })
  return new Response(text, { headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
}

const SEG = '([^/]+)'

export const BE_ROUTES: readonly Route[] = [
  { method: 'GET', path: /^\/api\/health$/, kind: 'be_health', handle: health },
  { method: 'GET', path: /^\/api\/_load_error_log$/, kind: 'error_log', handle: errorLog },
  {
    method: 'PUT',
    path: new RegExp(`^/api/${SEG}/${SEG}/_stream_load$`),
    kind: 'be_stream_load',
    handle: streamLoad,
  },
  {
    method: 'PUT',
    path: new RegExp(`^/api/${SEG}/_stream_load_2pc$`),
    kind: 'be_2pc',
    handle: handleTwoPhase,
  },
  {
    method: 'PUT',
    path: new RegExp(`^/api/${SEG}/[^/]+/_stream_load_2pc$`),
    kind: 'be_2pc',
    handle: handleTwoPhase,
  },
]

/** Stream Load handles its own resets (before or after the body, or after commit). */
export function beSide(ctx: ServerContext): Side {
  return {
    unknownKind: 'be_unknown',
    error: ctx.faults.beError,
    reset: ctx.faults.beReset,
    resetKinds: BE_KINDS.filter((k) => k !== 'be_stream_load'),
    slow: null,
  }
}
