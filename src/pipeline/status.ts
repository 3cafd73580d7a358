/**
 * @module pipeline/status
 * The JSON of GET /status (SPEC §7), built from the pipeline's state on request. In-flight
 * figures come from the offset tracker, never from separate counters.
 */
import type { OffsetTracker } from '../delivery/offset-tracker'
import type { TopicPartition } from '../source/kafka-source'

export class TableStats {
  rows = 0
  bytes = 0
  batches = 0
  lastFlush: number | null = null
  lastError: string | null = null

  flushed(rows: number, bytes: number, now: number): void {
    this.rows += rows
    this.bytes += bytes
    this.batches++
    this.lastFlush = now
    this.lastError = null
  }
}

export interface StatusInput {
  now: number
  startedAt: number
  assigned: readonly TopicPartition[]
  tracker: OffsetTracker
  committed: ReadonlyMap<string, number>
  highWatermark(topic: string, partition: number): number | null
  tables: ReadonlyMap<string, TableStats>
  consumed: number
  written: number
  deadLettered: number
  paused: boolean
  /** Batch tasks in the ledger by status (the newest 10,000). */
  ledgerTasks: Readonly<Record<string, number>>
}

export type PipelineStatus = ReturnType<typeof buildStatus>

export function buildStatus(s: StatusInput) {
  const partitions = s.assigned
    .map((p) => {
      const committed = s.committed.get(`${p.topic}\u0000${p.partition}`) ?? null
      const high = s.highWatermark(p.topic, p.partition)
      const inflight = s.tracker.inflight(p.topic, p.partition)
      return {
        topic: p.topic,
        partition: p.partition,
        committed,
        high_watermark: high,
        lag: high !== null && committed !== null ? Math.max(0, high - committed) : null,
        inflight_messages: inflight.messages,
        inflight_bytes: inflight.bytes,
      }
    })
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
  const tables = [...s.tables].map(([table, t]) => ({
    table,
    rows: t.rows,
    bytes: t.bytes,
    batches: t.batches,
    last_flush: t.lastFlush === null ? null : new Date(t.lastFlush).toISOString(),
    last_error: t.lastError,
  }))
  return {
    uptime_s: (s.now - s.startedAt) / 1000,
    consumed: s.consumed,
    written: s.written,
    dead_lettered: s.deadLettered,
    paused: s.paused,
    inflight_bytes: s.tracker.inflightBytes(),
    partitions,
    tables,
    ledger_tasks: s.ledgerTasks,
  }
}
