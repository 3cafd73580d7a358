import { describe, expect, test } from 'bun:test'
import { dorisStatements } from '../../../src/ledger/actions-doris'
import type { BatchTaskSpec } from '../../../src/ledger/task'
import { taskSpec } from './ledger-fixtures'

function spec(over: Partial<BatchTaskSpec>): BatchTaskSpec {
  return taskSpec('b1', over.opType ?? 'drop_partition', { partition: '20261101', ...over })
}

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
