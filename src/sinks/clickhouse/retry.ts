/**
 * @module sinks/clickhouse/retry
 * Turns one ClickHouse answer into a Verdict, by the `Code: N` of the error and not by the HTTP
 * status (18.16 answers 400, 401, 404 or 500 for the same kind of error). Pure: no I/O.
 */
import type { Verdict } from '../sink'
import type { HttpOutcome } from './service'

type Action = 'reject' | 'retry'

/**
 * Codes with a known meaning. `reject` means the rows themselves are bad: delivery splits the
 * batch, so rows that pass alone still land and only rows that fail alone are dead-lettered.
 * Every code that is not here, and every answer without a code but 413, is retried: an error we
 * do not understand stalls the pipeline visibly instead of dead-lettering good rows.
 */
const CODES: ReadonlyMap<number, readonly [name: string, action: Action]> = new Map([
  // Data: a row cannot be parsed or converted into its column.
  [6, ['CANNOT_PARSE_TEXT', 'reject']],
  [19, ['SIZE_OF_FIXED_STRING_DOESNT_MATCH', 'reject']],
  [25, ['CANNOT_PARSE_ESCAPE_SEQUENCE', 'reject']],
  [26, ['CANNOT_PARSE_QUOTED_STRING', 'reject']],
  [27, ['CANNOT_PARSE_INPUT_ASSERTION_FAILED', 'reject']],
  [33, ['CANNOT_READ_ALL_DATA', 'reject']],
  [38, ['CANNOT_PARSE_DATE', 'reject']],
  [41, ['CANNOT_PARSE_DATETIME', 'reject']],
  [53, ['TYPE_MISMATCH', 'reject']],
  [69, ['ARGUMENT_OUT_OF_BOUND', 'reject']],
  [70, ['CANNOT_CONVERT_TYPE', 'reject']],
  [72, ['CANNOT_PARSE_NUMBER', 'reject']],
  [117, ['INCORRECT_DATA', 'reject']],
  [130, ['CANNOT_READ_ARRAY_FROM_TEXT', 'reject']],
  [131, ['TOO_LARGE_STRING_SIZE', 'reject']],
  [321, ['VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE', 'reject']],
  [349, ['CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN', 'reject']],
  [376, ['CANNOT_PARSE_UUID', 'reject']],
  [407, ['DECIMAL_OVERFLOW', 'reject']],
  [441, ['CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING', 'reject']],
  [467, ['CANNOT_PARSE_BOOL', 'reject']],
  // Target missing or changed: an operator or a schema refresh fixes it, the data is not at fault.
  [8, ['THERE_IS_NO_COLUMN', 'retry']],
  [16, ['NO_SUCH_COLUMN_IN_TABLE', 'retry']],
  [44, ['ILLEGAL_COLUMN', 'retry']],
  [47, ['UNKNOWN_IDENTIFIER', 'retry']],
  [60, ['UNKNOWN_TABLE', 'retry']],
  [62, ['SYNTAX_ERROR', 'retry']],
  [73, ['UNKNOWN_FORMAT', 'retry']],
  [81, ['UNKNOWN_DATABASE', 'retry']],
  [115, ['UNKNOWN_SETTING', 'retry']],
  // Credentials and permissions.
  [164, ['READONLY', 'retry']],
  [192, ['UNKNOWN_USER', 'retry']],
  [193, ['WRONG_PASSWORD', 'retry']],
  [194, ['REQUIRED_PASSWORD', 'retry']],
  [497, ['ACCESS_DENIED', 'retry']],
  [516, ['AUTHENTICATION_FAILED', 'retry']],
  // Overload, timeouts and the network.
  [159, ['TIMEOUT_EXCEEDED', 'retry']],
  [173, ['CANNOT_ALLOCATE_MEMORY', 'retry']],
  [201, ['QUOTA_EXPIRED', 'retry']],
  [202, ['TOO_MANY_SIMULTANEOUS_QUERIES', 'retry']],
  [203, ['NO_FREE_CONNECTION', 'retry']],
  [209, ['SOCKET_TIMEOUT', 'retry']],
  [210, ['NETWORK_ERROR', 'retry']],
  [216, ['QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING', 'retry']],
  [236, ['ABORTED', 'retry']],
  [241, ['MEMORY_LIMIT_EXCEEDED', 'retry']],
  [252, ['TOO_MANY_PARTS', 'retry']],
  [279, ['ALL_CONNECTION_TRIES_FAILED', 'retry']],
  [373, ['SESSION_IS_LOCKED', 'retry']],
  [394, ['QUERY_WAS_CANCELLED', 'retry']],
  [425, ['SYSTEM_ERROR', 'retry']],
  [439, ['CANNOT_SCHEDULE_TASK', 'retry']],
  // Replication and ZooKeeper / Keeper.
  [225, ['NO_ZOOKEEPER', 'retry']],
  [242, ['TABLE_IS_READ_ONLY', 'retry']],
  [244, ['UNEXPECTED_ZOOKEEPER_ERROR', 'retry']],
  [285, ['TOO_FEW_LIVE_REPLICAS', 'retry']],
  [286, ['UNSATISFIED_QUORUM_FOR_PREVIOUS_WRITE', 'retry']],
  [319, ['UNKNOWN_STATUS_OF_INSERT', 'retry']],
  [999, ['KEEPER_EXCEPTION', 'retry']],
])

const CODE_IN_BODY = /(?:^|\n)Code: (\d+)[.,] /
const WHY_MAX_CHARS = 300

/** The error code of an answer: the header of servers ≥ 20.1, else the `Code: N` of the body. */
export function errorCodeOf(body: string, exceptionCode?: string | null): number | null {
  if (exceptionCode && /^\d+$/.test(exceptionCode)) return Number(exceptionCode)
  const match = CODE_IN_BODY.exec(body)
  return match ? Number(match[1]) : null
}

export function errorName(code: number): string {
  return CODES.get(code)?.[0] ?? 'UNKNOWN_CODE'
}

/**
 * The verdict for the answer to an INSERT or a DDL statement, whose successful body is empty:
 * a 2xx that carries an error code failed after the headers were sent and is classified by it.
 */
export function classifyClickHouse(
  status: number,
  body: string,
  exceptionCode?: string | null,
): Verdict {
  const code = errorCodeOf(body, exceptionCode)
  if (code === null) return classifyStatus(status, body)
  const why = `Code ${code} ${errorName(code)} (HTTP ${status}): ${messageOf(body)}`
  if (code === 252 && body.includes('partitions for single INSERT block')) {
    // Not an overload: smaller batches touch fewer partitions, and splitting is what reject does.
    return { kind: 'reject', why }
  }
  return CODES.get(code)?.[1] === 'reject' ? { kind: 'reject', why } : { kind: 'retry', why }
}

function classifyStatus(status: number, body: string): Verdict {
  if (status >= 200 && status < 300) return { kind: 'ok' }
  const snippet = messageOf(body)
  const why = `HTTP ${status} without a ClickHouse error code${snippet ? `: ${snippet}` : ''}`
  // A proxy's "payload too large": halves of the batch may pass, so let delivery split it.
  if (status === 413) return { kind: 'reject', why }
  return { kind: 'retry', why }
}

/** The verdict when no answer came: connection refused or reset, DNS, timeout. */
export function classifyFailure(message: string, timedOut: boolean): Verdict {
  return { kind: 'retry', why: `${timedOut ? 'timeout' : 'network error'}: ${message}` }
}

/** The reason of a retry or reject verdict, else its kind. */
export function whyOf(verdict: Verdict): string {
  return verdict.kind === 'retry' || verdict.kind === 'reject' ? verdict.why : verdict.kind
}

/** The verdict of one INSERT or DDL outcome, answered or not. */
export function verdictOf(outcome: HttpOutcome): Verdict {
  return outcome.kind === 'answer'
    ? classifyClickHouse(outcome.status, outcome.body, outcome.exceptionCode)
    : classifyFailure(outcome.message, outcome.timedOut)
}

/** The first line of an error body without the 18.16 decorations, cut to a readable length. */
function messageOf(body: string): string {
  const text = body
    .replace(/^Code: \d+[.,] /, '')
    .replace(/^e\.displayText\(\) = /, '')
    .replace(/^DB::Exception: /, '')
    .replace(/,? e\.what\(\) = DB::Exception\s*$/, '')
    .trim()
  const line = text.split('\n')[0] ?? ''
  return line.length > WHY_MAX_CHARS ? `${line.slice(0, WHY_MAX_CHARS)}…` : line
}
