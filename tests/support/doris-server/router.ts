/**
 * @module tests/support/doris-server/router
 * Matches a request to its route, counts it by kind, applies the generic faults (5xx, reset, delay)
 * and calls the handler; 404/405 otherwise (reference §4.2, bodies unconfirmed). Never counts a
 * request twice.
 */
import type { ServerContext } from './context'
import type { RequestKind } from './faults'
import { resetConnection } from './http-io'
import { jsonResponse, serverError } from './responses'

export interface RouteCall {
  readonly ctx: ServerContext
  readonly req: Request
  readonly url: URL
  /** The path's capture groups, URL-decoded. */
  readonly params: readonly string[]
  readonly remoteIp: string
}

export interface Route {
  readonly method: string
  readonly path: RegExp
  /** The request's kind; a function when only the body tells (SQL: DDL or query). */
  readonly kind: RequestKind | ((call: RouteCall) => Promise<RequestKind>)
  readonly handle: (call: RouteCall) => Response | Promise<Response>
}

/** The deciding half of a FaultSwitch. */
interface Decider<P> {
  take(kind: RequestKind, random: () => number): P | null
}

export interface Side {
  readonly unknownKind: RequestKind
  readonly error: Decider<{ status: number }>
  /** Applied here for every kind in `resetKinds`; other kinds handle their own resets. */
  readonly reset: Decider<object>
  readonly resetKinds: readonly RequestKind[]
  readonly slow: Decider<{ delayMs: number }> | null
}

export async function dispatch(
  side: Side,
  routes: readonly Route[],
  ctx: ServerContext,
  req: Request,
  remoteIp: string,
): Promise<Response> {
  const url = new URL(req.url)
  const matches = routes
    .map((r) => ({ r, m: r.path.exec(url.pathname) }))
    .filter((x) => x.m !== null)
  const found = matches.find((x) => x.r.method === req.method)
  if (!found) {
    ctx.counts[side.unknownKind]++
    return frameworkError(ctx, url, matches.length > 0 ? 405 : 404)
  }
  const call: RouteCall = {
    ctx,
    req,
    url,
    remoteIp,
    params: found.m!.slice(1).map((p) => decodeURIComponent(p)),
  }
  const kind = typeof found.r.kind === 'function' ? await found.r.kind(call) : found.r.kind
  ctx.counts[kind]++
  const error = side.error.take(kind, ctx.random)
  if (error) return serverError(error.status)
  if (side.resetKinds.includes(kind) && side.reset.take(kind, ctx.random)) return resetConnection()
  const slow = side.slow?.take(kind, ctx.random)
  if (slow) await ctx.clock.sleep(slow.delayMs)
  return await found.r.handle(call)
}

/** Spring Boot's default error body. */
function frameworkError(ctx: ServerContext, url: URL, status: 404 | 405): Response {
  const error = status === 404 ? 'Not Found' : 'Method Not Allowed'
  const timestamp = new Date(ctx.clock.now()).toISOString()
  return jsonResponse({ timestamp, status, error, path: url.pathname }, status)
}
