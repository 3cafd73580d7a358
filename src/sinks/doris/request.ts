/**
 * @module sinks/doris/request
 * Builds the HTTP requests the sink sends: the Stream Load PUT to an FE (no body: the FE never
 * reads it) and the same PUT with the body to the BE its 307 names, the schema, SQL and health
 * calls. Sends nothing itself; never lets a credential ride in a URL; the label is the batch's own.
 */
import type { TargetRef } from '../../schema/table-schema'
import type { SinkBatch } from '../sink'
import type { DorisSinkOptions } from './options'

export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT'
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body?: string | Uint8Array
}

/** A Stream Load's body and the headers that describe its format. */
export interface LoadBody {
  readonly body: Uint8Array
  readonly formatHeaders: Readonly<Record<string, string>>
}

/** Database and table names go into URL paths and SQL: letters, digits, underscore only. */
export const NAME_PATTERN = /^[A-Za-z0-9_]{1,64}$/

export function isValidName(name: string): boolean {
  return NAME_PATTERN.test(name)
}

export function streamLoadPath(target: TargetRef): string {
  return `/api/${target.database}/${target.table}/_stream_load`
}

/**
 * Every header of a load. The label is the batch's (a pure function of its offsets), so every
 * attempt of this batch, and a replay after a crash, carries the same one (SPEC §6).
 */
export function loadHeaders(
  opts: DorisSinkOptions,
  batch: Pick<SinkBatch, 'label'>,
  formatHeaders: Readonly<Record<string, string>>,
): Record<string, string> {
  return {
    Authorization: basicAuth(opts),
    // The FE refuses a load without it; it only checks that the header is there.
    Expect: '100-continue',
    'Content-Type': 'text/plain; charset=utf-8',
    label: batch.label,
    ...formatHeaders,
    // Rows arrive as wall-clock text already; the zone only matters to tz-aware functions.
    timezone: opts.timezone ?? 'UTC',
    // Any filtered row fails the load, and the batch writer's split isolates it (SPEC §6).
    max_filter_ratio: '0',
    timeout: String(Math.max(1, Math.ceil(opts.requestTimeoutMs / 1000))),
  }
}

/** The FE leg: the same PUT without a body, answered by a 307 to a BE. */
export function feLoadRequest(
  feUrl: string,
  target: TargetRef,
  headers: Readonly<Record<string, string>>,
): HttpRequest {
  return { method: 'PUT', url: join(feUrl, streamLoadPath(target)), headers }
}

/** The BE leg: the PUT with the body to where the FE pointed, under our own Basic auth. */
export function beLoadRequest(
  beUrl: string,
  headers: Readonly<Record<string, string>>,
  body: Uint8Array,
): HttpRequest {
  return { method: 'PUT', url: beUrl, headers, body }
}

/**
 * The BE URL of a 307's `Location`, resolved against the FE, without its userinfo: the FE puts
 * `user@cluster:password` there, which fetch refuses, and our Authorization header already says it.
 */
export function beUrlOf(location: string, feUrl: string): string {
  const url = new URL(location, feUrl)
  url.username = ''
  url.password = ''
  return url.toString()
}

export function schemaRequest(
  opts: DorisSinkOptions,
  feUrl: string,
  target: TargetRef,
): HttpRequest {
  const path = `/api/${target.database}/${target.table}/_schema`
  return { method: 'GET', url: join(feUrl, path), headers: { Authorization: basicAuth(opts) } }
}

/** One statement through the FE SQL API, answered unstreamed (reference §9). */
export function sqlRequest(
  opts: DorisSinkOptions,
  feUrl: string,
  database: string,
  stmt: string,
): HttpRequest {
  return {
    method: 'POST',
    url: join(feUrl, `/api/query/default_cluster/${database}`),
    headers: {
      Authorization: basicAuth(opts),
      'Content-Type': 'application/json',
      'X-Doris-Stream': 'false',
    },
    body: JSON.stringify({ stmt, is_sync: true, limit: 10_000 }),
  }
}

export function healthRequest(feUrl: string): HttpRequest {
  return { method: 'GET', url: join(feUrl, '/api/health'), headers: {} }
}

export function basicAuth(opts: Pick<DorisSinkOptions, 'user' | 'password'>): string {
  return `Basic ${Buffer.from(`${opts.user}:${opts.password}`, 'utf8').toString('base64')}`
}

/** The FE base URL (any path prefix kept, credentials dropped) joined with an API path. */
function join(base: string, path: string): string {
  const url = new URL(base)
  url.username = ''
  url.password = ''
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`
  url.search = ''
  return url.toString()
}
