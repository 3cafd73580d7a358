/**
 * @module ledger/run-statements
 * Turns a task's DDL statements into one action attempt over a sink's DDL call: each statement in
 * order, any answer but ok/duplicate fails the attempt. Never retries itself: the coordinator does.
 */
import type { Verdict } from '../sinks/sink'
import type { ActionResult } from './coordinator'
import type { BatchTaskSpec } from './task'

/** Sends one statement and classifies the answer (ClickHouseSink.runDdl, a Doris SQL call). */
export type RunDdl = (sql: string, signal: AbortSignal) => Promise<Verdict>

export type RunAction = (spec: BatchTaskSpec, signal: AbortSignal) => Promise<ActionResult>

/** An action runner for one sink from its statement builder and its DDL call. */
export function createActionRunner(
  statements: (spec: BatchTaskSpec) => string[],
  runDdl: RunDdl,
  onFailure?: (spec: BatchTaskSpec, why: string) => void,
): RunAction {
  return async (spec, signal) => {
    for (const sql of statements(spec)) {
      const verdict = await runDdl(sql, signal)
      if (verdict.kind === 'ok' || verdict.kind === 'duplicate') continue
      onFailure?.(spec, verdict.why)
      return 'failed'
    }
    return 'ok'
  }
}
