/**
 * @module sinks/doris
 * Wiring only: joins options, the FE pool, the HTTP service, Stream Load, classification, schema,
 * probe and DDL into one Sink. One `send` is one attempt with the batch's own label; retries and
 * splitting live in delivery/.
 */
import type { Clock } from '../../core/clock'
import type { NewColumn } from '../../schema/dynamic-column'
import type { ColumnDef, TargetRef } from '../../schema/table-schema'
import type { Check, Sink, SinkBatch, Verdict } from '../sink'
import { addColumnSql, runDdl } from './ddl'
import { FePool } from './fe-pool'
import { probeDoris } from './health'
import type { DorisSinkOptions } from './options'
import { whyOf } from './retry'
import { describeTable } from './schema'
import { createDorisService, type FetchFn } from './service'
import { sendStreamLoad } from './stream-load'

export interface DorisSink extends Sink {
  /** Sends one statement: ok, duplicate (already exists), retry, or reject (a wrong statement). */
  runDdl(sql: string, signal: AbortSignal): Promise<Verdict>
}

export interface DorisSinkDeps {
  readonly clock: Clock
  /** For tests; the sink otherwise uses its own Bun.FetchSession. */
  readonly fetch?: FetchFn
}

const CLOSED: Verdict = { kind: 'retry', why: 'the Doris sink is closed' }

export function createDorisSink(opts: DorisSinkOptions, deps: DorisSinkDeps): DorisSink {
  const service = createDorisService(
    { requestTimeoutMs: opts.requestTimeoutMs, secret: opts.password },
    deps,
  )
  const pool = new FePool(opts.feUrls, deps.clock)
  const ctx = { opts, service, pool }
  // Aborting this on close ends every request still under way.
  const lifetime = new AbortController()
  const linked = (signal: AbortSignal) => AbortSignal.any([signal, lifetime.signal])
  return {
    kind: 'doris',
    send(batch: SinkBatch, signal: AbortSignal): Promise<Verdict> {
      if (lifetime.signal.aborted) return Promise.resolve(CLOSED)
      if (batch.rows.length === 0) return Promise.resolve({ kind: 'ok' })
      return sendStreamLoad(ctx, batch, linked(signal))
    },
    describe(target: TargetRef, signal: AbortSignal): Promise<ColumnDef[] | null> {
      if (lifetime.signal.aborted) return Promise.reject(new Error(whyOf(CLOSED)))
      return describeTable(ctx, target, linked(signal))
    },
    deduplication(): Promise<Check> {
      return Promise.resolve({
        ok: true,
        detail: 'Stream Load labels: a replayed batch is refused as Label Already Exists',
      })
    },
    probe(signal: AbortSignal): Promise<Check> {
      if (lifetime.signal.aborted) return Promise.resolve({ ok: false, detail: whyOf(CLOSED) })
      return probeDoris(ctx, linked(signal))
    },
    runDdl(sql: string, signal: AbortSignal): Promise<Verdict> {
      if (lifetime.signal.aborted) return Promise.resolve(CLOSED)
      return runDdl(ctx, sql, linked(signal))
    },
    addColumn(target: TargetRef, column: NewColumn, signal: AbortSignal): Promise<Verdict> {
      if (lifetime.signal.aborted) return Promise.resolve(CLOSED)
      return runDdl(ctx, addColumnSql(target, column), linked(signal))
    },
    close(): Promise<void> {
      if (!lifetime.signal.aborted) {
        lifetime.abort(new Error(whyOf(CLOSED)))
        service.close()
      }
      return Promise.resolve()
    },
  }
}

export type { DorisSinkOptions } from './options'
