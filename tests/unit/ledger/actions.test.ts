import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { clickhouseStatements } from '../../../src/ledger/actions-clickhouse'
import { dorisStatements } from '../../../src/ledger/actions-doris'
import { createActionRunner } from '../../../src/ledger/run-statements'
import type { BatchTaskSpec } from '../../../src/ledger/task'
import type { Verdict } from '../../../src/sinks/sink'

function spec(over: Partial<BatchTaskSpec>): BatchTaskSpec {
  return {
    taskId: 'b1',
    opSystem: 'clickhouse',
    opType: 'drop_partition',
    target: { database: 'analytics', table: 'events' },
    partition: '20261101',
    overwrite: false,
    opId: 'x',
    ...over,
  }
}

describe('clickhouseStatements', () => {
  test('drop_partition drops the partition by its id', () => {
    expect(clickhouseStatements(spec({}))).toEqual([
      "ALTER TABLE `analytics`.`events` DROP PARTITION ID '20261101'",
    ])
  })

  test('truncate_table truncates the table', () => {
    expect(clickhouseStatements(spec({ opType: 'truncate_table', partition: '' }))).toEqual([
      'TRUNCATE TABLE `analytics`.`events`',
    ])
  })

  test('add_range_partition and none issue nothing', () => {
    const range = { name: 'p1', lower: '1', upper: '2' }
    expect(clickhouseStatements(spec({ opType: 'add_range_partition', range }))).toEqual([])
    expect(clickhouseStatements(spec({ opType: 'none' }))).toEqual([])
  })

  test('refuses a Doris spec and a partition for truncate_table', () => {
    expect(() => clickhouseStatements(spec({ opSystem: 'doris' }))).toThrow()
    expect(() => clickhouseStatements(spec({ opType: 'truncate_table' }))).toThrow()
  })
})

describe('dorisStatements', () => {
  const d = (over: Partial<BatchTaskSpec>) => dorisStatements(spec({ opSystem: 'doris', ...over }))

  test('drop_partition drops the named partition if it exists', () => {
    expect(d({ partition: 'p20261101' })).toEqual([
      'ALTER TABLE `analytics`.`events` DROP PARTITION IF EXISTS `p20261101`',
    ])
  })

  test('truncate_table truncates the table or one partition', () => {
    expect(d({ opType: 'truncate_table', partition: '' })).toEqual([
      'TRUNCATE TABLE `analytics`.`events`',
    ])
    expect(d({ opType: 'truncate_table', partition: 'p1' })).toEqual([
      'TRUNCATE TABLE `analytics`.`events` PARTITION (`p1`)',
    ])
  })

  test('add_range_partition adds a left-closed, right-open range if it does not exist', () => {
    const range = { name: 'p20261101', lower: '2026-11-01', upper: '2026-11-02' }
    expect(d({ opType: 'add_range_partition', range })).toEqual([
      'ALTER TABLE `analytics`.`events` ADD PARTITION IF NOT EXISTS `p20261101` VALUES [("2026-11-01"), ("2026-11-02"))',
    ])
    const open = { name: 'pmax', lower: '2027-01-01 00:00:00', upper: 'MAXVALUE' }
    expect(d({ opType: 'add_range_partition', range: open })).toEqual([
      'ALTER TABLE `analytics`.`events` ADD PARTITION IF NOT EXISTS `pmax` VALUES [("2027-01-01 00:00:00"), (MAXVALUE))',
    ])
  })

  test('add_range_partition falls back to parsing op_partition when the spec came from the ledger', () => {
    expect(d({ opType: 'add_range_partition', partition: 'p1:[1,2)' })).toEqual([
      'ALTER TABLE `analytics`.`events` ADD PARTITION IF NOT EXISTS `p1` VALUES [("1"), ("2"))',
    ])
  })
})

describe('statement builders and injection', () => {
  const hostile = fc.oneof(
    fc.string({ maxLength: 50 }),
    fc.constantFrom(
      "x'; DROP TABLE events; --",
      'x`; DROP TABLE events; --',
      'x") , ("y',
      'MAXVALUE',
      'a\\',
      'p1) ; DROP',
    ),
  )

  test('a spec built around hostile text either throws or quotes only pattern-clean text', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('clickhouse' as const, 'doris' as const),
        fc.constantFrom(
          'drop_partition' as const,
          'truncate_table' as const,
          'add_range_partition' as const,
        ),
        hostile,
        hostile,
        hostile,
        (opSystem, opType, table, partition, bound) => {
          const s = spec({
            opSystem,
            opType,
            target: { database: 'analytics', table },
            partition,
            range: { name: partition, lower: bound, upper: bound },
          })
          let sql: string[]
          try {
            sql = opSystem === 'clickhouse' ? clickhouseStatements(s) : dorisStatements(s)
          } catch {
            return
          }
          for (const statement of sql) {
            expect(statement).not.toContain(';')
            expect(statement).not.toContain('--')
            expect(statement).not.toContain('\\')
            // Every quoted run holds only pattern characters.
            for (const m of statement.matchAll(/`([^`]*)`|'([^']*)'|"([^"]*)"/g)) {
              expect(m[0]).toMatch(/^[`'"][0-9A-Za-z_ :.+-]*[`'"]$/)
            }
          }
        },
      ),
    )
  })

  test('names with backquotes, quotes or spaces are refused before any SQL is made', () => {
    for (const table of ['a`b', "a'b", 'a b', 'a;b', '']) {
      const s = spec({ target: { database: 'analytics', table } })
      expect(() => clickhouseStatements(s)).toThrow()
      expect(() => dorisStatements({ ...s, opSystem: 'doris', partition: 'p1' })).toThrow()
    }
  })
})

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
