/**
 * The compiled binary's commands (SPEC §2) as an operator runs them, from a folder with no
 * node_modules: version, help, check against real services, the ledger command.
 */
import { beforeAll, expect, test } from 'bun:test'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ClickHouseServer } from '../support/clickhouse-server'
import type { KafkaBroker } from '../support/kafka-broker'
import { sharedClickHouse, sharedKafka } from '../support/shared-services'
import { BINARY, configYaml } from '../support/sinker-process'

let kafka: KafkaBroker
let ch: ClickHouseServer
const dir = mkdtempSync(join(tmpdir(), 'sinker-cli-'))

beforeAll(async () => {
  ;[kafka, ch] = await Promise.all([sharedKafka(), sharedClickHouse()])
})

function run(args: string[]) {
  const p = Bun.spawnSync([BINARY, ...args], { cwd: dir, stdout: 'pipe', stderr: 'pipe' })
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() }
}

test('version names sinker, Bun and librdkafka', () => {
  const r = run(['version'])
  expect(r.code).toBe(0)
  expect(r.out).toMatch(/^sinker \d+\.\d+\.\d+\nbun 1\.4\.4\nlibrdkafka 2\.15\.1\n$/)
})

test('--help prints the usage; an unknown flag exits 2', () => {
  expect(run(['--help']).out).toContain('sinker run')
  const r = run(['--bogus'])
  expect(r.code).toBe(2)
  expect(r.err).toContain('bogus')
})

test('check passes against live services and fails, one line each, when the table is missing', async () => {
  await ch.query('CREATE DATABASE IF NOT EXISTS cli')
  await ch.query('CREATE TABLE IF NOT EXISTS cli.t (id UInt64) ENGINE = MergeTree() ORDER BY id')
  await kafka.createTopic('cli.t', 1)
  const base = {
    brokers: kafka.brokers,
    topic: 'cli.t',
    group: 'cli',
    clickhouseUrl: ch.url,
    database: 'cli',
  }
  const good = join(dir, 'good.yaml')
  writeFileSync(
    good,
    configYaml({ ...base, table: 't', deadLetterFile: join(dir, 'dl.ndjson') }, '127.0.0.1:0'),
  )
  const ok = run(['check', '-c', good])
  expect(ok.code).toBe(0)
  expect(ok.out).toContain('ok    kafka')
  expect(ok.out).toContain('ok    table cli.t: 1 columns')
  const bad = join(dir, 'bad.yaml')
  writeFileSync(bad, configYaml({ ...base, table: 'missing' }, '127.0.0.1:0'))
  const fail = run(['check', '-c', bad])
  expect(fail.code).toBe(1)
  expect(fail.out).toContain('FAIL  table cli.missing: table does not exist')
}, 60_000)

test('exactly_once on a ClickHouse 18.16 MergeTree table: check says why, run refuses with exit 2', async () => {
  await ch.query('CREATE DATABASE IF NOT EXISTS cli')
  await ch.query('CREATE TABLE IF NOT EXISTS cli.eo (id UInt64) ENGINE = MergeTree() ORDER BY id')
  await kafka.createTopic('cli.eo', 1)
  const cfg = join(dir, 'eo.yaml')
  const yaml = configYaml(
    {
      brokers: kafka.brokers,
      topic: 'cli.eo',
      group: 'cli-eo',
      clickhouseUrl: ch.url,
      database: 'cli',
      table: 'eo',
    },
    '127.0.0.1:0',
  )
  writeFileSync(
    cfg,
    `${yaml}ledger: { url: "file:${join(dir, 'eo-ledger.db')}" }\n`.replace(
      'delivery: {',
      'delivery: { guarantee: exactly_once,',
    ),
  )
  const check = run(['check', '-c', cfg])
  expect(check.code).toBe(1)
  expect(check.out).toContain(
    'FAIL  table cli.eo: exactly_once cannot be kept: MergeTree keeps repeated inserts on ClickHouse 18.16',
  )
  const r = Bun.spawnSync([BINARY, 'run', '-c', cfg], {
    cwd: dir,
    stdout: 'pipe',
    stderr: 'pipe',
    timeout: 60_000,
  })
  expect(r.exitCode).toBe(2)
  expect(r.stdout.toString() + r.stderr.toString()).toContain(
    'exactly_once cannot be kept for cli.eo',
  )
  expect((await ch.query('SELECT count() FROM cli.eo')).trim()).toBe('0')
}, 90_000)

test('ledger list opens the ledger file and shows no task; show of an unknown id exits 2', () => {
  const cfg = join(dir, 'ledger.yaml')
  writeFileSync(
    cfg,
    `${configYaml({ brokers: '127.0.0.1:1', topic: 't', group: 'g', clickhouseUrl: 'http://127.0.0.1:1', database: 'd', table: 't' }, '127.0.0.1:0')}ledger: { url: "file:${join(dir, 'ledger.db')}" }\n`,
  )
  const list = run(['ledger', 'list', '-c', cfg])
  expect(list.code).toBe(0)
  expect(list.out.split('\n')[0]).toContain('TASK_ID')
  expect(run(['ledger', 'show', 'nope', '-c', cfg]).code).toBe(2)
})

test('SIGTERM while run is still starting stops it gracefully with exit 0', async () => {
  const cfg = join(dir, 'early.yaml')
  writeFileSync(
    cfg,
    configYaml(
      {
        brokers: '127.0.0.1:1',
        topic: 't',
        group: 'g',
        clickhouseUrl: 'http://127.0.0.1:1',
        database: 'd',
        table: 't',
      },
      '127.0.0.1:0',
    ),
  )
  const p = Bun.spawn([BINARY, 'run', '-c', cfg], { cwd: dir, stdout: 'pipe', stderr: 'ignore' })
  // The first log line ("starting") comes before the ledger opens and the stop handler exists.
  const reader = p.stdout.getReader()
  await reader.read()
  p.kill('SIGTERM')
  expect(await p.exited).toBe(0)
}, 60_000)
