import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { createClient } from '@libsql/client'
import { MIGRATIONS } from '../../src/ledger/migrate'
import { localPath } from '../../src/ledger/open'
import { ledgerAt, taskSpec, tempDir, virtualClock } from '../unit/ledger/ledger-fixtures'

let tmp: ReturnType<typeof tempDir>
const clock = virtualClock()
const lease = (owner: string) => ({ owner, now: clock.now(), leaseUntil: clock.now() + 1000 })

beforeEach(() => {
  tmp = tempDir()
})
afterEach(() => tmp.remove())

describe('ledger file and migrations', () => {
  test('opening one file many times at once migrates it once and keeps its tasks', async () => {
    const ledgers = await Promise.all(Array.from({ length: 4 }, () => ledgerAt(tmp.dir, clock)))
    await ledgers[0]!.store.claim(taskSpec('b1'), lease('a'))
    for (const l of ledgers) await l.close()
    const again = await ledgerAt(tmp.dir, clock)
    expect((await again.store.get('b1'))?.status).toBe('Running')
    await again.close()
    await again.close()
    const client = createClient({ url: `file:${join(tmp.dir, 'ledger.db')}` })
    const versions = await client.execute('SELECT version FROM ledger_schema_version')
    const indexes = await client.execute(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ddl_task' ORDER BY name",
    )
    client.close()
    expect(versions.rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version))
    expect(indexes.rows.map((r) => r.name)).toContain('ddl_task_task_id')
    expect(indexes.rows.map((r) => r.name)).toContain('ddl_task_op_id_status')
  })

  test('localPath reads the file behind a file: URL and nothing else', () => {
    expect(localPath('file:./data/ledger.db')).toBe('./data/ledger.db')
    expect(localPath('file:///var/lib/sinker/ledger.db')).toBe('/var/lib/sinker/ledger.db')
    expect(localPath('libsql://ledger.internal:8080')).toBeNull()
    expect(localPath(':memory:')).toBeNull()
  })
})

describe('LedgerStore conditional statements', () => {
  test('a claim is won once; the loser gets the winner record', async () => {
    const l = await ledgerAt(tmp.dir, clock)
    const [a, b] = await Promise.all([
      l.store.claim(taskSpec('b1'), lease('a')),
      l.store.claim(taskSpec('b1'), lease('b')),
    ])
    expect([a.won, b.won].sort()).toEqual([false, true])
    expect(a.record.owner).toBe(b.record.owner)
    await l.close()
  })

  test('only the holder of a Running claim records its outcome, once', async () => {
    const l = await ledgerAt(tmp.dir, clock)
    await l.store.claim(taskSpec('b1'), lease('a'))
    expect(await l.store.finish('b1', 'b', 'Succeed', clock.now())).toBe(false)
    expect(await l.store.finish('b1', 'a', 'Succeed', clock.now())).toBe(true)
    expect(await l.store.finish('b1', 'a', 'Deprecated', clock.now())).toBe(false)
    expect((await l.store.get('b1'))?.status).toBe('Succeed')
    await l.close()
  })

  test('a take-over succeeds only against the claim exactly as it was seen', async () => {
    const l = await ledgerAt(tmp.dir, clock)
    const seen = (await l.store.claim(taskSpec('b1'), lease('a'))).record
    const first = await l.store.takeOver(seen, lease('b'))
    expect(first?.owner).toBe('b')
    expect(first?.claims).toBe(2)
    expect(await l.store.takeOver(seen, lease('c'))).toBeUndefined()
    await l.close()
  })

  test('deprecateEarlier touches only earlier Succeed tasks of the same op_id', async () => {
    const l = await ledgerAt(tmp.dir, clock)
    const done = async (id: string, op: Parameters<typeof taskSpec>[1]) => {
      await l.store.claim(taskSpec(id, op), lease('a'))
      await l.store.finish(id, 'a', 'Succeed', clock.now())
    }
    await done('old', 'drop_partition')
    await done('other-op', 'truncate_table')
    await l.store.claim(taskSpec('running'), lease('a'))
    const now = (await l.store.claim(taskSpec('new'), lease('a'))).record
    await done('later', 'drop_partition')
    expect(await l.store.deprecateEarlier(now.opId, now.id, clock.now())).toEqual(['old'])
    const status = Object.fromEntries((await l.store.list(10)).map((r) => [r.taskId, r.status]))
    expect(status).toEqual({
      old: 'Deprecated',
      'other-op': 'Succeed',
      running: 'Running',
      new: 'Running',
      later: 'Succeed',
    })
    expect((await l.store.running()).map((r) => r.taskId)).toEqual(['running', 'new'])
    await l.close()
  })
})
