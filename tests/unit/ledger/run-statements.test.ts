import { describe, expect, test } from 'bun:test'
import { clickhouseStatements } from '../../../src/ledger/actions-clickhouse'
import { createActionRunner } from '../../../src/ledger/run-statements'
import type { BatchTaskSpec } from '../../../src/ledger/task'
import type { Verdict } from '../../../src/sinks/sink'
import { taskSpec } from './ledger-fixtures'

function spec(over: Partial<BatchTaskSpec>): BatchTaskSpec {
  return taskSpec('b1', over.opType ?? 'drop_partition', { partition: '20261101', ...over })
}

describe('createActionRunner', () => {
  test('sends each statement in order and succeeds on ok or duplicate', async () => {
    const sent: string[] = []
    const answers: Verdict[] = [{ kind: 'ok' }, { kind: 'duplicate' }]
    const run = createActionRunner(
      () => ['A', 'B'],
      async (sql) => {
        sent.push(sql)
        return answers.shift() ?? { kind: 'ok' }
      },
    )
    expect(await run(spec({}), new AbortController().signal)).toBe('ok')
    expect(sent).toEqual(['A', 'B'])
  })

  test('fails the attempt on the first retry or reject verdict and reports why', async () => {
    const sent: string[] = []
    const failures: string[] = []
    const run = createActionRunner(
      () => ['A', 'B'],
      async (sql) => {
        sent.push(sql)
        return { kind: 'reject', why: 'Code: 60 unknown table' }
      },
      (_, why) => failures.push(why),
    )
    expect(await run(spec({}), new AbortController().signal)).toBe('failed')
    expect(sent).toEqual(['A'])
    expect(failures).toEqual(['Code: 60 unknown table'])
  })

  test('a task with no statements succeeds without calling the sink', async () => {
    const run = createActionRunner(clickhouseStatements, () => {
      throw new Error('must not be called')
    })
    expect(await run(spec({ opType: 'none' }), new AbortController().signal)).toBe('ok')
  })
})
