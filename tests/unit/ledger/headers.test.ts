import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { type HeaderContext, parseBatchHeaders } from '../../../src/ledger/headers'
import { opIdOf } from '../../../src/ledger/op-id'
import type { KafkaHeader } from '../../../src/source/packed-batch'

const enc = new TextEncoder()

function headers(values: Record<string, string | null>): KafkaHeader[] {
  return Object.entries(values).map(([name, v]) => ({
    name,
    value: v === null ? null : enc.encode(v),
  }))
}

const routed = new Set(['analytics.events', 'analytics.events_other', 'sales.orders'])

function ctx(sinkType: 'clickhouse' | 'doris' = 'clickhouse'): HeaderContext {
  return {
    sinkType,
    defaultDatabase: 'analytics',
    isRoutedTarget: (db, table) => routed.has(`${db}.${table}`),
  }
}

const drop = {
  batch_id: 'b-1',
  op_type: 'drop_partition',
  op_table: 'events',
  op_partition: '20261101',
}

function bad(values: Record<string, string | null>, sink: 'clickhouse' | 'doris' = 'clickhouse') {
  const r = parseBatchHeaders(headers(values), ctx(sink))
  expect(r.kind).toBe('bad')
  return r.kind === 'bad' ? r.detail : ''
}

describe('parseBatchHeaders', () => {
  test('a message without batch_id is no task, whatever other headers it has', () => {
    expect(parseBatchHeaders([], ctx())).toEqual({ kind: 'none' })
    expect(parseBatchHeaders(headers({ op_type: 'junk', trace: 'x' }), ctx())).toEqual({
      kind: 'none',
    })
  })

  test('a full drop_partition header set becomes a task with its op_id', () => {
    const r = parseBatchHeaders(headers({ ...drop, op_db: 'sales', op_table: 'orders' }), ctx())
    expect(r).toEqual({
      kind: 'task',
      task: {
        taskId: 'b-1',
        opSystem: 'clickhouse',
        opType: 'drop_partition',
        target: { database: 'sales', table: 'orders' },
        partition: '20261101',
        overwrite: false,
        opId: opIdOf({
          opSystem: 'clickhouse',
          opType: 'drop_partition',
          database: 'sales',
          table: 'orders',
          partition: '20261101',
        }),
      },
    })
  })

  test('op_db defaults to the route database and overwrite is read case-insensitively', () => {
    const r = parseBatchHeaders(headers({ ...drop, overwrite: 'TRUE' }), ctx())
    expect(r.kind === 'task' && r.task.target).toEqual({ database: 'analytics', table: 'events' })
    expect(r.kind === 'task' && r.task.overwrite).toBe(true)
    const f = parseBatchHeaders(headers({ ...drop, overwrite: 'False' }), ctx())
    expect(f.kind === 'task' && f.task.overwrite).toBe(false)
  })

  test('add_range_partition parses NAME:[LOWER,UPPER) and accepts MAXVALUE as the upper bound', () => {
    const r = parseBatchHeaders(
      headers({
        batch_id: 'r1',
        op_type: 'add_range_partition',
        op_table: 'events',
        op_partition: 'p20261101:[2026-11-01,2026-11-02)',
      }),
      ctx('doris'),
    )
    expect(r.kind === 'task' && r.task.range).toEqual({
      name: 'p20261101',
      lower: '2026-11-01',
      upper: '2026-11-02',
    })
    const max = parseBatchHeaders(
      headers({
        ...drop,
        op_type: 'add_range_partition',
        op_partition: 'pmax:[2027-01-01 00:00:00,MAXVALUE)',
      }),
      ctx('doris'),
    )
    expect(max.kind === 'task' && max.task.range?.upper).toBe('MAXVALUE')
  })

  test('op_type none with or without a partition is a task that runs nothing', () => {
    for (const op_partition of ['', 'all', 'p1:[1,2)']) {
      const values = { batch_id: 'n', op_type: 'none', op_table: 'events', op_partition }
      expect(parseBatchHeaders(headers(values), ctx()).kind).toBe('task')
    }
  })

  test('Doris truncate_table may name one partition; ClickHouse refuses a partition for it', () => {
    const t = { batch_id: 't', op_type: 'truncate_table', op_table: 'events', op_partition: 'p1' }
    expect(parseBatchHeaders(headers(t), ctx('doris')).kind).toBe('task')
    expect(bad(t, 'clickhouse')).toContain('takes no op_partition')
    expect(parseBatchHeaders(headers({ ...t, op_partition: '' }), ctx('clickhouse')).kind).toBe(
      'task',
    )
  })

  test('unknown or missing op_type, missing op_table and bad overwrite are bad_batch_header', () => {
    expect(bad({ ...drop, op_type: 'drop_table' })).toContain('unknown op_type')
    expect(bad({ ...drop, op_type: 'DROP_PARTITION' })).toContain('unknown op_type')
    expect(bad({ batch_id: 'x', op_table: 'events' })).toContain('op_type is required')
    expect(bad({ batch_id: 'x', op_type: 'none' })).toContain('op_table is required')
    expect(bad({ ...drop, overwrite: 'yes' })).toContain('overwrite')
    expect(bad({ ...drop, overwrite: '1' })).toContain('overwrite')
  })

  test('targets this sinker does not route to are refused', () => {
    expect(bad({ ...drop, op_table: 'users' })).toContain('not a table this sinker routes to')
    expect(bad({ ...drop, op_db: 'system', op_table: 'events' })).toContain('routes to')
  })

  test('SQL, quotes, path tricks and control characters in names never pass', () => {
    const attacks = [
      "events'; DROP TABLE events; --",
      'events`; DROP TABLE x',
      '../../etc/passwd',
      'events.other',
      'events other',
      'events\u0000',
      'évents',
      '',
      'a'.repeat(65),
    ]
    for (const a of attacks) {
      expect(bad({ ...drop, op_table: a })).toMatch(/op_table|required/)
      expect(bad({ ...drop, op_db: a })).toMatch(/op_db/)
    }
  })

  test('partition values that could escape a literal are refused for both sinks', () => {
    const attacks = [
      "2026'; DROP TABLE events; --",
      "all' OR '1'='1",
      'p1\\',
      'p 1',
      'p1)',
      'x'.repeat(129),
    ]
    for (const a of attacks) {
      expect(bad({ ...drop, op_partition: a }, 'clickhouse')).toContain('op_partition')
      expect(bad({ ...drop, op_partition: a }, 'doris')).toContain('op_partition')
    }
    expect(bad({ ...drop, op_partition: '' })).toContain('op_partition')
    expect(bad({ ...drop, op_partition: '1p' }, 'doris')).toContain('Doris partition name')
  })

  test('malformed ranges are refused', () => {
    const range = (op_partition: string) =>
      bad({ ...drop, op_type: 'add_range_partition', op_partition }, 'doris')
    for (const r of [
      'p1',
      'p1:2026-11-01,2026-11-02',
      'p1:[2026-11-01,2026-11-02]',
      'p1:[2026-11-01)',
      'p1:[a,b,c)',
      'p1:[MAXVALUE,2026-11-02)',
      'p1:["2026"),("x"))',
      "p1:[2026-11-01'),('x,2026)",
      'p-1:[1,2)',
      `p1:[${'9'.repeat(41)},2)`,
    ]) {
      expect(range(r)).toContain('op_partition')
    }
  })

  test('null, oversized, non-UTF-8 and repeated header values are refused', () => {
    expect(bad({ ...drop, op_table: null })).toContain('no value')
    expect(bad({ ...drop, batch_id: 'x'.repeat(300) })).toContain('longer than')
    expect(bad({ ...drop, batch_id: 'x'.repeat(129) })).toContain('batch_id')
    expect(bad({ ...drop, batch_id: 'with space' })).toContain('batch_id')
    expect(bad({ ...drop, batch_id: '' })).toContain('batch_id')
    const invalid: KafkaHeader[] = [
      ...headers(drop),
      { name: 'op_db', value: new Uint8Array([0xc3, 0x28]) },
    ]
    expect(parseBatchHeaders(invalid, ctx())).toEqual({
      kind: 'bad',
      detail: 'header op_db is not UTF-8',
    })
    const twice = [...headers(drop), ...headers({ op_table: 'events_other' })]
    expect(parseBatchHeaders(twice, ctx())).toEqual({
      kind: 'bad',
      detail: 'header op_table appears more than once',
    })
  })

  test('details quote at most a short excerpt of the bad value', () => {
    const detail = bad({ ...drop, op_type: 'x'.repeat(250) })
    expect(detail.length).toBeLessThan(80)
  })

  test('any header text either yields a task whose fields match the strict patterns or is refused', () => {
    const anyText = fc.oneof(
      fc.string({ maxLength: 70 }),
      fc.constantFrom('events', 'all', '20261101', 'p1:[1,2)'),
    )
    fc.assert(
      fc.property(
        fc.record({
          batch_id: fc.string({ minLength: 1, maxLength: 20 }),
          op_type: fc.constantFrom(
            'none',
            'drop_partition',
            'truncate_table',
            'add_range_partition',
            'x',
          ),
          op_db: anyText,
          op_table: anyText,
          op_partition: anyText,
        }),
        fc.constantFrom('clickhouse' as const, 'doris' as const),
        (values, sink) => {
          const r = parseBatchHeaders(headers(values), { ...ctx(sink), isRoutedTarget: () => true })
          if (r.kind !== 'task') return
          expect(r.task.target.database).toMatch(/^[A-Za-z0-9_]{1,64}$/)
          expect(r.task.target.table).toMatch(/^[A-Za-z0-9_]{1,64}$/)
          expect(r.task.partition).not.toMatch(/['"`\\;\s(]/u)
        },
      ),
    )
  })
})
