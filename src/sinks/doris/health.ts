/**
 * @module sinks/doris/health
 * The probe behind /ready and `sinker check`: the FE's `GET /api/health` (it answers and has a
 * backend online), then `SELECT 1` through the SQL API with the sink's credentials and database,
 * so a wrong password or a missing database fails it, not only a dead FE.
 */
import type { Check } from '../sink'
import { classifyDdlOutcome } from './ddl'
import type { FePool } from './fe-pool'
import type { DorisSinkOptions } from './options'
import { healthRequest, sqlRequest } from './request'
import { parseAnswer, whyOf } from './retry'
import type { DorisService, HttpOutcome } from './service'

export interface HealthContext {
  readonly opts: DorisSinkOptions
  readonly service: DorisService
  readonly pool: FePool
}

export async function probeDoris(ctx: HealthContext, signal: AbortSignal): Promise<Check> {
  const health = await ctx.pool.call(signal, (fe) => ctx.service.execute(healthRequest(fe), signal))
  const problem = healthProblem(health.outcome)
  if (problem !== null) return { ok: false, detail: `Doris probe failed: ${problem}` }
  const { outcome } = await ctx.pool.call(signal, (fe) =>
    ctx.service.execute(sqlRequest(ctx.opts, fe, ctx.opts.database, 'SELECT 1'), signal),
  )
  const verdict = classifyDdlOutcome(outcome)
  if (verdict.kind !== 'ok') return { ok: false, detail: `Doris probe failed: ${whyOf(verdict)}` }
  return { ok: true, detail: 'Doris FE healthy and answered SELECT 1' }
}

/** Null when the FE is up with a backend online, else what is wrong. */
export function healthProblem(outcome: HttpOutcome): string | null {
  if (outcome.kind === 'failure') return `FE health: ${outcome.message}`
  const body = parseAnswer(outcome.body)
  if (outcome.status !== 200 || typeof body === 'string') {
    return `FE health: HTTP ${outcome.status}: ${outcome.body.slice(0, 120)}`
  }
  if (body.code !== 0)
    return `FE health: code ${String(body.code)}: ${String(body.data ?? body.msg)}`
  const online = (body.data as { online_backend_num?: unknown } | null)?.online_backend_num
  if (typeof online === 'number' && online < 1) return 'FE health: no backend online'
  return null
}
