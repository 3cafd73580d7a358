import { describe, expect, test } from 'bun:test'
import { classifyStreamLoad, parseAnswer } from '../../../../src/sinks/doris/retry'

const result = (Status: string, Message: string, extra: Record<string, unknown> = {}) => ({
  TxnId: 7,
  Label: 'l',
  Status,
  Message,
  NumberTotalRows: 10,
  NumberLoadedRows: 10,
  NumberFilteredRows: 0,
  ...extra,
})

describe('classifyStreamLoad', () => {
  const table: Array<[string, number, Record<string, unknown> | string, string]> = [
    ['Success', 200, result('Success', 'OK'), 'ok'],
    [
      'Publish Timeout (committed, visible later)',
      200,
      result(
        'Publish Timeout',
        '[PUBLISH_TIMEOUT]transaction commit successfully, BUT data will be visible later',
      ),
      'ok',
    ],
    [
      'Label Already Exists, FINISHED',
      200,
      result('Label Already Exists', '[LABEL_ALREADY_EXISTS]Label [l] has already been used', {
        ExistingJobStatus: 'FINISHED',
      }),
      'duplicate',
    ],
    [
      'Label Already Exists, RUNNING',
      200,
      result('Label Already Exists', '[LABEL_ALREADY_EXISTS]…', { ExistingJobStatus: 'RUNNING' }),
      'retry',
    ],
    [
      'Label Already Exists without a job status',
      200,
      result('Label Already Exists', '…', { ExistingJobStatus: '' }),
      'retry',
    ],
    [
      'too many filtered rows',
      200,
      result('Fail', '[DATA_QUALITY_ERROR]too many filtered rows', {
        NumberFilteredRows: 2,
        ErrorURL: 'http://be/x',
      }),
      'reject',
    ],
    [
      'filtered rows under another message',
      200,
      result('Fail', 'something odd', { NumberFilteredRows: 1 }),
      'reject',
    ],
    [
      'batch over the size limit',
      200,
      result(
        'Fail',
        '[INTERNAL_ERROR]The size of this batch exceed the max size [104857600]  of json type data',
      ),
      'reject',
    ],
    [
      'too many running txns',
      200,
      result('Fail', 'current running txns on db 10001 is 1000, larger than limit 1000'),
      'retry',
    ],
    ['load timeout', 200, result('Fail', '[TIMEOUT]load timeout, txn 9 cancelled'), 'retry'],
    ['cancelled', 200, result('Fail', '[INTERNAL_ERROR]cancelled: closed'), 'retry'],
    [
      'unknown table',
      200,
      result('Fail', 'errCode = 7, detailMessage = unknown table, tableName=t'),
      'retry',
    ],
    ['access denied', 200, result('Fail', 'Access denied for root@127.0.0.1'), 'retry'],
    [
      'no valid Basic authorization',
      200,
      result('Fail', '[INTERNAL_ERROR]no valid Basic authorization'),
      'retry',
    ],
    ['memory limit', 200, result('Fail', '[MEM_LIMIT_EXCEEDED]'), 'retry'],
    ['too many versions', 200, result('Fail', 'err=-235'), 'retry'],
    ['schema change', 200, result('Fail', 'insert table t is blocked on schema change'), 'retry'],
    ['an unknown failure', 200, result('Fail', 'who knows'), 'retry'],
    ['an unknown Status', 200, result('Maybe', ''), 'retry'],
    [
      'FE auth failure in the body',
      200,
      { msg: 'Unauthorized', code: 401, data: 'Access denied', count: 0 },
      'retry',
    ],
    ['FE no backend', 200, { status: 'FAILED', msg: 'No backend load available' }, 'retry'],
    [
      'FE without Expect',
      200,
      { status: 'FAILED', msg: 'There is no 100-continue header' },
      'retry',
    ],
    ['HTTP 401', 401, 'Unauthorized', 'retry'],
    ['HTTP 503', 503, '503 injected', 'retry'],
    ['HTTP 500', 500, '', 'retry'],
    ['HTTP 404', 404, 'Not Found', 'retry'],
    ['HTTP 413', 413, 'too large', 'reject'],
    ['a body that is not JSON', 200, '<html>oops</html>', 'retry'],
  ]
  for (const [name, status, body, kind] of table) {
    test(`${name} is ${kind}`, () => {
      const text = typeof body === 'string' ? body : JSON.stringify(body, null, 4)
      expect(classifyStreamLoad(status, parseAnswer(text)).kind).toBe(kind as 'ok')
    })
  }

  test('a reason names the cause and quotes the message', () => {
    const v = classifyStreamLoad(
      200,
      result('Fail', '[DATA_QUALITY_ERROR]too many filtered rows', { NumberFilteredRows: 1 }),
    )
    expect(v).toEqual({
      kind: 'reject',
      why: 'Fail (rows refused for their data): [DATA_QUALITY_ERROR]too many filtered rows',
    })
  })
})
