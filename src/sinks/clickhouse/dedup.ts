/**
 * @module sinks/clickhouse/dedup
 * Whether a ClickHouse table drops a replayed batch (SPEC §6 exactly_once): Replicated*MergeTree
 * deduplicates identical blocks on any version; a plain MergeTree only with
 * `non_replicated_deduplication_window` > 0, a setting servers before 21.5 do not have. Any other
 * engine keeps every insert, so exactly_once is refused for it.
 */
import type { TargetRef } from '../../schema/table-schema'
import type { Check } from '../sink'
import { isValidIdentifier } from './identifier'
import { classifyClickHouse, errorCodeOf, whyOf } from './retry'
import type { QueryFn } from './service'
import type { ServerInfo } from './version'

export interface TableEngine {
  readonly engine: string
  readonly engineFull: string
}

const WINDOW = /\bnon_replicated_deduplication_window\s*=\s*(\d+)/

/** The pure verdict: can a replay of the same block be dropped by this table on this server? */
export function dedupCheck(table: TableEngine, server: ServerInfo): Check {
  const { engine, engineFull } = table
  const hasWindow = server.capabilities.nonReplicatedDedupWindow
  if (engine.startsWith('Replicated') && engine.endsWith('MergeTree')) {
    return { ok: true, detail: `${engine} deduplicates repeated blocks` }
  }
  if (engine.endsWith('MergeTree')) {
    const window = Number(WINDOW.exec(engineFull)?.[1] ?? 0)
    if (window > 0 && hasWindow) {
      return { ok: true, detail: `${engine} with non_replicated_deduplication_window = ${window}` }
    }
    return {
      ok: false,
      detail: hasWindow
        ? `${engine} keeps repeated inserts: set non_replicated_deduplication_window or use Replicated${engine}`
        : `${engine} keeps repeated inserts on ClickHouse ${server.version.text}: only Replicated*MergeTree deduplicates there`,
    }
  }
  return { ok: false, detail: `engine ${engine || 'unknown'} does not deduplicate inserts` }
}

/** The table's engine from system.tables, or null when the table does not exist. */
export async function readTableEngine(
  query: QueryFn,
  target: TargetRef,
  signal: AbortSignal,
): Promise<TableEngine | null> {
  if (!isValidIdentifier(target.database) || !isValidIdentifier(target.table)) return null
  // Both names match [A-Za-z0-9_]: safe inside a string literal.
  const sql = `SELECT engine, engine_full FROM system.tables WHERE database = '${target.database}' AND name = '${target.table}' FORMAT JSON`
  const outcome = await query(sql, signal)
  const where = `engine of ${target.database}.${target.table}`
  if (outcome.kind === 'failure') throw new Error(`${where}: ${outcome.message}`)
  if (outcome.status !== 200 || errorCodeOf(outcome.body, outcome.exceptionCode) !== null) {
    const verdict = classifyClickHouse(outcome.status, outcome.body, outcome.exceptionCode)
    throw new Error(
      `${where}: ${verdict.kind === 'ok' ? `HTTP ${outcome.status}` : whyOf(verdict)}`,
    )
  }
  const data = (JSON.parse(outcome.body) as { data?: unknown }).data
  if (!Array.isArray(data)) throw new Error(`${where}: the answer has no data array`)
  const row = data[0] as { engine?: unknown; engine_full?: unknown } | undefined
  if (row === undefined) return null
  if (typeof row.engine !== 'string' || typeof row.engine_full !== 'string') {
    throw new Error(`${where}: unexpected row ${JSON.stringify(row).slice(0, 200)}`)
  }
  return { engine: row.engine, engineFull: row.engine_full }
}
