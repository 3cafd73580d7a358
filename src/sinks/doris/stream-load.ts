/**
 * @module sinks/doris/stream-load
 * One Stream Load attempt: the body-less PUT to an FE (round robin, past failing FEs), then the
 * PUT with the body to the BE its 307 names, under our own Basic auth; the answer classified.
 * Never follows a redirect blindly, never changes the batch's label, never throws for an answer.
 */
import type { SinkBatch, Verdict } from '../sink'
import { encodeLoadBody } from './encode'
import type { FePool } from './fe-pool'
import type { DorisSinkOptions } from './options'
import {
  beLoadRequest,
  beUrlOf,
  feLoadRequest,
  isValidName,
  type LoadBody,
  loadHeaders,
} from './request'
import { classifyFailure, classifyStreamLoad, parseAnswer } from './retry'
import type { DorisService, HttpOutcome } from './service'

/** An FE on https first redirects to itself (reference §1): a few hops, never a loop. */
const MAX_REDIRECTS = 3

export interface StreamLoadContext {
  readonly opts: DorisSinkOptions
  readonly service: DorisService
  readonly pool: FePool
}

export async function sendStreamLoad(
  ctx: StreamLoadContext,
  batch: SinkBatch,
  signal: AbortSignal,
): Promise<Verdict> {
  const { database, table } = batch.target
  if (!isValidName(database) || !isValidName(table)) {
    return {
      kind: 'reject',
      why: `invalid Doris target name ${JSON.stringify(`${database}.${table}`)}`,
    }
  }
  const load = encoded(batch, ctx.opts.format)
  if (typeof load === 'string') return { kind: 'reject', why: load }
  const headers = loadHeaders(ctx.opts, batch, load.formatHeaders)
  const fe = await ctx.pool.call(signal, (feUrl) =>
    ctx.service.execute(feLoadRequest(feUrl, batch.target, headers), signal),
  )
  let from = fe.feUrl
  let outcome: HttpOutcome = fe.outcome
  for (let hop = 0; hop < MAX_REDIRECTS && isRedirect(outcome); hop++) {
    if (outcome.kind !== 'answer' || outcome.location === null) break
    const beUrl = beUrlOf(outcome.location, from)
    outcome = await ctx.service.execute(beLoadRequest(beUrl, headers, load.body), signal)
    from = beUrl
  }
  return verdictOf(outcome)
}

function isRedirect(outcome: HttpOutcome): boolean {
  return outcome.kind === 'answer' && (outcome.status === 307 || outcome.status === 308)
}

export function verdictOf(outcome: HttpOutcome): Verdict {
  if (outcome.kind === 'failure') return classifyFailure(outcome.message, outcome.timedOut)
  if (isRedirect(outcome)) {
    const why = outcome.location === null ? 'a redirect without Location' : 'too many redirects'
    return { kind: 'retry', why: `Stream Load got ${why}` }
  }
  return classifyStreamLoad(outcome.status, parseAnswer(outcome.body))
}

/** The body, or why the rows cannot be turned into one (only CSV parses them). */
function encoded(batch: SinkBatch, format: 'json' | 'csv'): LoadBody | string {
  try {
    return encodeLoadBody(batch.rows, format)
  } catch (err) {
    return `rows cannot be encoded as ${format}: ${(err as Error).message}`
  }
}
