/**
 * @module tests/support/doris-server/fe-auth
 * The FE's password check for its REST routes: a refusal is the `code:401` envelope with HTTP 200
 * (protocol reference §2), `Need auth information.` when no usable Basic header came.
 */
import { accessDenied, type Credentials, checkPassword, parseBasicAuth } from './auth'
import { feUnauthorized } from './responses'
import type { RouteCall } from './router'

export type FeAuth = { ok: true; creds: Credentials } | { ok: false; response: Response }

export function feAuth(call: RouteCall): FeAuth {
  const creds = parseBasicAuth(call.req.headers.get('authorization'))
  if (!creds) return { ok: false, response: feUnauthorized('Need auth information.') }
  if (!checkPassword(call.ctx.users, creds)) {
    return { ok: false, response: feUnauthorized(accessDenied(creds, call.remoteIp)) }
  }
  return { ok: true, creds }
}
