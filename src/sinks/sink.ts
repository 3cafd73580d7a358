/**
 * @module sinks/sink
 * What every sink implements. One `send` is one attempt: the retry loop, splitting of rejected
 * batches and acks live in delivery/, so a sink only encodes, sends and classifies.
 */
import type { RowBytes } from '../batch/row-bytes'
import type { NewColumn } from '../schema/dynamic-column'
import type { ColumnDef, TargetRef } from '../schema/table-schema'

export type SinkKind = 'clickhouse' | 'doris'

export interface SinkBatch {
  readonly target: TargetRef
  /**
   * Encoded rows, one JSON object per line (JSONEachRow / Stream Load json lines): `rows.body`
   * is the request body as it is sent, `rows.row(i)` one row's bytes.
   */
  readonly rows: RowBytes
  /** The body's length: the rows' UTF-8 bytes plus one newline each. */
  readonly bytes: number
  /** A pure function of what the batch holds (target and per-partition offset ranges). */
  readonly label: string
}

/** The classified outcome of one attempt (a pure verdict: see each sink's retry.ts). */
export type Verdict =
  | { readonly kind: 'ok' }
  /** The server already holds this batch (same label / deduplicated block): success. */
  | { readonly kind: 'duplicate' }
  /** Temporary: network, timeout, 5xx, overload, unknown table, auth. Retried with backoff. */
  | { readonly kind: 'retry'; readonly why: string }
  /** The server refused the data itself: the batch is split to isolate the bad rows. */
  | { readonly kind: 'reject'; readonly why: string }

export interface Check {
  readonly ok: boolean
  readonly detail: string
}

export interface Sink {
  readonly kind: SinkKind
  /** One attempt. Never throws for a server answer or a network error: those are verdicts. */
  send(batch: SinkBatch, signal: AbortSignal): Promise<Verdict>
  /** The target's columns, or null when the table does not exist. Throws on transport errors. */
  describe(target: TargetRef, signal: AbortSignal): Promise<ColumnDef[] | null>
  /** Runs one DDL statement (batch-task actions, SPEC §5); the answer is classified. */
  runDdl(sql: string, signal: AbortSignal): Promise<Verdict>
  /**
   * Whether the target drops a replayed batch (SPEC §6 exactly_once): not ok means a replay
   * would write its rows twice. Throws on transport errors.
   */
  deduplication(target: TargetRef, signal: AbortSignal): Promise<Check>
  /**
   * Adds a nullable column typed from its kind (dynamic schema, SPEC §9): ok, duplicate (it is
   * there already: another process added it), retry, or reject (the server refused it).
   */
  addColumn(target: TargetRef, column: NewColumn, signal: AbortSignal): Promise<Verdict>
  /** A cheap round trip that proves the sink answers and accepts our credentials. */
  probe(signal: AbortSignal): Promise<Check>
  /** Idempotent. */
  close(): Promise<void>
}
