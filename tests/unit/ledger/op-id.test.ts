import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { type OpIdParts, opIdOf } from '../../../src/ledger/op-id'

const parts: OpIdParts = {
  opSystem: 'clickhouse',
  opType: 'drop_partition',
  database: 'analytics',
  table: 'events',
  partition: '20261101',
}

describe('opIdOf', () => {
  test('is pinned: a change would make overwrite miss tasks recorded by older builds', () => {
    // sha256('clickhouse\0drop_partition\0analytics\0events\020261101'), computed with Python.
    expect(opIdOf(parts)).toBe('3f75d88a9080316883de05bda1e5f6f1')
  })

  test('is 32 lowercase hex digits', () => {
    expect(opIdOf(parts)).toMatch(/^[0-9a-f]{32}$/)
  })

  test('differs when any one part differs', () => {
    const variants: OpIdParts[] = [
      { ...parts, opSystem: 'doris' },
      { ...parts, opType: 'truncate_table' },
      { ...parts, database: 'analytics2' },
      { ...parts, table: 'events2' },
      { ...parts, partition: '20261102' },
      { ...parts, partition: '' },
    ]
    const ids = new Set([opIdOf(parts), ...variants.map(opIdOf)])
    expect(ids.size).toBe(variants.length + 1)
  })

  test('parts cannot run into each other: moving text between fields changes the id', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z_]{1,10}$/),
        fc.stringMatching(/^[a-z_]{1,10}$/),
        (a, b) => {
          expect(opIdOf({ ...parts, database: `${a}${b}`, table: 'x' })).not.toBe(
            opIdOf({ ...parts, database: a, table: `${b}x` }),
          )
        },
      ),
    )
  })
})
