/**
 * @module tests/support/doris-server
 * A protocol-faithful Apache Doris stand-in for tests and the demo: an FE port (307 redirects,
 * schema and SQL APIs) and a BE port (Stream Load, 2PC), on loopback, to the letter of
 * /work/shared/protocols/doris-stream-load.md. Never reaches out to any other host.
 */
import { type Clock, systemClock } from '../../../src/core/clock'
import { BE_ROUTES, beSide } from './be-routes'
import type { ServerContext } from './context'
import { createFaultSwitches, emptyCounts, type FaultSwitches, type RequestCounts } from './faults'
import { FE_ROUTES, feSide } from './fe-routes'
import { dispatch, type Route, type Side } from './router'
import { DorisState } from './state'
import type { ColumnInput, PartitionInput } from './table-store'
import type { TxnStatus } from './txns'

export type { FaultPlan, FaultSwitch, FaultSwitches, RequestKind } from './faults'
export type { ColumnInput, PartitionInput } from './table-store'

export interface DorisServerOptions {
  /** 0 or absent: a free port. */
  readonly fePort?: number
  readonly bePort?: number
  /** User → password. Default `{ root: '' }`. */
  readonly users?: Record<string, string>
  readonly log?: (line: string) => void
  /** Label expiry, precommit timeout, LoadTimeMs and injected delays read this clock. */
  readonly clock?: Clock
  /** Decides probabilistic faults (default Math.random). */
  readonly random?: () => number
  /** Journal directory: state survives a restart (the standalone script's `--data`). */
  readonly dataDir?: string
  /** Zone for loads without a `timezone` header (default Asia/Shanghai, the docs' GMT+8). */
  readonly timezone?: string
  /** `streaming_label_keep_max_second` in ms (default 12 h). */
  readonly labelKeepMs?: number
  /** `stream_load_default_precommit_timeout_second` in ms (default 1 h). */
  readonly precommitTimeoutMs?: number
  /** `label_num_threshold` (default 2000; -1 = keep by time only). */
  readonly labelNumThreshold?: number
}

export interface TableOptions {
  readonly partitions?: readonly PartitionInput[]
  readonly partitionColumn?: string
  readonly uniqueKey?: readonly string[]
}

export interface LabelInfo {
  readonly status: TxnStatus
  readonly rows: number
  readonly bodyHash: string
}

export interface DorisServer {
  readonly feUrl: string
  readonly beUrl: string
  /** Idempotent. */
  createDatabase(db: string): void
  createTable(db: string, table: string, columns: readonly ColumnInput[], opts?: TableOptions): void
  /** Exactly what landed and is visible, in load order. */
  rows(db: string, table: string): Array<Record<string, unknown>>
  labels(db: string): Map<string, LabelInfo>
  /** Every SQL statement that reached the SQL API's engine, in order. */
  statements(): string[]
  /** Requests received so far, by kind. */
  counts(): Readonly<RequestCounts>
  resetCounts(): void
  readonly faults: FaultSwitches
  /** Idempotent. */
  stop(): Promise<void>
}

const HOST = '127.0.0.1'
const MAX_BODY_BYTES = 1024 * 1024 * 1024

export async function startDorisServer(opts: DorisServerOptions = {}): Promise<DorisServer> {
  const clock = opts.clock ?? systemClock
  const ctx: ServerContext = {
    clock,
    random: opts.random ?? Math.random,
    log: opts.log ?? (() => {}),
    users: opts.users ?? { root: '' },
    state: new DorisState(
      clock,
      {
        labelKeepMs: opts.labelKeepMs ?? 43_200_000,
        precommitTimeoutMs: opts.precommitTimeoutMs ?? 3_600_000,
        labelNumThreshold: opts.labelNumThreshold ?? 2000,
      },
      opts.dataDir ?? null,
    ),
    faults: createFaultSwitches(),
    counts: emptyCounts(),
    defaultTimezone: opts.timezone ?? 'Asia/Shanghai',
    beHost: HOST,
    bePort: 0,
  }
  const be = listen(opts.bePort ?? 0, beSide(ctx), BE_ROUTES, ctx)
  ctx.bePort = be.port ?? 0
  const fe = listen(opts.fePort ?? 0, feSide(ctx), FE_ROUTES, ctx)
  let stopped: Promise<void> | null = null
  return {
    feUrl: `http://${HOST}:${fe.port}`,
    beUrl: `http://${HOST}:${be.port}`,
    createDatabase: (db) => ctx.state.createDatabase(db),
    createTable: (db, table, columns, t = {}) =>
      ctx.state.createTable(db, table, { ...t, columns }),
    rows: (db, table) => ctx.state.store.get(db, table).rows.map((r) => structuredClone(r.values)),
    labels: (db) => labelInfos(ctx, db),
    statements: () => [...ctx.state.statements],
    counts: () => ({ ...ctx.counts }),
    resetCounts: () => Object.assign(ctx.counts, emptyCounts()),
    faults: ctx.faults,
    stop: () => {
      stopped ??= Promise.all([fe.stop(true), be.stop(true)]).then(() => {})
      return stopped
    },
  }
}

function listen(port: number, side: Side, routes: readonly Route[], ctx: ServerContext) {
  return Bun.serve({
    hostname: HOST,
    port,
    maxRequestBodySize: MAX_BODY_BYTES,
    // Injected delays may outlast Bun's 10 s idle default; a real Doris keeps the socket open.
    idleTimeout: 0,
    fetch: (req, server) =>
      dispatch(side, routes, ctx, req, server.requestIP(req)?.address ?? HOST),
    error: (err) => {
      ctx.log(`doris test server bug: ${err.stack ?? err.message}`)
      return new Response(`internal error in the Doris test server: ${err.message}\n`, {
        status: 500,
      })
    },
  })
}

function labelInfos(ctx: ServerContext, db: string): Map<string, LabelInfo> {
  const out = new Map<string, LabelInfo>()
  for (const [label, t] of ctx.state.txns.labels(db)) {
    out.set(label, { status: t.status, rows: t.rows, bodyHash: t.bodyHash })
  }
  return out
}
