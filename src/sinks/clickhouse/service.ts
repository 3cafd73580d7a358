/**
 * @module sinks/clickhouse/service
 * Sends one built request through the shared HTTP service (sinks/http-service: keep-alive pool,
 * timeout, one resend on a stale connection, redaction) and reads ClickHouse's exception code.
 */
import { createHttpService, type HttpServiceDeps, type HttpServiceOptions } from '../http-service'
import type { HttpRequest } from './request'

export type { FetchFn } from '../http-service'

export type HttpOutcome =
  | {
      readonly kind: 'answer'
      readonly status: number
      readonly body: string
      /** `X-ClickHouse-Exception-Code` (servers ≥ 20.1), null when absent. */
      readonly exceptionCode: string | null
    }
  | { readonly kind: 'failure'; readonly message: string; readonly timedOut: boolean }

/** Sends one statement (see request.ts buildQueryRequest) and returns the outcome. */
export type QueryFn = (sql: string, signal: AbortSignal) => Promise<HttpOutcome>

export interface ClickHouseService {
  execute(request: HttpRequest, signal: AbortSignal): Promise<HttpOutcome>
  /** Closes the idle pooled connections. Idempotent. */
  close(): void
}

/** The shared service's dependencies and options, the peer's name aside. */
export type ServiceDeps = HttpServiceDeps
export type ServiceOptions = Omit<HttpServiceOptions, 'what'>

export function createClickHouseService(
  opts: ServiceOptions,
  deps: ServiceDeps,
): ClickHouseService {
  const http = createHttpService({ what: 'ClickHouse request', ...opts }, deps)
  return {
    async execute(request, signal) {
      const r = await http.execute({ method: 'POST', ...request }, signal)
      if (r.kind === 'failure') return r
      const exceptionCode = r.headers.get('X-ClickHouse-Exception-Code')
      return { kind: 'answer', status: r.status, body: r.body, exceptionCode }
    },
    close: () => http.close(),
  }
}
