/**
 * The Doris statements of batch tasks against the Doris test server, whose SQL engine follows the
 * protocol reference (§11.1): each is accepted, does what its op_type says, and a re-run after a
 * crash (IF [NOT] EXISTS) is harmless. Doris itself was not run.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { dorisStatements } from '../../src/ledger/actions-doris'
import { createActionRunner, type RunDdl } from '../../src/ledger/run-statements'
import { type DorisServer, startDorisServer } from '../support/doris-server/index'
import { signal, taskSpec } from '../unit/ledger/ledger-fixtures'

let doris: DorisServer

beforeAll(async () => {
  doris = await startDorisServer()
  doris.createDatabase('analytics')
  doris.createTable(
    'analytics',
    'events',
    [
      { name: 'day', type: 'DATE' },
      { name: 'n', type: 'INT' },
    ],
    {
      partitionColumn: 'day',
      partitions: [
        { name: 'p20261030', lower: '2026-10-30', upper: '2026-10-31' },
        { name: 'p20261031', lower: '2026-10-31', upper: '2026-11-01' },
      ],
    },
  )
})

afterAll(() => doris.stop())

/** A minimal SQL-API call: code 0 is ok, anything else a statement the server refused. */
const runDdl: RunDdl = async (sql, s) => {
  const res = await fetch(`${doris.feUrl}/api/query/default_cluster/analytics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${btoa('root:')}` },
    body: JSON.stringify({ stmt: sql }),
    signal: s,
  })
  const body = (await res.json()) as { code: number; msg: string; data?: unknown }
  return body.code === 0 ? { kind: 'ok' } : { kind: 'reject', why: String(body.data ?? body.msg) }
}

async function partitions(): Promise<string[]> {
  const res = await fetch(`${doris.feUrl}/api/query/default_cluster/analytics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${btoa('root:')}` },
    body: JSON.stringify({ stmt: 'SHOW PARTITIONS FROM analytics.events' }),
  })
  const body = (await res.json()) as { data: { meta: { name: string }[]; data: unknown[][] } }
  const col = body.data.meta.findIndex((m) => m.name === 'PartitionName')
  return body.data.data.map((row) => String(row[col]))
}

const run = createActionRunner(dorisStatements, runDdl)

describe('Doris batch-task statements', () => {
  test('add_range_partition adds the range once; a re-run is harmless', async () => {
    const spec = taskSpec('a1', 'add_range_partition', {
      opSystem: 'doris',
      partition: 'p20261101:[2026-11-01,2026-11-02)',
      range: { name: 'p20261101', lower: '2026-11-01', upper: '2026-11-02' },
    })
    expect(await run(spec, signal())).toBe('ok')
    expect(await run(spec, signal())).toBe('ok')
    expect(await partitions()).toEqual(['p20261030', 'p20261031', 'p20261101'])
  })

  test('truncate_table of one partition and of the whole table are accepted', async () => {
    const one = taskSpec('t1', 'truncate_table', { opSystem: 'doris', partition: 'p20261031' })
    const all = taskSpec('t2', 'truncate_table', { opSystem: 'doris', partition: '' })
    expect(await run(one, signal())).toBe('ok')
    expect(await run(all, signal())).toBe('ok')
    expect(doris.statements()).toContain(
      'TRUNCATE TABLE `analytics`.`events` PARTITION (`p20261031`)',
    )
  })

  test('drop_partition drops the partition; a re-run is harmless', async () => {
    const spec = taskSpec('d1', 'drop_partition', { opSystem: 'doris', partition: 'p20261030' })
    expect(await run(spec, signal())).toBe('ok')
    expect(await run(spec, signal())).toBe('ok')
    expect(await partitions()).toEqual(['p20261031', 'p20261101'])
  })

  test('a statement the server refuses fails the attempt', async () => {
    const spec = taskSpec('x1', 'drop_partition', {
      opSystem: 'doris',
      target: { database: 'analytics', table: 'missing' },
      partition: 'p1',
    })
    expect(await run(spec, signal())).toBe('failed')
  })
})
