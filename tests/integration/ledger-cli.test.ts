import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { CliIo } from '../../src/cli/io'
import { ledgerCommand } from '../../src/cli/ledger'
import { ConfigError } from '../../src/errors'
import { ledgerAt, taskSpec, tempDir, virtualClock } from '../unit/ledger/ledger-fixtures'

let tmp: ReturnType<typeof tempDir>
let configPath: string
const clock = virtualClock(Date.UTC(2026, 10, 23, 12, 0, 0))

function io() {
  const out: string[] = []
  const err: string[] = []
  const cli: CliIo = {
    env: {},
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    onStop: () => undefined,
  }
  return { cli, out, err }
}

beforeEach(async () => {
  tmp = tempDir('sinker-ledger-cli-')
  configPath = join(tmp.dir, 'sinker.yaml')
  writeFileSync(
    configPath,
    [
      'kafka: { brokers: ["127.0.0.1:9092"], group_id: g, topics: [events] }',
      'sink: { type: clickhouse }',
      'tables: [{ topic: events, table: events }]',
      `ledger: { url: "file:${join(tmp.dir, 'ledger.db')}" }`,
    ].join('\n'),
  )
  const ledger = await ledgerAt(tmp.dir, clock)
  const lease = { owner: 'h:1:x', now: clock.now(), leaseUntil: clock.now() + 1000 }
  await ledger.store.claim(taskSpec('b1'), lease)
  await ledger.store.finish('b1', 'h:1:x', 'Succeed', clock.now())
  await ledger.store.claim(taskSpec('b2', 'truncate_table', { overwrite: true }), lease)
  await ledger.close()
})

afterEach(() => tmp.remove())

describe('sinker ledger', () => {
  test('list prints a header and one task per line, newest first', async () => {
    const { cli, out } = io()
    expect(await ledgerCommand({ action: 'list', configPath }, cli, clock)).toBe(0)
    expect(out).toEqual([
      'TASK_ID\tSTATUS\tOP_TYPE\tTARGET\tPARTITION\tOVERWRITE\tUPDATED',
      'b2\tRunning\ttruncate_table\tanalytics.events\t-\ttrue\t2026-11-23T12:00:00.000Z',
      'b1\tSucceed\tdrop_partition\tanalytics.events\t20261101\tfalse\t2026-11-23T12:00:00.000Z',
    ])
  })

  test('show prints every field of one task', async () => {
    const { cli, out } = io()
    expect(await ledgerCommand({ action: 'show', id: 'b1', configPath }, cli, clock)).toBe(0)
    expect(out).toContain('task_id: b1')
    expect(out).toContain('task_status: Succeed')
    expect(out).toContain('op_partition: 20261101')
    expect(out).toContain('op_system: clickhouse')
    expect(out.some((l) => /^op_id: [0-9a-f]{32}$/.test(l))).toBe(true)
  })

  test('deprecate marks the task Deprecated and says what it was', async () => {
    const { cli, out } = io()
    expect(await ledgerCommand({ action: 'deprecate', id: 'b1', configPath }, cli, clock)).toBe(0)
    expect(out).toEqual(['deprecated b1 (was Succeed); its rows are dropped from now on'])
    const after = io()
    await ledgerCommand({ action: 'show', id: 'b1', configPath }, after.cli, clock)
    expect(after.out).toContain('task_status: Deprecated')
  })

  test('an unknown id is exit 2 with a clear message', async () => {
    for (const action of ['show', 'deprecate'] as const) {
      const { cli, out, err } = io()
      expect(await ledgerCommand({ action, id: 'nope', configPath }, cli, clock)).toBe(2)
      expect(out).toEqual([])
      expect(err).toEqual(['sinker ledger: no batch task with ID "nope"'])
    }
  })

  test('an invalid config is a ConfigError (exit 2) before the ledger is opened', async () => {
    const { cli } = io()
    const missing = join(tmp.dir, 'missing.yaml')
    await expect(
      ledgerCommand({ action: 'list', configPath: missing }, cli, clock),
    ).rejects.toThrow(ConfigError)
  })
})
