/**
 * @module tests/unit/support/doris-server/helpers
 * Shared pieces of the Doris test server's tests: a manual clock (no test sleeps), a server with
 * a demo table, and a client that does the FE→BE redirect dance by hand, as a sink must.
 */
import { afterEach } from 'bun:test'
import type { Clock } from '../../../../src/core/clock'
import {
  type DorisServer,
  type DorisServerOptions,
  startDorisServer,
} from '../../../support/doris-server'

/** A clock that moves only when told; `sleep` resolves once `advance` passes its deadline. */
export class ManualClock implements Clock {
  #now = 1_767_225_600_000
  #sleepers: { until: number; resolve: () => void }[] = []

  now(): number {
    return this.#now
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const sleeper = { until: this.#now + ms, resolve }
      this.#sleepers.push(sleeper)
      signal?.addEventListener('abort', () => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper)
        reject(signal.reason)
      })
    })
  }

  /** How many sleeps are waiting. */
  get sleeping(): number {
    return this.#sleepers.length
  }

  advance(ms: number): void {
    this.#now += ms
    const due = this.#sleepers.filter((s) => s.until <= this.#now)
    this.#sleepers = this.#sleepers.filter((s) => s.until > this.#now)
    for (const s of due) s.resolve()
  }
}

export const PASSWORD = 's3cret:with colon'

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
}

export const ROOT = basic('root', PASSWORD)

/** A server with user root, database `demo` and table `events` (id, name, amount, ts). */
/** A demoServer factory for one test file: every server it started is stopped after each test. */
export function demoServers(): (opts?: DorisServerOptions) => Promise<DorisServer> {
  const servers: DorisServer[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()))
  })
  return async (opts = {}) => {
    const s = await demoServer(opts)
    servers.push(s)
    return s
  }
}

export async function demoServer(opts: DorisServerOptions = {}): Promise<DorisServer> {
  const server = await startDorisServer({ users: { root: PASSWORD }, ...opts })
  server.createDatabase('demo')
  server.createTable('demo', 'events', [
    { name: 'id', type: 'BIGINT', nullable: false },
    { name: 'name', type: 'VARCHAR(8)' },
    { name: 'amount', type: 'DECIMAL(10,2)' },
    { name: 'ts', type: 'DATETIME(3)' },
  ])
  return server
}

export interface LoadCall {
  readonly db?: string
  readonly table?: string
  readonly body: string
  readonly headers?: Record<string, string>
  readonly auth?: string
}

/** The BE URL the FE redirects to, without its userinfo (WHATWG fetch refuses credentials). */
export async function redirectTarget(
  server: DorisServer,
  path: string,
  headers: Record<string, string>,
): Promise<string> {
  const fe = await fetch(`${server.feUrl}${path}`, { method: 'PUT', redirect: 'manual', headers })
  if (fe.status !== 307) throw new Error(`FE answered ${fe.status}: ${await fe.text()}`)
  const location = new URL(fe.headers.get('location') ?? '')
  return `${location.protocol}//${location.host}${location.pathname}${location.search}`
}

/** One Stream Load through the FE, as a sink sends it; returns the BE's parsed result. */
export async function streamLoad(
  server: DorisServer,
  call: LoadCall,
): Promise<Record<string, unknown>> {
  const path = `/api/${call.db ?? 'demo'}/${call.table ?? 'events'}/_stream_load`
  const headers = {
    Authorization: call.auth ?? ROOT,
    Expect: '100-continue',
    format: 'json',
    read_json_by_line: 'true',
    ...call.headers,
  }
  const target = await redirectTarget(server, path, headers)
  const be = await fetch(target, { method: 'PUT', headers, body: call.body })
  if (be.status !== 200) throw new Error(`BE answered ${be.status}`)
  return (await be.json()) as Record<string, unknown>
}

/** A load sent straight to the BE (Doris allows it; the BE is then the coordinator). */
export async function beLoad(server: DorisServer, call: LoadCall): Promise<Response> {
  const path = `/api/${call.db ?? 'demo'}/${call.table ?? 'events'}/_stream_load`
  const headers = {
    Authorization: call.auth ?? ROOT,
    format: 'json',
    read_json_by_line: 'true',
    ...call.headers,
  }
  return await fetch(`${server.beUrl}${path}`, { method: 'PUT', headers, body: call.body })
}

/** One statement through the FE SQL API; returns the parsed envelope. */
export async function sql(
  server: DorisServer,
  stmt: string,
  opts: { db?: string; headers?: Record<string, string> } = {},
): Promise<Record<string, unknown>> {
  const res = await fetch(`${server.feUrl}/api/query/default_cluster/${opts.db ?? 'demo'}`, {
    method: 'POST',
    headers: { Authorization: ROOT, 'Content-Type': 'application/json', ...opts.headers },
    body: JSON.stringify({ stmt }),
  })
  return (await res.json()) as Record<string, unknown>
}

export function lines(...rows: unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n')
}
