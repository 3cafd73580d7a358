import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { BatchSet, type DrainedBatch } from '../../../src/batch/batch-set'
import type { Clock } from '../../../src/core/clock'
import { systemClock } from '../../../src/core/clock'
import type { DeadLetterInput } from '../../../src/deadletter/dead-letter'
import { OffsetTracker } from '../../../src/delivery/offset-tracker'
import { ReplayPlan } from '../../../src/delivery/replay-plan'
import { createMetrics } from '../../../src/metrics/metrics'
import { type IngestDeps, ingest, released } from '../../../src/pipeline/ingest'
import { ParkedMessages } from '../../../src/pipeline/parked'
import { type ColumnOutcome, TargetRegistry } from '../../../src/pipeline/targets'
import { Router } from '../../../src/route/router'
import type { NewColumn, NewColumnKind } from '../../../src/schema/dynamic-column'
import { compileRowEncoder } from '../../../src/schema/row-encoder'
import type { ColumnDef, SchemaSnapshot, TargetRef } from '../../../src/schema/table-schema'
import { CLICKHOUSE_COLUMN_TYPES } from '../../../src/sinks/clickhouse/ddl'
import type { Sink, Verdict } from '../../../src/sinks/sink'
import { packBatch, type TestMessage } from '../../support/packed'

const never = new AbortController().signal
const tick = () => new Promise<void>((r) => setTimeout(r, 0))
const BASE: ColumnDef[] = [
  { name: 'id', type: 'UInt64', defaultKind: '' },
  { name: 'tenant', type: 'String', defaultKind: '' },
]
// biome-ignore lint/suspicious/noTemplateCurlyInString: a sinker route template, not JS
const TEMPLATE = 'events_${tenant}'

/** A ClickHouse-like sink over in-memory tables: describe reads them, addColumn changes them. */
class TablesSink {
  readonly kind = 'clickhouse' as const
  readonly tables = new Map<string, ColumnDef[]>()
  readonly failing = new Set<string>()
  readonly gates = new Map<string, Promise<void>>()
  readonly alters: string[] = []
  describing = 0
  peak = 0

  async describe(t: TargetRef): Promise<ColumnDef[] | null> {
    const key = `${t.database}.${t.table}`
    this.describing++
    this.peak = Math.max(this.peak, this.describing)
    try {
      await tick()
      await this.gates.get(key)
      if (this.failing.has(key)) throw new Error('connection refused')
      const cols = this.tables.get(key)
      return cols ? [...cols] : null
    } finally {
      this.describing--
    }
  }

  async addColumn(t: TargetRef, c: NewColumn): Promise<Verdict> {
    const key = `${t.database}.${t.table}`
    this.alters.push(`${key}.${c.name}`)
    await tick()
    const cols = this.tables.get(key)
    if (!cols) return { kind: 'retry', why: 'no table' }
    if (cols.some((x) => x.name === c.name)) return { kind: 'duplicate' }
    cols.push({ name: c.name, type: CLICKHOUSE_COLUMN_TYPES[c.kind], defaultKind: '' })
    return { kind: 'ok' }
  }
}

interface World {
  deps: IngestDeps
  sink: TablesSink
  snapshots: Map<number, SchemaSnapshot>
  columns: Array<{ table: string; name: string; outcome: ColumnOutcome }>
  assigned: Set<number>
  out: { drained: DrainedBatch[]; deadLetters: DeadLetterInput[] }
}

function world(opts: { dynamic?: boolean; maxColumns?: number; clock?: Clock } = {}): World {
  const sink = new TablesSink()
  const tracker = new OffsetTracker()
  const assigned = new Set([0, 1, 2])
  for (const p of assigned) tracker.assign('events', p)
  const snapshots = new Map<number, SchemaSnapshot>()
  const columns: World['columns'] = []
  const policy = { allow: /^[a-z][a-z0-9_]{0,62}$/, maxColumns: opts.maxColumns ?? 100 }
  const deps: IngestDeps = {
    tracker,
    router: new Router([{ topic: 'events', table: TEMPLATE, database: 'db' }], 'db'),
    targets: new TargetRegistry({
      sink: sink as unknown as Sink,
      clock: opts.clock ?? systemClock,
      describeTimeoutMs: 1000,
      retry: { initial_backoff_ms: 1, max_backoff_ms: 2 },
      compile: (snapshot, timezone) => {
        snapshots.set(snapshot.version, snapshot)
        return compileRowEncoder(snapshot, { timezone })
      },
      onTrouble: () => undefined,
      onColumn: (t, c, outcome) => columns.push({ table: t.table, name: c.name, outcome }),
    }),
    batches: new BatchSet({ max_rows: 7, max_bytes: 1e9, max_interval_ms: 1e9 }),
    parked: new ParkedMessages(),
    metrics: createMetrics(),
    now: () => 0,
    maxMessageBytes: 1_000_000,
    loadOptions: () => ({ timezone: 'UTC' }),
    dynamic: () => (opts.dynamic ? policy : undefined),
    isAssigned: (_t, p) => assigned.has(p),
    sinkKind: 'clickhouse',
  }
  return { deps, sink, snapshots, columns, assigned, out: { drained: [], deadLetters: [] } }
}

function addTable(w: World, tenant: string): void {
  w.sink.tables.set(
    `db.events_${tenant}`,
    BASE.map((c) => ({ ...c })),
  )
}

async function feed(w: World, messages: TestMessage[]): Promise<void> {
  const r = await ingest(packBatch(messages), w.deps, never)
  w.out.drained.push(...r.drained)
  w.out.deadLetters.push(...r.deadLetters)
}

function release(w: World): void {
  const r = released(w.deps, never)
  w.out.drained.push(...r.drained)
  w.out.deadLetters.push(...r.deadLetters)
}

/** Lets background loads and changes run, releasing parked messages, until none is parked. */
async function settle(w: World, maxTicks = 500): Promise<void> {
  for (let i = 0; i < maxTicks && w.deps.parked.size > 0; i++) {
    await tick()
    release(w)
  }
  expect(w.deps.parked.size).toBe(0)
}

function finish(w: World): DrainedBatch[] {
  w.out.drained.push(...w.deps.batches.drainAll('shutdown'))
  return w.out.drained
}

interface Row {
  table: string
  version: number
  partition: number
  offset: number
  row: Record<string, unknown>
}

function rowsOf(batches: DrainedBatch[]): Row[] {
  return batches.flatMap((b) =>
    Array.from({ length: b.rows.length }, (_, i) => ({
      table: b.target.table,
      version: b.version,
      partition: b.partitions[i]!,
      offset: b.offsets[i]!,
      row: JSON.parse(b.rows.text(i)) as Record<string, unknown>,
    })),
  )
}

const msg = (partition: number, offset: number, value: Record<string, unknown>): TestMessage => ({
  topic: 'events',
  partition,
  offset,
  value: JSON.stringify(value),
})

/** What a value of a new column of `kind` reads back as in its JSONEachRow row. */
function written(kind: NewColumnKind, v: unknown): unknown {
  if (kind === 'bool') return v ? 1 : 0
  if (kind === 'json') return JSON.stringify(v)
  return v
}

const KEY_KINDS: Record<string, NewColumnKind> = {
  n_int: 'int',
  n_float: 'float',
  n_bool: 'bool',
  n_str: 'string',
  n_obj: 'json',
}

const sampleOf = (kind: NewColumnKind, seed: number): unknown => {
  switch (kind) {
    case 'int':
      return seed - 50
    case 'float':
      return seed + 0.25
    case 'bool':
      return seed % 2 === 0
    case 'string':
      return `s${seed}`
    case 'json':
      return { k: seed, l: [seed, 'x'] }
  }
}

describe('target registry and parking', () => {
  test('random interleavings of tenants, new keys and loads: every row is its own tenant, with its own schema, in order', async () => {
    const keyNames = Object.keys(KEY_KINDS)
    const message = fc.record({
      tenant: fc.integer({ min: 0, max: 4 }),
      partition: fc.integer({ min: 0, max: 2 }),
      // Some tenants get new keys: each key's own kind, so its first value types its column.
      extra: fc.subarray(keyNames, { maxLength: 3 }),
      seed: fc.integer({ min: 0, max: 99 }),
    })
    await fc.assert(
      fc.asyncProperty(
        fc.array(message, { minLength: 1, maxLength: 80 }),
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 20 }),
        async (messages, chunks, pauses) => {
          const w = world({ dynamic: true })
          for (let t = 0; t < 5; t++) addTable(w, `t${t}`)
          const offsets = [0, 0, 0]
          const sent = messages.map((m) => {
            const value: Record<string, unknown> = { id: 0, tenant: `t${m.tenant}` }
            // Tenant 0 never brings new keys: its table must stay as it was.
            if (m.tenant !== 0) for (const k of m.extra) value[k] = sampleOf(KEY_KINDS[k]!, m.seed)
            const offset = offsets[m.partition]!++
            value.id = m.partition * 1000 + offset
            return { partition: m.partition, offset, value }
          })
          let at = 0
          for (let c = 0; at < sent.length; c++) {
            const size = chunks[c % chunks.length]!
            await feed(
              w,
              sent.slice(at, at + size).map((s) => msg(s.partition, s.offset, s.value)),
            )
            at += size
            // Sometimes loads and ALTERs finish between polls, sometimes not.
            for (let k = 0; k < pauses[c % pauses.length]!; k++) await tick()
            if (c % 2 === 0) release(w)
          }
          await settle(w)
          const rows = rowsOf(finish(w))
          expect(w.out.deadLetters).toEqual([])
          expect(rows.length).toBe(sent.length)
          const byId = new Map(rows.map((r) => [Number(r.row.id), r]))
          for (const s of sent) {
            const r = byId.get(s.value.id as number)!
            expect(r.table).toBe(`events_${s.value.tenant}`)
            const snapshot = w.snapshots.get(r.version)!
            // Built with a snapshot of its own target, holding only that snapshot's columns.
            expect(snapshot.target.table).toBe(r.table)
            const names = new Set(snapshot.columns.map((c) => c.name))
            for (const k of Object.keys(r.row)) expect(names.has(k)).toBe(true)
            // The message that brought a key lands with its value in the new column.
            for (const [k, v] of Object.entries(s.value)) {
              if (k in KEY_KINDS) expect(r.row[k]).toEqual(written(KEY_KINDS[k]!, v))
            }
          }
          // Per table and partition, rows come in offset order (parked ones included).
          for (const t of [0, 1, 2, 3, 4]) {
            for (const p of [0, 1, 2]) {
              const seq = rows.filter((r) => r.table === `events_t${t}` && r.partition === p)
              const ordered = [...seq].sort((a, b) => a.offset - b.offset)
              expect(seq.map((r) => r.offset)).toEqual(ordered.map((r) => r.offset))
            }
          }
          // Each table got exactly the columns its own tenant's keys asked for.
          for (let t = 0; t < 5; t++) {
            const asked = new Set(
              sent.filter((s) => s.value.tenant === `t${t}`).flatMap((s) => Object.keys(s.value)),
            )
            const cols = w.sink.tables.get(`db.events_t${t}`)!.map((c) => c.name)
            expect(new Set(cols)).toEqual(new Set([...asked, 'id', 'tenant']))
          }
          expect(w.columns.every((c) => c.outcome === 'added')).toBe(true)
          expect(w.deps.tracker.inflightBytes()).toBeGreaterThan(0)
        },
      ),
      { numRuns: 60 },
    )
  }, 120_000)

  test('a target whose load keeps failing parks its messages while the others flow', async () => {
    const w = world()
    addTable(w, 'a')
    addTable(w, 'b')
    w.sink.failing.add('db.events_a')
    const messages = Array.from({ length: 20 }, (_, i) =>
      msg(i % 2, i >> 1, { id: i, tenant: i % 4 === 0 ? 'a' : 'b' }),
    )
    await feed(w, messages)
    for (let k = 0; k < 30; k++) {
      await tick()
      release(w)
    }
    const flowing = rowsOf([...w.out.drained.splice(0), ...w.deps.batches.drainAll('age')])
    expect(flowing.map((r) => r.row.id)).toEqual(
      messages.map((_, i) => i).filter((i) => i % 4 !== 0),
    )
    expect(w.deps.parked.size).toBe(5)
    expect(w.deps.targets.busy('db.events_a')).toBe(true)
    // Still parked, so partition 0's commit point stays at its first message of tenant a.
    expect(w.deps.tracker.commitPoint('events', 0)).toBe(0)
    w.sink.failing.delete('db.events_a')
    await settle(w)
    const late = rowsOf(finish(w))
    expect(late.map((r) => r.row.id)).toEqual([0, 4, 8, 12, 16])
  })

  test('parked messages are released in arrival order, before later messages of their target', async () => {
    const w = world()
    addTable(w, 'a')
    const gate = Promise.withResolvers<void>()
    w.sink.gates.set('db.events_a', gate.promise)
    await feed(
      w,
      [0, 1, 2].map((o) => msg(0, o, { id: o, tenant: 'a' })),
    )
    await feed(
      w,
      [3, 4].map((o) => msg(0, o, { id: o, tenant: 'a' })),
    )
    expect(w.deps.parked.size).toBe(5)
    gate.resolve()
    for (let k = 0; k < 10 && w.deps.targets.busy('db.events_a'); k++) await tick()
    // The next poll releases the parked five first, then its own messages.
    await feed(
      w,
      [5, 6].map((o) => msg(0, o, { id: o, tenant: 'a' })),
    )
    expect(rowsOf(finish(w)).map((r) => r.row.id)).toEqual([0, 1, 2, 3, 4, 5, 6])
  })

  test('a missing table dead-letters its parked messages as unknown_table, with their bytes', async () => {
    const w = world()
    addTable(w, 'a')
    const messages = [msg(0, 0, { id: 1, tenant: 'gone' }), msg(0, 1, { id: 2, tenant: 'a' })]
    await feed(w, messages)
    await settle(w)
    expect(w.out.deadLetters.map((d) => [d.reason, d.offset, d.detail])).toEqual([
      ['unknown_table', 0, 'table db.events_gone does not exist'],
    ])
    expect(new TextDecoder().decode(w.out.deadLetters[0]!.value!)).toBe(
      messages[0]!.value as string,
    )
    // Within the next 60 s a message of that table is dead-lettered at once.
    await feed(w, [msg(0, 2, { id: 3, tenant: 'gone' })])
    expect(w.out.deadLetters.map((d) => d.offset)).toEqual([0, 2])
    expect(rowsOf(finish(w)).map((r) => r.row.id)).toEqual([2])
  })

  test('messages of a partition revoked while they were parked are never placed', async () => {
    const w = world()
    addTable(w, 'a')
    await feed(w, [msg(0, 0, { id: 1, tenant: 'a' }), msg(1, 0, { id: 2, tenant: 'a' })])
    w.assigned.delete(1)
    await settle(w)
    expect(rowsOf(finish(w)).map((r) => r.row.id)).toEqual([1])
  })

  test('at most 8 tables are read at once, whatever the number of new targets', async () => {
    const w = world()
    for (let t = 0; t < 40; t++) addTable(w, `t${t}`)
    await feed(
      w,
      Array.from({ length: 40 }, (_, t) => msg(0, t, { id: t, tenant: `t${t}` })),
    )
    await settle(w)
    expect(w.sink.peak).toBe(8)
    expect(rowsOf(finish(w)).length).toBe(40)
  })

  test('a schema change drains the old version first and counts once per column added', async () => {
    const w = world({ dynamic: true })
    addTable(w, 'a')
    await feed(w, [msg(0, 0, { id: 1, tenant: 'a' })])
    await settle(w)
    await feed(w, [msg(0, 1, { id: 2, tenant: 'a' }), msg(0, 2, { id: 3, tenant: 'a', extra: 7 })])
    // The version-1 rows left as their own batch, before the ALTER.
    expect(w.out.drained.map((b) => [b.reason, b.rows.length])).toEqual([['schema_change', 2]])
    await settle(w)
    await feed(w, [msg(0, 3, { id: 4, tenant: 'a', extra: 8 })])
    const rows = rowsOf(finish(w))
    expect(rows.map((r) => [r.row.id, r.row.extra, r.version])).toEqual([
      [1, undefined, 1],
      [2, undefined, 1],
      [3, 7, 2],
      [4, 8, 2],
    ])
    expect(w.columns).toEqual([{ table: 'events_a', name: 'extra', outcome: 'added' }])
    expect(w.sink.alters).toEqual(['db.events_a.extra'])
  })

  test('at max_columns new keys are ignored, the row still written', async () => {
    const w = world({ dynamic: true, maxColumns: 3 })
    addTable(w, 'a')
    await feed(w, [msg(0, 0, { id: 1, tenant: 'a', x1: 1, x2: 2 })])
    await settle(w)
    await feed(w, [msg(0, 1, { id: 2, tenant: 'a', x3: 3 })])
    expect(w.deps.parked.size).toBe(0)
    expect(rowsOf(finish(w)).map((r) => r.row)).toEqual([
      { id: 1, tenant: 'a', x1: 1 },
      { id: 2, tenant: 'a', x1: null },
    ])
    expect(w.sink.alters).toEqual(['db.events_a.x1'])
  })

  test('a column already added by another process is success; a refused one is not asked again', async () => {
    const w = world({ dynamic: true })
    addTable(w, 'a')
    const sink = w.sink
    const original = sink.addColumn.bind(sink)
    sink.addColumn = async (t, c) => {
      if (c.name === 'bad') {
        sink.alters.push(`refused ${c.name}`)
        return { kind: 'reject', why: 'Code: 44, not allowed' }
      }
      // Another sinker adds it first.
      await original(t, c)
      return original(t, c)
    }
    await feed(w, [msg(0, 0, { id: 1, tenant: 'a', bad: 1, dup: 'x' })])
    await settle(w)
    await feed(w, [msg(0, 1, { id: 2, tenant: 'a', bad: 2 })])
    await settle(w)
    expect(rowsOf(finish(w)).map((r) => r.row)).toEqual([
      { id: 1, tenant: 'a', dup: 'x' },
      { id: 2, tenant: 'a', dup: null },
    ])
    expect(w.columns.map((c) => [c.name, c.outcome])).toEqual([
      ['bad', 'refused'],
      ['dup', 'exists'],
    ])
    expect(sink.alters.filter((a) => a.startsWith('refused'))).toEqual(['refused bad'])
  })

  test('a transient ALTER failure is retried, never dropped', async () => {
    const w = world({ dynamic: true })
    addTable(w, 'a')
    let failures = 3
    const original = w.sink.addColumn.bind(w.sink)
    w.sink.addColumn = (t, c) =>
      failures-- > 0 ? Promise.resolve({ kind: 'retry', why: 'timeout' }) : original(t, c)
    await feed(w, [msg(0, 0, { id: 1, tenant: 'a', extra: true })])
    await settle(w)
    expect(failures).toBe(-1)
    expect(rowsOf(finish(w)).map((r) => r.row)).toEqual([{ id: 1, tenant: 'a', extra: 1 }])
  })
})

describe('exactly_once replay with parked messages', () => {
  test('a manifest whose rows wait for their table is replayed whole, with its label, once they are placed', async () => {
    const w = world()
    addTable(w, 'a')
    addTable(w, 'b')
    const replay = new ReplayPlan()
    const target = { database: 'db', table: 'events_a' }
    // Before a crash: offsets 0-3 of partition 0 formed one unwritten batch of table events_a.
    replay.load(
      [{ topic: 'events', partition: 0 }],
      [
        {
          label: 'stored-label',
          target,
          task: undefined,
          topic: 'events',
          partition: 0,
          firstOffset: 0,
          lastOffset: 3,
          rows: 4,
          written: false,
        },
      ],
      (m) => `${m.target.database}.${m.target.table}`,
    )
    w.deps.replay = replay
    const gate = Promise.withResolvers<void>()
    w.sink.gates.set('db.events_a', gate.promise)
    await feed(w, [
      msg(0, 0, { id: 0, tenant: 'a' }),
      msg(0, 1, { id: 1, tenant: 'a' }),
      msg(0, 2, { id: 2, tenant: 'a' }),
      msg(0, 3, { id: 3, tenant: 'a' }),
      msg(0, 4, { id: 4, tenant: 'b' }),
    ])
    for (let k = 0; k < 20; k++) {
      await tick()
      release(w)
    }
    // The partition was read past offset 3, but its rows are parked: no partial replay.
    expect(w.out.drained.filter((b) => b.reason === 'replay')).toEqual([])
    expect(replay.pending()).toBe(1)
    gate.resolve()
    await settle(w)
    const replayed = w.out.drained.filter((b) => b.reason === 'replay')
    expect(replayed.map((b) => [b.label, b.target.table, [...b.offsets]])).toEqual([
      ['stored-label', 'events_a', [0, 1, 2, 3]],
    ])
    expect(replay.pending()).toBe(0)
    // The row outside the manifest forms an ordinary batch.
    const rest = rowsOf(finish(w).filter((b) => b.reason !== 'replay'))
    expect(rest.map((r) => [r.table, r.row.id])).toEqual([['events_b', 4]])
  })
})

describe('eviction', () => {
  test('idle targets and those beyond the cap are forgotten, then reloaded with a new version', async () => {
    let now = 0
    const clock: Clock = { now: () => now, sleep: systemClock.sleep }
    const sink = new TablesSink()
    for (let t = 0; t < 30; t++) sink.tables.set(`db.t${t}`, [...BASE])
    const registry = new TargetRegistry({
      sink: sink as unknown as Sink,
      clock,
      describeTimeoutMs: 1000,
      retry: { initial_backoff_ms: 1, max_backoff_ms: 1 },
      compile: (snapshot, timezone) => compileRowEncoder(snapshot, { timezone }),
      onTrouble: () => undefined,
      idleMs: 60_000,
      maxTargets: 10,
    })
    for (let t = 0; t < 30; t++) {
      now = t * 2000
      await registry.load({ database: 'db', table: `t${t}` }, { timezone: 'UTC' }, never)
    }
    expect(registry.size).toBe(30)
    // t3 is pinned (it has parked messages); t29 is used now.
    registry.peek('db.t29', now)
    const evicted = registry.sweep(now, (key) => key === 'db.t3')
    expect(registry.size).toBe(10)
    expect(evicted).toHaveLength(20)
    expect(evicted).not.toContain('db.t3')
    expect(registry.peek('db.t3', now)).toBeDefined()
    expect(registry.peek('db.t29', now)?.snapshot.version).toBe(30)
    expect(registry.peek('db.t0', now)).toBeUndefined()
    // Everything idle for a minute goes, whatever the cap.
    now += 61_000
    registry.peek('db.t29', now)
    registry.sweep(now, () => false)
    expect(registry.size).toBe(1)
    const again = await registry.load({ database: 'db', table: 't0' }, { timezone: 'UTC' }, never)
    expect(again?.snapshot.version).toBe(31)
  })

  test('10,000 db keys: loaded targets stay at the cap', async () => {
    let now = 0
    const clock: Clock = { now: () => now, sleep: systemClock.sleep }
    const describe = (t: TargetRef) =>
      Promise.resolve([...BASE, { name: t.table, type: 'String', defaultKind: '' as const }])
    const registry = new TargetRegistry({
      sink: { describe } as unknown as Sink,
      clock,
      describeTimeoutMs: 1000,
      retry: { initial_backoff_ms: 1, max_backoff_ms: 1 },
      compile: (snapshot, timezone) => compileRowEncoder(snapshot, { timezone }),
      onTrouble: () => undefined,
      maxTargets: 1000,
    })
    for (let t = 0; t < 10_000; t++) {
      now = t
      const state = await registry.load(
        { database: 'db', table: `k${t}` },
        { timezone: 'UTC' },
        never,
      )
      expect(state?.snapshot.columns[2]?.name).toBe(`k${t}`)
      if (t % 500 === 0) registry.sweep(now, () => false)
      expect(registry.size).toBeLessThanOrEqual(1500)
    }
    registry.sweep(now, () => false)
    expect(registry.size).toBe(1000)
    expect(registry.peek('db.k9999', now)).toBeDefined()
    expect(registry.peek('db.k8999', now)).toBeUndefined()
  })
})
