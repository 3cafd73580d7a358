import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { batchLabel, MAX_LABEL_LENGTH, offsetRanges, subLabel } from '../../../src/batch/label'

const target = { database: 'analytics', table: 'events' }
const VALID = /^[A-Za-z0-9_-]{1,128}$/

interface Row {
  topic: number
  partition: number
  offset: number
}

function rowsOf(list: Row[], topics = ['a', 'b', 'c']) {
  return {
    topics,
    topicIndexes: Uint16Array.from(list, (r) => r.topic),
    partitions: Int32Array.from(list, (r) => r.partition),
    offsets: Float64Array.from(list, (r) => r.offset),
  }
}

describe('batchLabel', () => {
  test('is the prefix, database, table and a 128-bit hash', () => {
    const label = batchLabel('sinker', target, rowsOf([{ topic: 0, partition: 1, offset: 5 }]))
    expect(label).toMatch(/^sinker_analytics_events_[0-9a-f]{32}$/)
  })

  test('is the same for the same ranges whatever the topic table order', () => {
    const one = rowsOf([{ topic: 0, partition: 1, offset: 5 }], ['x', 'y'])
    const two = rowsOf([{ topic: 1, partition: 1, offset: 5 }], ['y', 'x'])
    expect(batchLabel('p', target, one)).toBe(batchLabel('p', target, two))
  })

  test('differs by target', () => {
    const rows = rowsOf([{ topic: 0, partition: 0, offset: 1 }])
    const other = { database: 'analytics', table: 'events_2' }
    expect(batchLabel('p', target, rows)).not.toBe(batchLabel('p', other, rows))
  })

  test('keeps to Doris label rules for long or odd names', () => {
    const odd = { database: 'd'.repeat(64), table: 'weird.name$'.repeat(6) }
    const label = batchLabel('sinker', odd, rowsOf([{ topic: 0, partition: 0, offset: 1 }]))
    expect(label).toMatch(VALID)
    expect(label.length).toBe(MAX_LABEL_LENGTH)
  })

  test('ranges are min..max per topic-partition, sorted', () => {
    const rows = rowsOf([
      { topic: 1, partition: 0, offset: 7 },
      { topic: 0, partition: 2, offset: 4 },
      { topic: 0, partition: 2, offset: 2 },
      { topic: 0, partition: 1, offset: 9 },
    ])
    expect(offsetRanges(rows)).toEqual([
      ['a', 1, 9, 9],
      ['a', 2, 2, 4],
      ['b', 0, 7, 7],
    ])
  })
})

describe('subLabel', () => {
  test('appends the row range and stays deterministic', () => {
    expect(subLabel('sinker_db_t_abc', 0, 500)).toBe('sinker_db_t_abc_0_500')
    expect(subLabel('sinker_db_t_abc', 500, 1000)).toBe(subLabel('sinker_db_t_abc', 500, 1000))
  })

  test('stays within 128 valid characters and distinct for long labels', () => {
    const long = `x${'y'.repeat(126)}`
    const a = subLabel(long, 0, 1)
    const b = subLabel(long, 1, 2)
    expect(a).toMatch(VALID)
    expect(b).toMatch(VALID)
    expect(a).not.toBe(b)
    expect(subLabel(long, 0, 1)).toBe(a)
  })
})

const row = fc.record({
  topic: fc.nat(2),
  partition: fc.nat(5),
  offset: fc.nat(1_000_000),
})

describe('batchLabel properties', () => {
  test('the order of rows does not matter', () => {
    fc.assert(
      fc.property(
        fc
          .array(row, { minLength: 1, maxLength: 50, size: 'max' })
          .chain((rows) =>
            fc.tuple(fc.constant(rows), fc.shuffledSubarray(rows, { minLength: rows.length })),
          ),
        ([rows, shuffled]) => {
          expect(batchLabel('s', target, rowsOf(shuffled))).toBe(
            batchLabel('s', target, rowsOf(rows)),
          )
        },
      ),
    )
  })

  test('distinct offset ranges never share a label', () => {
    const canonical = (rows: Row[]) => JSON.stringify(offsetRanges(rowsOf(rows)))
    fc.assert(
      fc.property(
        fc.array(fc.array(row, { minLength: 1, maxLength: 8 }), { maxLength: 200, size: 'max' }),
        (batches) => {
          const byLabel = new Map<string, string>()
          for (const rows of batches) {
            const label = batchLabel('s', target, rowsOf(rows))
            expect(label).toMatch(VALID)
            const seen = byLabel.get(label)
            if (seen !== undefined) expect(seen).toBe(canonical(rows))
            byLabel.set(label, canonical(rows))
          }
        },
      ),
    )
  })
})
