/**
 * The ClickHouse sink's addColumn against a real ClickHouse 18.16: whether the server takes
 * `ADD COLUMN IF NOT EXISTS` (the sink must use it only where it exists), the "already exists"
 * answer of a plain ADD COLUMN, and several adders of one column racing (dynamic schema, SPEC §9).
 */
import { beforeAll, describe, expect, test } from 'bun:test'
import { systemClock } from '../../src/core/clock'
import type { NewColumnKind } from '../../src/schema/dynamic-column'
import { addColumnSql } from '../../src/sinks/clickhouse/ddl'
import { type ClickHouseSink, createClickHouseSink } from '../../src/sinks/clickhouse/index'
import type { ClickHouseServer } from '../support/clickhouse-server'
import { sharedClickHouse } from '../support/shared-services'

const DB = `dyncol_${process.pid}`
const never = new AbortController().signal
let ch: ClickHouseServer

beforeAll(async () => {
  ch = await sharedClickHouse()
  await ch.query(`CREATE DATABASE IF NOT EXISTS ${DB}`)
})

function openSink(): ClickHouseSink {
  return createClickHouseSink(
    {
      url: ch.url,
      user: 'default',
      password: '',
      database: DB,
      compression: 'none',
      requestTimeoutMs: 30_000,
    },
    { clock: systemClock },
  )
}

async function createTable(name: string): Promise<void> {
  await ch.query(`CREATE TABLE ${DB}.${name} (id UInt64) ENGINE = MergeTree ORDER BY id`)
}

/** The server's own answer to a statement: its text, or the exception it threw. */
async function answer(sql: string): Promise<string> {
  const res = await fetch(`${ch.url}/?query=${encodeURIComponent(sql)}`, { method: 'POST' })
  return `${res.status} ${await res.text()}`
}

describe('addColumn on a real ClickHouse', () => {
  test('IF NOT EXISTS is used exactly when the server takes it; a repeated ADD COLUMN is Code 44', async () => {
    const sink = openSink()
    const target = { database: DB, table: 'probe' }
    await createTable('probe')
    const caps = await sink.capabilities()
    const withClause = await answer(addColumnSql(target, { name: 'a', kind: 'int' }, true))
    // 18.16 does not know the clause: a syntax error (Code 62), so the sink must not send it.
    expect(withClause.startsWith('200')).toBe(caps.addColumnIfNotExists)
    if (!caps.addColumnIfNotExists) expect(withClause).toContain('Code: 62')
    const plain = addColumnSql(target, { name: 'b', kind: 'int' }, false)
    expect(await answer(plain)).toBe('200 ')
    const again = await answer(plain)
    expect(again).toContain('Code: 44')
    expect(again).toContain('already exists')
    await sink.close()
  })

  test('five adders of the same columns at once all succeed, and each column exists once', async () => {
    await createTable('race')
    const target = { database: DB, table: 'race' }
    const sinks = Array.from({ length: 5 }, openSink)
    const kinds: NewColumnKind[] = ['int', 'float', 'bool', 'string', 'json']
    const verdicts = await Promise.all(
      kinds.flatMap((kind) =>
        sinks.map((s) => s.addColumn(target, { name: `c_${kind}`, kind }, never)),
      ),
    )
    const byKind = (k: string) => verdicts.filter((v) => v.kind === k).length
    // One adder per column wins; the others hear "already exists", which is success too.
    expect(byKind('ok') + byKind('duplicate')).toBe(25)
    expect(byKind('ok')).toBe(5)
    const columns = await sinks[0]!.describe(target, never)
    expect(columns?.map((c) => `${c.name} ${c.type}`).sort()).toEqual([
      'c_bool Nullable(UInt8)',
      'c_float Nullable(Float64)',
      'c_int Nullable(Int64)',
      'c_json Nullable(String)',
      'c_string Nullable(String)',
      'id UInt64',
    ])
    await Promise.all(sinks.map((s) => s.close()))
  })
})
