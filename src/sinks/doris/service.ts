/**
 * @module sinks/doris/service
 * Sends one built request through the shared HTTP service (sinks/http-service: keep-alive pool,
 * timeout, one resend on a stale connection, redaction, redirects never followed) and reads the
 * redirect's Location without the credentials the FE writes into it.
 */
import { createHttpService, type HttpServiceDeps, type HttpServiceOptions } from '../http-service'
import type { HttpRequest } from './request'

export type { FetchFn } from '../http-service'

export type HttpOutcome =
  | {
      readonly kind: 'answer'
      readonly status: number
      readonly body: string
      /** The `Location` of a redirect, null when absent. */
      readonly location: string | null
    }
  | { readonly kind: 'failure'; readonly message: string; readonly timedOut: boolean }

export interface DorisService {
  execute(request: HttpRequest, signal: AbortSignal): Promise<HttpOutcome>
  /** Closes the idle pooled connections. Idempotent. */
  close(): void
}

/** The shared service's dependencies and options, the peer's name aside. */
export type ServiceDeps = HttpServiceDeps
export type ServiceOptions = Omit<HttpServiceOptions, 'what'>

/** A resend on a stale connection (sinks/http-service) of a load that did land is a duplicate
 * label for Doris, never a second copy. */
export function createDorisService(opts: ServiceOptions, deps: ServiceDeps): DorisService {
  const http = createHttpService({ what: 'Doris request', ...opts }, deps)
  return {
    async execute(request, signal) {
      const r = await http.execute(request, signal)
      if (r.kind === 'failure') return r
      const location = withoutUserinfo(r.headers.get('location'))
      return { kind: 'answer', status: r.status, body: r.body, location }
    },
    close: () => http.close(),
  }
}

/** The FE writes `user@cluster:password` into a redirect's Location: it never leaves here. */
function withoutUserinfo(location: string | null): string | null {
  if (location === null || !URL.canParse(location)) return location
  const url = new URL(location)
  url.username = ''
  url.password = ''
  return url.toString()
}
