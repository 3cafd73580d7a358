/**
 * @module config/server
 * The `server:` section (SPEC §3, §7): the HTTP listen address and the debug token. The token is
 * a Secret and must never be served or logged.
 */

import * as v from 'valibot'
import { HostPortSchema, mapping, SecretSchema } from './fragments'

export const ServerSchema = mapping({
  listen: v.optional(
    v.pipe(HostPortSchema, v.description('HTTP listen address, host:port')),
    '127.0.0.1:9090',
  ),
  debug_token: v.optional(
    v.pipe(SecretSchema, v.description('if set, /debug/* requires it as a bearer token')),
    '',
  ),
})

export type ServerConfig = v.InferOutput<typeof ServerSchema>
