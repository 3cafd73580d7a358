/**
 * @module sinks/clickhouse/health
 * The probe behind /ready and `sinker check`: `SELECT 1` with the sink's credentials and
 * database, so a wrong password or a missing database fails it, not only a dead server.
 */
import type { Check } from '../sink'
import { verdictOf, whyOf } from './retry'
import type { QueryFn } from './service'

export async function probeClickHouse(query: QueryFn, signal: AbortSignal): Promise<Check> {
  const outcome = await query('SELECT 1', signal)
  if (outcome.kind === 'answer' && outcome.status === 200 && outcome.body.trim() === '1') {
    return { ok: true, detail: 'ClickHouse answered SELECT 1' }
  }
  const verdict = verdictOf(outcome)
  const why =
    verdict.kind === 'ok' && outcome.kind === 'answer'
      ? `unexpected answer to SELECT 1: ${JSON.stringify(outcome.body.slice(0, 80))}`
      : whyOf(verdict)
  return { ok: false, detail: `ClickHouse probe failed: ${why}` }
}
