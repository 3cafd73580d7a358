import { describe, expect, test } from 'bun:test'
import { Batcher, type BatchLimits } from '../../../src/batch/batcher'
import { RowBytes } from '../../../src/batch/row-bytes'
import { ConfigError } from '../../../src/errors'

const target = { database: 'analytics', table: 'events' }
const INF = Number.POSITIVE_INFINITY

/** Writes a row as text and commits it, as BatchSet.add does. */
function add(
  b: Batcher,
  row: string,
  topicIndex: number,
  partition: number,
  offset: number,
  now: number,
) {
  const end = b.writeText(row)
  return b.commit(end - b.writePos, topicIndex, partition, offset, now)
}

const texts = (rows: RowBytes) => Array.from({ length: rows.length }, (_, i) => rows.text(i))

function batcher(limits: Partial<BatchLimits>, topics: string[] = ['events']): Batcher {
  const full = { max_rows: INF, max_bytes: INF, max_interval_ms: INF, ...limits }
  return new Batcher({ target, version: 3, limits: full, topics, labelPrefix: 'sinker' })
}

describe('Batcher limits', () => {
  test('refuses a config with no limit at all', () => {
    expect(() => batcher({})).toThrow(ConfigError)
  })

  test('refuses a limit that is zero or negative', () => {
    expect(() => batcher({ max_rows: 0, max_bytes: 10 })).toThrow('batch.max_rows')
  })

  test('reports rows when the row count reaches max_rows', () => {
    const b = batcher({ max_rows: 3 })
    expect(add(b, '{}', 0, 0, 1, 0)).toBeNull()
    expect(add(b, '{}', 0, 0, 2, 0)).toBeNull()
    expect(add(b, '{}', 0, 0, 3, 0)).toBe('rows')
  })

  test('reports bytes when the byte count reaches max_bytes', () => {
    const b = batcher({ max_bytes: 10 })
    expect(add(b, '{"a":1}', 0, 0, 1, 0)).toBeNull()
    expect(b.fits(3)).toBe(false)
    expect(add(b, '{}', 0, 0, 2, 0)).toBe('bytes')
    expect(b.bytes).toBe(11)
    expect(add(b, 'é', 0, 0, 3, 0)).toBe('bytes')
    expect(b.bytes).toBe(14)
  })

  test('an empty batch takes a row larger than max_bytes', () => {
    expect(batcher({ max_bytes: 10 }).fits(50)).toBe(true)
  })

  test('the age starts with the first row and is Infinity while empty', () => {
    const b = batcher({ max_interval_ms: 1000 })
    expect(b.msUntilDue(5000)).toBe(INF)
    add(b, '{}', 0, 0, 1, 5000)
    add(b, '{}', 0, 0, 2, 5600)
    expect(b.msUntilDue(5600)).toBe(400)
    expect(b.msUntilDue(7000)).toBe(0)
    b.drain('age')
    add(b, '{}', 0, 0, 3, 9000)
    expect(b.msUntilDue(9000)).toBe(1000)
  })
})

describe('Batcher drain', () => {
  test('hands over rows with their per-row offsets, label and reason, then starts empty', () => {
    const b = batcher({ max_rows: 100 }, ['a', 'b'])
    add(b, '{"x":1}', 0, 2, 10, 0)
    add(b, '{"x":2}', 1, 0, 77, 0)
    add(b, '{"x":3}', 0, 2, 11, 0)
    const batch = b.drain('shutdown')
    expect(batch.target).toEqual(target)
    expect(batch.version).toBe(3)
    expect(texts(batch.rows)).toEqual(['{"x":1}', '{"x":2}', '{"x":3}'])
    expect(new TextDecoder().decode(batch.rows.body)).toBe('{"x":1}\n{"x":2}\n{"x":3}\n')
    expect([...batch.rows.ends]).toEqual([8, 16, 24])
    expect(batch.bytes).toBe(24)
    expect(batch.topics).toEqual(['a', 'b'])
    expect([...batch.topicIndexes]).toEqual([0, 1, 0])
    expect([...batch.partitions]).toEqual([2, 0, 2])
    expect([...batch.offsets]).toEqual([10, 77, 11])
    expect(batch.reason).toBe('shutdown')
    expect(batch.label).toMatch(/^sinker_analytics_events_[0-9a-f]{32}$/)
    expect(b.size).toBe(0)
    expect(b.bytes).toBe(0)
  })

  test('grows past its initial capacity without losing rows', () => {
    const b = batcher({ max_rows: 10_000 })
    for (let i = 0; i < 1000; i++) add(b, `{"i":${i}}`, 0, i % 4, i, 0)
    const batch = b.drain('rows')
    expect(batch.rows.length).toBe(1000)
    expect(batch.rows.text(999)).toBe('{"i":999}')
    expect(batch.offsets[999]).toBe(999)
    expect(batch.partitions[999]).toBe(3)
  })
})

describe('Batcher row bytes', () => {
  test('drainKeeping hands over the committed rows and keeps the row being written', () => {
    const b = batcher({ max_rows: 100 })
    add(b, 'one', 0, 0, 1, 0)
    const end = b.writeText('two')
    const batch = b.drainKeeping(end - b.writePos, 'bytes')
    expect(texts(batch.rows)).toEqual(['one'])
    expect(b.commit(3, 0, 0, 2, 0)).toBeNull()
    expect(texts(b.drain('age').rows)).toEqual(['two'])
  })

  test('a drained body stays intact while the batcher fills a new one', () => {
    const b = batcher({ max_rows: 100 })
    add(b, 'kept', 0, 0, 1, 0)
    const batch = b.drain('age')
    for (let i = 0; i < 100; i++) add(b, 'overwritten?', 0, 0, 2 + i, 0)
    expect(texts(batch.rows)).toEqual(['kept'])
  })
})

describe('Batcher.dropPartitions', () => {
  test('removes the rows of matching partitions and returns their offsets', () => {
    const b = batcher({ max_rows: 100 }, ['a', 'b'])
    add(b, 'r1', 0, 0, 1, 0)
    add(b, 'r2', 0, 1, 1, 0)
    add(b, 'r3', 1, 0, 9, 0)
    add(b, 'r4', 0, 1, 2, 0)
    const dropped = b.dropPartitions((topicIndex, partition) => topicIndex === 0 && partition === 1)
    expect(dropped).toEqual([
      { topicIndex: 0, partition: 1, offset: 1 },
      { topicIndex: 0, partition: 1, offset: 2 },
    ])
    expect(b.size).toBe(2)
    expect(b.bytes).toBe(6)
    const batch = b.drain('age')
    expect(texts(batch.rows)).toEqual(['r1', 'r3'])
    expect(batch.rows.body).toEqual(RowBytes.fromStrings(['r1', 'r3']).body)
    expect([...batch.offsets]).toEqual([1, 9])
  })
})
