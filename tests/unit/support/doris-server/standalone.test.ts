/**
 * @module tests/unit/support/doris-server/standalone.test
 * The demo side: state kept in a data directory survives a restart, and scripts/doris-server.ts
 * prints its URLs and stops cleanly on SIGTERM.
 */
import { afterEach, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDorisServer } from '../../../support/doris-server'
import { lines, PASSWORD, sql, streamLoad } from './helpers'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'doris-server-'))
  dirs.push(d)
  return d
}

describe('a data directory', () => {
  test('keeps tables, DDL, rows with exact big integers, and labels across a restart', async () => {
    const dataDir = tempDir()
    const first = await startDorisServer({ users: { root: PASSWORD }, dataDir })
    first.createDatabase('demo')
    first.createTable('demo', 'events', [{ name: 'id', type: 'LARGEINT' }])
    await streamLoad(first, {
      body: '{"id": 170141183460469231731687303715884105727}',
      headers: { label: 'kept' },
    })
    await sql(first, 'ALTER TABLE events ADD COLUMN note STRING')
    await first.stop()

    const second = await startDorisServer({ users: { root: PASSWORD }, dataDir })
    try {
      expect(second.rows('demo', 'events')).toEqual([
        { id: 170141183460469231731687303715884105727n, note: null },
      ])
      expect(second.labels('demo').get('kept')?.status).toBe('VISIBLE')
      const retry = await streamLoad(second, { body: lines({ id: 1 }), headers: { label: 'kept' } })
      expect(retry.Status).toBe('Label Already Exists')
    } finally {
      await second.stop()
    }
  })
})

describe('scripts/doris-server.ts', () => {
  test('prints its FE and BE URLs, serves, and exits 0 on SIGTERM', async () => {
    const args = [
      'scripts/doris-server.ts',
      '--fe-port',
      '0',
      '--be-port',
      '0',
      '--data',
      tempDir(),
      '--quiet',
    ]
    const proc = Bun.spawn([process.execPath, ...args], {
      cwd: join(import.meta.dir, '../../../..'),
      stdout: 'pipe',
      stderr: 'pipe',
    })
    const reader = proc.stdout.getReader()
    let out = ''
    while (!/doris-server be \S+\n/.test(out)) {
      const { value, done } = await reader.read()
      if (done) break
      out += new TextDecoder().decode(value)
    }
    const fe = /doris-server fe (\S+)/.exec(out)?.[1]
    expect(fe).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect((await fetch(`${fe}/api/health`)).status).toBe(200)
    proc.kill('SIGTERM')
    expect(await proc.exited).toBe(0)
  }, 30_000)
})
