/**
 * @module sinks/http-service
 * Sends one HTTP request with Bun's fetch over a sink's own keep-alive pool and returns what
 * happened as a value: the answer (status, body, headers) or a failure. Shared by both sinks.
 * Never waits past the request timeout or the caller's signal, never throws for a network error,
 * never follows a redirect, and never puts the credential it is given into what it returns.
 */
import type { Clock } from '../core/clock'
import { TimeoutError } from '../errors'

export type FetchFn = (url: string, init: BunFetchRequestInit) => Promise<Response>

export interface HttpCall {
  readonly method: 'GET' | 'POST' | 'PUT'
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body?: string | Uint8Array | undefined
}

export type HttpResult =
  | {
      readonly kind: 'answer'
      readonly status: number
      readonly body: string
      readonly headers: Headers
    }
  | { readonly kind: 'failure'; readonly message: string; readonly timedOut: boolean }

export interface HttpService {
  execute(call: HttpCall, signal: AbortSignal): Promise<HttpResult>
  /** Closes the idle pooled connections. Idempotent. */
  close(): void
}

export interface HttpServiceOptions {
  /** Names the peer in timeout messages ("ClickHouse request"). */
  readonly what: string
  readonly requestTimeoutMs: number
  /** Replaced by `**REDACTED**` wherever it appears in an answer or an error message. */
  readonly secret: string
}

export interface HttpServiceDeps {
  readonly clock: Clock
  /** Defaults to a private Bun.FetchSession, so no other client shares our connections. */
  readonly fetch?: FetchFn | undefined
}

export function createHttpService(opts: HttpServiceOptions, deps: HttpServiceDeps): HttpService {
  const session = deps.fetch ? undefined : new Bun.FetchSession()
  const fetchFn: FetchFn =
    deps.fetch ?? ((url, init) => (session as Bun.FetchSession).fetch(url, init))
  const ctx = { fetchFn, clock: deps.clock, timeoutMs: opts.requestTimeoutMs, what: opts.what }
  const attempt = async (call: HttpCall, signal: AbortSignal, fresh: boolean) =>
    redact(await sendOnce(ctx, call, signal, fresh), opts.secret)
  return {
    async execute(call, signal) {
      const first = await attempt(call, signal, false)
      // A server closes idle keep-alive connections (3 s on ClickHouse 18.16); a request that
      // raced that close fails without an answer. Bun cannot tell whether the socket was reused,
      // so a failure that is neither our timeout nor the caller's abort is sent once more, at
      // once, on a new connection. A second failure is a real one.
      if (first.kind === 'failure' && !first.timedOut && !signal.aborted) {
        return attempt(call, signal, true)
      }
      return first
    },
    close() {
      session?.close()
    },
  }
}

interface SendContext {
  readonly fetchFn: FetchFn
  readonly clock: Clock
  readonly timeoutMs: number
  readonly what: string
}

async function sendOnce(
  ctx: SendContext,
  call: HttpCall,
  signal: AbortSignal,
  fresh: boolean,
): Promise<HttpResult> {
  const controller = new AbortController()
  const stopTimer = new AbortController()
  let timedOut = false
  const onAbort = () => controller.abort(signal.reason)
  if (signal.aborted) controller.abort(signal.reason)
  else signal.addEventListener('abort', onAbort, { once: true })
  void ctx.clock.sleep(ctx.timeoutMs, stopTimer.signal).then(
    () => {
      timedOut = true
      controller.abort(new TimeoutError(ctx.what, ctx.timeoutMs))
    },
    () => {},
  )
  try {
    const init: BunFetchRequestInit = {
      method: call.method,
      headers: call.headers,
      redirect: 'manual',
      signal: controller.signal,
    }
    if (call.body !== undefined) init.body = call.body
    if (fresh) init.keepalive = false
    const res = await ctx.fetchFn(call.url, init)
    const body = await res.text()
    return { kind: 'answer', status: res.status, body, headers: res.headers }
  } catch (error) {
    return {
      kind: 'failure',
      message: describeError(timedOut ? controller.signal.reason : error),
      timedOut,
    }
  } finally {
    stopTimer.abort()
    signal.removeEventListener('abort', onAbort)
  }
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' && !error.message.includes(code)
    ? `${code}: ${error.message}`
    : error.message
}

function redact(result: HttpResult, secret: string): HttpResult {
  if (secret === '') return result
  const hide = (text: string) => text.replaceAll(secret, '**REDACTED**')
  return result.kind === 'answer'
    ? { ...result, body: hide(result.body) }
    : { ...result, message: hide(result.message) }
}
