/**
 * @module tests/support/doris-server/fe-auth
 * The FE's password check for its REST routes (reference §2): a refusal is the `code:401` envelope
 * under HTTP 200. Never answers HTTP 401 and never echoes the password.
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
