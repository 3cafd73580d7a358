/**
 * @module sinks/doris/service
 * Sends one built request with Bun's fetch over the sink's own keep-alive pool, redirects never
 * followed, and returns what happened as a value. Never waits past the request timeout or the
 * caller's signal, never throws for a network error, never puts a credential into what it returns.
 */
import type { Clock } from '../../core/clock'
import { TimeoutError } from '../../errors'
import type { HttpRequest } from './request'

export type FetchFn = (url: string, init: BunFetchRequestInit) => Promise<Response>

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

export interface ServiceDeps {
  readonly clock: Clock
  /** Defaults to a private Bun.FetchSession, so no other client shares our connections. */
  readonly fetch?: FetchFn
}

export interface ServiceOptions {
  readonly requestTimeoutMs: number
  /** Replaced by `**REDACTED**` wherever it appears in an answer or an error message. */
  readonly secret: string
}

export function createDorisService(opts: ServiceOptions, deps: ServiceDeps): DorisService {
  const session = deps.fetch ? undefined : new Bun.FetchSession()
  const fetchFn: FetchFn =
    deps.fetch ?? ((url, init) => (session as Bun.FetchSession).fetch(url, init))
  const ctx = { fetchFn, clock: deps.clock, timeoutMs: opts.requestTimeoutMs }
  const attempt = async (request: HttpRequest, signal: AbortSignal, fresh: boolean) =>
    redact(await sendOnce(ctx, request, signal, fresh), opts.secret)
  return {
    async execute(request, signal) {
      const first = await attempt(request, signal, false)
      // A request that raced the server closing an idle keep-alive connection fails without an
      // answer, and Bun cannot say whether the socket was reused: any failure that is neither
      // our timeout nor the caller's abort is sent once more, at once, on a new connection. The
      // label makes a resend of a load that did land a duplicate, never a second copy.
      if (first.kind === 'failure' && !first.timedOut && !signal.aborted) {
        return attempt(request, signal, true)
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
}

async function sendOnce(
  ctx: SendContext,
  request: HttpRequest,
  signal: AbortSignal,
  fresh: boolean,
): Promise<HttpOutcome> {
  const controller = new AbortController()
  const stopTimer = new AbortController()
  let timedOut = false
  const onAbort = () => controller.abort(signal.reason)
  if (signal.aborted) controller.abort(signal.reason)
  else signal.addEventListener('abort', onAbort, { once: true })
  void ctx.clock.sleep(ctx.timeoutMs, stopTimer.signal).then(
    () => {
      timedOut = true
      controller.abort(new TimeoutError('Doris request', ctx.timeoutMs))
    },
    () => {},
  )
  try {
    const init: BunFetchRequestInit = {
      method: request.method,
      headers: request.headers,
      redirect: 'manual',
      signal: controller.signal,
    }
    if (request.body !== undefined) init.body = request.body
    if (fresh) init.keepalive = false
    const res = await ctx.fetchFn(request.url, init)
    const body = await res.text()
    const location = withoutUserinfo(res.headers.get('location'))
    return { kind: 'answer', status: res.status, body, location }
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

/** The FE writes `user@cluster:password` into a redirect's Location: it never leaves here. */
function withoutUserinfo(location: string | null): string | null {
  if (location === null || !URL.canParse(location)) return location
  const url = new URL(location)
  url.username = ''
  url.password = ''
  return url.toString()
}

/** The FE copies the password into the redirect's userinfo: it is hidden there too. */
function redact(outcome: HttpOutcome, secret: string): HttpOutcome {
  if (secret === '') return outcome
  const hide = (text: string) => text.replaceAll(secret, '**REDACTED**')
  return outcome.kind === 'answer'
    ? { ...outcome, body: hide(outcome.body) }
    : { ...outcome, message: hide(outcome.message) }
}
