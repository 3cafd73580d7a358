/**
 * @module tests/support/doris-server/responses
 * Every body shape the server answers with: the FE envelope, RestBaseResult, the Stream Load result
 * (pretty JSON + newline, to_json field order) and the 2PC result. Pure; never a non-200 status
 * where the reference (§4.2) says 200.
 */

/** A number written into JSON as its exact text (BIGINT beyond 2^53, DECIMAL). */
export class RawNumber {
  constructor(readonly text: string) {}
}

const MARK = '\u0000raw:'

/** JSON.stringify that writes bigint and RawNumber values as bare numbers. */
export function stringifyJson(value: unknown, indent?: number): string {
  const text = JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v === 'bigint') return `${MARK}${v}`
      if (v instanceof RawNumber) return `${MARK}${v.text}`
      return v
    },
    indent,
  )
  return text.replace(/"\\u0000raw:([^"]*)"/g, '$1')
}

export function jsonResponse(
  body: unknown,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  return new Response(stringifyJson(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  })
}

/** ResponseEntityBuilder's body: `{"msg","code","data","count"}`, always HTTP 200. */
export function feEnvelope(code: number, msg: string, data: unknown): Response {
  return jsonResponse({ msg, code, data, count: 0 })
}

export const feOk = (data: unknown): Response => feEnvelope(0, 'success', data)
export const feError = (data: string): Response => feEnvelope(1, 'Error', data)
export const feBadRequest = (data: string): Response => feEnvelope(403, 'Bad Request', data)
export const feUnauthorized = (reason: string): Response => feEnvelope(401, 'Unauthorized', reason)

/** RestBaseResult: the FE's answer to a refused load (`There is no 100-continue header`, …). */
export function restBaseResult(msg: string): Response {
  return jsonResponse({ status: 'FAILED', msg })
}

export type LoadStatus = 'Success' | 'Publish Timeout' | 'Label Already Exists' | 'Fail'

export interface LoadResult {
  txnId: number
  label: string
  comment: string
  twoPhaseCommit: boolean
  status: LoadStatus
  existingJobStatus?: string
  message: string
  totalRows: number
  loadedRows: number
  filteredRows: number
  unselectedRows: number
  loadBytes: number
  loadTimeMs: number
  beginTxnTimeMs: number
  streamLoadPutTimeMs: number
  readDataTimeMs: number
  writeDataTimeMs: number
  commitAndPublishTimeMs: number
  errorUrl?: string
}

/** The BE's result object in the order StreamLoadContext::to_json writes it. */
export function loadResultBody(r: LoadResult): Record<string, unknown> {
  return {
    TxnId: r.txnId,
    Label: r.label,
    Comment: r.comment,
    TwoPhaseCommit: r.twoPhaseCommit ? 'true' : 'false',
    Status: r.status,
    ...(r.status === 'Label Already Exists'
      ? { ExistingJobStatus: r.existingJobStatus ?? '' }
      : {}),
    Message: r.message,
    NumberTotalRows: r.totalRows,
    NumberLoadedRows: r.loadedRows,
    NumberFilteredRows: r.filteredRows,
    NumberUnselectedRows: r.unselectedRows,
    LoadBytes: r.loadBytes,
    LoadTimeMs: r.loadTimeMs,
    BeginTxnTimeMs: r.beginTxnTimeMs,
    StreamLoadPutTimeMs: r.streamLoadPutTimeMs,
    ReadDataTimeMs: r.readDataTimeMs,
    WriteDataTimeMs: r.writeDataTimeMs,
    CommitAndPublishTimeMs: r.commitAndPublishTimeMs,
    ...(r.errorUrl !== undefined ? { ErrorURL: r.errorUrl } : {}),
  }
}

/** rapidjson's PrettyWriter (4 spaces) plus the trailing newline the BE adds. */
export function loadResultResponse(r: LoadResult): Response {
  return textJson(`${JSON.stringify(loadResultBody(r), null, 4)}\n`)
}

/** The 2PC answer: `{"status":"Success","msg":"transaction [7] commit successfully."}`. */
export function twoPhaseResponse(status: string, msg: string): Response {
  return textJson(JSON.stringify({ status, msg }, null, 4))
}

function textJson(text: string): Response {
  return new Response(text, {
    status: 200,
    headers: { 'Content-Type': 'text/plain; charset=utf-8' },
  })
}

/** An injected 5xx, shaped like a proxy's or servlet container's error page. */
export function serverError(status: number): Response {
  return new Response(`${status} injected by the Doris test server\n`, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8' },
  })
}
