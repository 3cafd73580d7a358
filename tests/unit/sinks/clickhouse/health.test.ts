import { describe, expect, test } from 'bun:test'
import { probeClickHouse } from '../../../../src/sinks/clickhouse/health'
import type { HttpOutcome } from '../../../../src/sinks/clickhouse/service'

const never = new AbortController().signal
const probe = (outcome: HttpOutcome) => probeClickHouse(async () => outcome, never)

describe('probeClickHouse', () => {
  test('passes when SELECT 1 answers 1', async () => {
    expect(await probe({ kind: 'answer', status: 200, body: '1\n', exceptionCode: null })).toEqual({
      ok: true,
      detail: 'ClickHouse answered SELECT 1',
    })
  })

  test('fails with the reason for wrong credentials', async () => {
    const body =
      'Code: 193, e.displayText() = DB::Exception: Wrong password for user default, e.what() = DB::Exception'
    const check = await probe({ kind: 'answer', status: 401, body, exceptionCode: null })
    expect(check.ok).toBe(false)
    expect(check.detail).toContain('Code 193 WRONG_PASSWORD')
  })

  test('fails when the server is unreachable or answers something else', async () => {
    const down = await probe({ kind: 'failure', message: 'ECONNREFUSED', timedOut: false })
    expect(down).toEqual({
      ok: false,
      detail: 'ClickHouse probe failed: network error: ECONNREFUSED',
    })
    const odd = await probe({ kind: 'answer', status: 200, body: '<html>', exceptionCode: null })
    expect(odd.ok).toBe(false)
    expect(odd.detail).toContain('unexpected answer')
  })
})
