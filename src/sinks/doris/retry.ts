/**
 * @module sinks/doris/retry
 * Turns one Stream Load answer into a Verdict (protocol reference §4): by the result's `Status`
 * and `Message`, never by the HTTP status alone (the BE answers 200 for failed loads). Pure, no
 * I/O. Only data the server refused is a reject; anything not understood is retried.
 */
import type { Verdict } from '../sink'

type Action = 'reject' | 'retry'

/**
 * `Fail` messages by substring, first match wins. Data-quality and size refusals come first:
 * they are wrapped in `[INTERNAL_ERROR]` too, which is otherwise temporary.
 */
export const FAIL_RULES: ReadonlyArray<readonly [pattern: RegExp, action: Action, what: string]> = [
  [/DATA_QUALITY_ERROR|too many filtered rows/i, 'reject', 'rows refused for their data'],
  [/exceed the max size|body exceed max size/i, 'reject', 'batch too large'],
  [/access denied|no valid basic authorization|unauthorized/i, 'retry', 'authentication'],
  [/running txns on db .* larger than limit/i, 'retry', 'too many running transactions'],
  [/timeout|timed out/i, 'retry', 'timeout'],
  [/unknown table|unknown database|errCode = 7/i, 'retry', 'unknown table'],
  [/cancelled|canceled/i, 'retry', 'cancelled'],
  [/MEM_LIMIT_EXCEEDED|memory limit/i, 'retry', 'memory limit'],
  [/err=-235|TOO_MANY_VERSION/i, 'retry', 'too many versions'],
  [/blocked on schema change/i, 'retry', 'schema change'],
  [/no backend/i, 'retry', 'no backend available'],
  [/INTERNAL_ERROR|rpc|connection|network/i, 'retry', 'internal error'],
]

const WHY_MAX_CHARS = 300

/** A parsed Stream Load result or FE answer; any field may be missing. */
export type StreamLoadBody = Readonly<Record<string, unknown>>

/**
 * The verdict for one answer: `body` is the parsed JSON object, or the raw text when the answer
 * was not a JSON object.
 */
export function classifyStreamLoad(status: number, body: StreamLoadBody | string): Verdict {
  if (status === 401 || status === 403) return retry(`HTTP ${status}: authentication`, body)
  if (status === 413) return { kind: 'reject', why: withText('HTTP 413: batch too large', body) }
  if (status !== 200) return retry(`HTTP ${status}`, body)
  if (typeof body === 'string') return retry('answer is not a Stream Load result', body)
  if (typeof body.Status === 'string') return classifyResult(body.Status, body)
  return classifyFe(body)
}

function classifyResult(status: string, body: StreamLoadBody): Verdict {
  const message = text(body.Message)
  switch (status) {
    case 'Success':
      return { kind: 'ok' }
    // Committed; visible later. Reloading it under any label would write it twice.
    case 'Publish Timeout':
      return { kind: 'ok' }
    case 'Label Already Exists':
      return labelExists(text(body.ExistingJobStatus), message)
    case 'Fail':
      return classifyFail(message, Number(body.NumberFilteredRows ?? 0))
    default:
      return retry(`unknown Status ${JSON.stringify(status)}`, message)
  }
}

/** FINISHED: this label's rows are in. RUNNING (or a cloud build's empty status): ask again. */
function labelExists(existing: string, message: string): Verdict {
  if (existing === 'FINISHED') return { kind: 'duplicate' }
  return retry(`label already exists, job ${existing || 'status unknown'}`, message)
}

export function classifyFail(message: string, filteredRows: number): Verdict {
  for (const [pattern, action, what] of FAIL_RULES) {
    if (pattern.test(message)) return { kind: action, why: withText(`Fail (${what})`, message) }
  }
  // max_filter_ratio is 0: filtered rows failed the load, and splitting isolates them.
  if (filteredRows > 0) return { kind: 'reject', why: withText('Fail (rows filtered)', message) }
  return retry('Fail (unknown cause)', message)
}

/** The FE's own answers: the REST envelope (`code`) or a RestBaseResult (`status: FAILED`). */
function classifyFe(body: StreamLoadBody): Verdict {
  const detail = text(body.data) || text(body.msg)
  if (body.code === 401) return retry('FE: unauthorized', detail)
  if (typeof body.code === 'number' && body.code !== 0) return retry(`FE code ${body.code}`, detail)
  if (text(body.status).toUpperCase() === 'FAILED')
    return retry('FE refused the load', text(body.msg))
  return retry('answer without a Status', JSON.stringify(body))
}

/** The verdict when no answer came: connection refused or reset, DNS, timeout. */
export function classifyFailure(message: string, timedOut: boolean): Verdict {
  return { kind: 'retry', why: `${timedOut ? 'timeout' : 'network error'}: ${message}` }
}

/** The reason of a retry or reject verdict, else its kind. */
export function whyOf(verdict: Verdict): string {
  return verdict.kind === 'retry' || verdict.kind === 'reject' ? verdict.why : verdict.kind
}

function retry(what: string, detail: StreamLoadBody | string): Verdict {
  return { kind: 'retry', why: withText(what, detail) }
}

function withText(what: string, detail: StreamLoadBody | string): string {
  const line =
    (typeof detail === 'string' ? detail : JSON.stringify(detail)).trim().split('\n')[0] ?? ''
  if (line === '') return what
  return `${what}: ${line.length > WHY_MAX_CHARS ? `${line.slice(0, WHY_MAX_CHARS)}…` : line}`
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : ''
}

/** Parses an answer body leniently: a JSON object, else the text itself. */
export function parseAnswer(body: string): StreamLoadBody | string {
  try {
    const parsed: unknown = JSON.parse(body)
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as StreamLoadBody)
      : body
  } catch {
    return body
  }
}
