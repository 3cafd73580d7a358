import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { clickhouseStatements } from '../../../src/ledger/actions-clickhouse'
import { dorisStatements } from '../../../src/ledger/actions-doris'
import type { BatchTaskSpec } from '../../../src/ledger/task'
import { taskSpec } from './ledger-fixtures'

function spec(over: Partial<BatchTaskSpec>): BatchTaskSpec {
  return taskSpec('b1', over.opType ?? 'drop_partition', { partition: '20261101', ...over })
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
