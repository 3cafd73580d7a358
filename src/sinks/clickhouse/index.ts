/**
 * @module sinks/clickhouse
 * Wiring only: joins options, request building, the HTTP service, classification, schema, probe
 * and DDL into one Sink. One `send` is one attempt; retries and splitting live in delivery/.
 */
import type { Clock } from '../../core/clock'
import type { NewColumn } from '../../schema/dynamic-column'
import type { ColumnDef, TargetRef } from '../../schema/table-schema'
import type { Check, Sink, SinkBatch, Verdict } from '../sink'
import { addColumnSql, runDdl } from './ddl'
import { dedupCheck, readTableEngine } from './dedup'
import { probeClickHouse } from './health'
import { InvalidIdentifierError } from './identifier'
import type { ClickHouseSinkOptions } from './options'
import { buildInsertRequest, buildQueryRequest } from './request'
import { verdictOf, whyOf } from './retry'
import { describeTable } from './schema'
import { createClickHouseService, type FetchFn, type QueryFn } from './service'
import { type ClickHouseCapabilities, createVersionReader, type ServerInfo } from './version'

export interface ClickHouseSink extends Sink {
  /** The server's version text, read once (`18.16.1`); throws when it cannot be read. */
  serverVersion(): Promise<string>
  /** What the server supports, from the same single read. */
  capabilities(): Promise<ClickHouseCapabilities>
  /** Sends one statement: ok, duplicate (already exists), retry, or reject (a wrong statement). */
  runDdl(sql: string, signal: AbortSignal): Promise<Verdict>
}

export interface ClickHouseSinkDeps {
  readonly clock: Clock
  /** For tests; the sink otherwise uses its own Bun.FetchSession. */
  readonly fetch?: FetchFn
}

const CLOSED: Verdict = { kind: 'retry', why: 'the ClickHouse sink is closed' }

export function createClickHouseSink(
  opts: ClickHouseSinkOptions,
  deps: ClickHouseSinkDeps,
): ClickHouseSink {
  const service = createClickHouseService(
    { requestTimeoutMs: opts.requestTimeoutMs, secret: opts.password },
    deps,
  )
  // Aborting this on close ends every request still under way.
  const lifetime = new AbortController()
  const linked = (signal: AbortSignal) => AbortSignal.any([signal, lifetime.signal])
  const query: QueryFn = (sql, signal) =>
    service.execute(buildQueryRequest(opts, sql), linked(signal))
  const versions = createVersionReader(async (signal) => {
    const outcome = await query('SELECT version()', signal)
    const verdict = verdictOf(outcome)
    if (outcome.kind === 'answer' && verdict.kind === 'ok') return { ok: true, text: outcome.body }
    return { ok: false, verdict }
  })
  const serverInfo = async (): Promise<ServerInfo> => {
    const result = await versions.get(lifetime.signal)
    if (result.ok) return result.info
    throw new Error(`cannot read the ClickHouse version: ${whyOf(result.verdict)}`)
  }

  const send = async (batch: SinkBatch, signal: AbortSignal): Promise<Verdict> => {
    if (lifetime.signal.aborted) return CLOSED
    if (batch.rows.length === 0) return { kind: 'ok' }
    const server = await versions.get(linked(signal))
    if (!server.ok) return server.verdict
    try {
      const request = await buildInsertRequest(opts, server.info.capabilities, batch)
      return verdictOf(await service.execute(request, linked(signal)))
    } catch (err) {
      // A name that fails the pattern never reaches SQL; splitting dead-letters the rows.
      if (err instanceof InvalidIdentifierError) return { kind: 'reject', why: err.message }
      throw err
    }
  }

  return {
    kind: 'clickhouse',
    send,
    describe(target: TargetRef, signal: AbortSignal): Promise<ColumnDef[] | null> {
      if (lifetime.signal.aborted) return Promise.reject(new Error(whyOf(CLOSED)))
      return describeTable(query, target, signal)
    },
    async deduplication(target: TargetRef, signal: AbortSignal): Promise<Check> {
      if (lifetime.signal.aborted) throw new Error(whyOf(CLOSED))
      const [engine, server] = await Promise.all([
        readTableEngine(query, target, signal),
        serverInfo(),
      ])
      if (engine === null) return { ok: false, detail: 'table does not exist' }
      return dedupCheck(engine, server)
    },
    probe(signal: AbortSignal): Promise<Check> {
      if (lifetime.signal.aborted) return Promise.resolve({ ok: false, detail: whyOf(CLOSED) })
      return probeClickHouse(query, signal)
    },
    runDdl(sql: string, signal: AbortSignal): Promise<Verdict> {
      if (lifetime.signal.aborted) return Promise.resolve(CLOSED)
      return runDdl(query, sql, signal)
    },
    async addColumn(target: TargetRef, column: NewColumn, signal: AbortSignal): Promise<Verdict> {
      if (lifetime.signal.aborted) return CLOSED
      const server = await versions.get(linked(signal))
      if (!server.ok) return server.verdict
      const sql = addColumnSql(target, column, server.info.capabilities.addColumnIfNotExists)
      // Without IF NOT EXISTS a concurrent adder's column answers Code 44: a duplicate.
      return runDdl(query, sql, signal)
    },
    serverVersion: async () => (await serverInfo()).version.text,
    capabilities: async () => (await serverInfo()).capabilities,
    close(): Promise<void> {
      if (!lifetime.signal.aborted) {
        lifetime.abort(new Error(whyOf(CLOSED)))
        service.close()
      }
      return Promise.resolve()
    },
  }
}

export type { ClickHouseSinkOptions } from './options'
export type { ClickHouseCapabilities } from './version'
