import { describe, expect, test } from 'bun:test'
import {
  classifyClickHouse,
  classifyFailure,
  errorCodeOf,
  verdictOf,
  whyOf,
} from '../../../../src/sinks/clickhouse/retry'

/** The body 18.16 sends for an error, as measured against the real server. */
const legacy = (code: number, text = 'something went wrong') =>
  `Code: ${code}, e.displayText() = DB::Exception: ${text}, e.what() = DB::Exception\n`
/** The body of 21.x+ servers. */
const modern = (code: number, text = 'something went wrong') =>
  `Code: ${code}. DB::Exception: ${text}. (SOME_NAME) (version 24.8.4.13 (official build))\n`

const REJECTED = [
  6, 19, 25, 26, 27, 33, 38, 41, 53, 69, 70, 72, 117, 130, 131, 321, 349, 376, 407, 441, 467,
]
const RETRIED = [
  8, 16, 44, 47, 60, 62, 73, 81, 115, 159, 164, 173, 192, 193, 194, 201, 202, 203, 209, 210, 216,
  225, 236, 241, 242, 244, 252, 279, 285, 286, 319, 373, 394, 425, 439, 497, 516, 999,
]

describe('classifyClickHouse', () => {
  test.each(REJECTED)('rejects the data error Code %d whatever the HTTP status', (code) => {
    for (const status of [400, 404, 500]) {
      expect(classifyClickHouse(status, legacy(code)).kind).toBe('reject')
      expect(classifyClickHouse(status, modern(code)).kind).toBe('reject')
    }
  })

  test.each(RETRIED)('retries Code %d whatever the HTTP status', (code) => {
    for (const status of [400, 401, 403, 404, 500, 503]) {
      expect(classifyClickHouse(status, legacy(code)).kind).toBe('retry')
      expect(classifyClickHouse(status, modern(code)).kind).toBe('retry')
    }
  })

  test('retries a code it does not know', () => {
    expect(classifyClickHouse(500, legacy(1234))).toEqual({
      kind: 'retry',
      why: 'Code 1234 UNKNOWN_CODE (HTTP 500): something went wrong',
    })
  })

  test('names the code and keeps the message without the 18.16 decorations', () => {
    const body = legacy(60, "Table default.nope doesn't exist.")
    expect(classifyClickHouse(404, body)).toEqual({
      kind: 'retry',
      why: "Code 60 UNKNOWN_TABLE (HTTP 404): Table default.nope doesn't exist.",
    })
  })

  test('keeps only the first line of a multi-line 18.16 body', () => {
    const body =
      'Code: 27, e.displayText() = DB::Exception: Cannot parse input: expected { before: notjson: (at row 1)\n, e.what() = DB::Exception\n'
    expect(classifyClickHouse(500, body)).toEqual({
      kind: 'reject',
      why: 'Code 27 CANNOT_PARSE_INPUT_ASSERTION_FAILED (HTTP 500): Cannot parse input: expected { before: notjson: (at row 1)',
    })
  })

  test('gives a clear reason for a wrong password', () => {
    const body = legacy(193, 'Wrong password for user default')
    expect(classifyClickHouse(401, body)).toEqual({
      kind: 'retry',
      why: 'Code 193 WRONG_PASSWORD (HTTP 401): Wrong password for user default',
    })
  })

  test('rejects too many partitions for one block, which splitting fixes, but retries too many parts', () => {
    const partitions = legacy(252, 'Too many partitions for single INSERT block (more than 100)')
    const parts = legacy(
      252,
      'Too many parts (300). Merges are processing significantly slower than inserts',
    )
    expect(classifyClickHouse(500, partitions).kind).toBe('reject')
    expect(classifyClickHouse(500, parts).kind).toBe('retry')
  })

  test('treats a 2xx without an error code as ok', () => {
    for (const status of [200, 204]) expect(classifyClickHouse(status, '')).toEqual({ kind: 'ok' })
    expect(classifyClickHouse(200, 'Ok.\n')).toEqual({ kind: 'ok' })
  })

  test('classifies a 200 that carries an error by its code', () => {
    expect(classifyClickHouse(200, '', '241').kind).toBe('retry')
    expect(classifyClickHouse(200, '', '117').kind).toBe('reject')
    expect(classifyClickHouse(200, `partial output\n${modern(27)}`).kind).toBe('reject')
  })

  test('prefers the X-ClickHouse-Exception-Code header to the body', () => {
    expect(classifyClickHouse(500, legacy(27), '241').kind).toBe('retry')
  })

  test.each([502, 503, 504, 500, 408, 429, 401, 403, 404, 400, 302, 0])(
    'retries HTTP %d without an error code',
    (status) => {
      const verdict = classifyClickHouse(status, '<html>Bad Gateway</html>')
      expect(verdict.kind).toBe('retry')
      expect(whyOf(verdict)).toContain(`HTTP ${status} without a ClickHouse error code`)
    },
  )

  test('rejects HTTP 413 without an error code so the batch is split', () => {
    expect(classifyClickHouse(413, 'Request Entity Too Large').kind).toBe('reject')
  })

  test.each([
    ['an empty body', ''],
    ['binary garbage', '\u0000\u00ff\u0013garbage'],
    ['a code that is not a number', 'Code: abc, e.displayText() = x'],
    ['a code in the middle of a line', 'upstream said Code: 27, bad'],
    ['a code without its separator', 'Code: 27 bad'],
    ['a huge body', 'x'.repeat(100_000)],
  ])('falls back to the HTTP status for %s', (_name, body) => {
    expect(classifyClickHouse(500, body).kind).toBe('retry')
    expect(classifyClickHouse(200, body).kind).toBe('ok')
  })

  test('cuts a long message to a readable length', () => {
    const why = whyOf(classifyClickHouse(500, legacy(27, 'y'.repeat(5_000))))
    expect(why.length).toBeLessThan(400)
  })
})

describe('errorCodeOf', () => {
  test('reads both body formats and ignores a malformed header', () => {
    expect(errorCodeOf(legacy(60))).toBe(60)
    expect(errorCodeOf(modern(81))).toBe(81)
    expect(errorCodeOf(legacy(60), 'abc')).toBe(60)
    expect(errorCodeOf('no code here')).toBeNull()
  })
})

describe('classifyFailure and verdictOf', () => {
  test('retries a network error and a timeout with a reason that says which', () => {
    expect(classifyFailure('ECONNREFUSED: Unable to connect', false)).toEqual({
      kind: 'retry',
      why: 'network error: ECONNREFUSED: Unable to connect',
    })
    expect(classifyFailure('ClickHouse request timed out after 30000 ms', true)).toEqual({
      kind: 'retry',
      why: 'timeout: ClickHouse request timed out after 30000 ms',
    })
  })

  test('classifies both kinds of outcome', () => {
    expect(verdictOf({ kind: 'answer', status: 200, body: '', exceptionCode: null })).toEqual({
      kind: 'ok',
    })
    expect(
      verdictOf({ kind: 'answer', status: 400, body: legacy(26), exceptionCode: null }).kind,
    ).toBe('reject')
    expect(verdictOf({ kind: 'failure', message: 'reset', timedOut: false }).kind).toBe('retry')
  })
})
