import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { runChecked } from '../../scripts/lib/command'
import { freePort } from '../../scripts/lib/ports'
import { type ProbeLine, ProbeProcess, runProbe } from '../addon/probe-runner'
import { type KafkaBroker, startKafka } from '../support/kafka-broker'

const REPO = resolve(import.meta.dir, '../..')
const MINUTE = 60_000

let broker: KafkaBroker
let work: string
let probe: string

/** Runs the compiled probe from a folder outside the repository, with no node_modules. */
const run = (config: object) => runProbe(probe, work, { brokers: broker.brokers, ...config })

beforeAll(async () => {
  await runChecked(['bash', 'scripts/build', '--probe'], { cwd: REPO, timeoutMs: 20 * MINUTE })
  work = mkdtempSync(join(tmpdir(), 'sinker-addon-'))
  probe = join(work, 'addon-probe')
  copyFileSync(join(REPO, 'dist', 'addon-probe'), probe)
  chmodSync(probe, 0o755)
  broker = await startKafka({ port: await freePort(), dir: join(work, 'kafka') })
}, 25 * MINUTE)

afterAll(async () => {
  await broker?.stop()
  if (work) rmSync(work, { recursive: true, force: true })
})

describe('the Kafka addon inside the compiled binary', () => {
  test('loads librdkafka 2.15.1 under the pinned Bun', async () => {
    const pinned = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).devDependencies.bun
    const out = await run({ mode: 'version' })
    expect(out.exitCode).toBe(0)
    expect(out.result).toEqual({ librdkafkaVersion: '2.15.1', bun: pinned })
  })

  test(
    'consumes a topic list in packed batches with keys, nulls and headers',
    async () => {
      await broker.createTopic('consume', 2)
      await broker.produce('consume', [
        { partition: 0, key: 'k1', value: '{"id":1}', headers: { batch_id: 'b-1', é名: 'ü' } },
        { partition: 0, key: 'k2', value: null },
        { partition: 0, key: '', value: '' },
        { partition: 1, value: '{"id":2}' },
      ])
      // kcat writes a header without a value (NULL) and one with an empty value.
      await runChecked(
        ['kcat', '-b', broker.brokers, '-P', '-t', 'consume', '-p', '1', '-H', 'nul', '-H', 'e='],
        { input: '{"id":3}\n', timeoutMs: MINUTE },
      )
      const out = await run({ mode: 'consume', group: 'g-consume', topic: 'consume', expect: 5 })
      expect(out.exitCode).toBe(0)
      const byPosition = new Map(
        (out.result.messages as ProbeLine[]).map((m) => [`${m.partition}/${m.offset}`, m]),
      )
      const pick = (at: string) => {
        const { key, value, headers } = byPosition.get(at) ?? {}
        return { key, value, headers }
      }
      expect(byPosition.size).toBe(5)
      expect((out.result.rebalances as ProbeLine[])[0]).toEqual({
        event: 'assign',
        partitions: ['consume:0', 'consume:1'],
      })
      expect(pick('0/0')).toEqual({
        key: 'k1',
        value: '{"id":1}',
        headers: [
          ['batch_id', 'b-1'],
          ['é名', 'ü'],
        ],
      })
      expect(pick('0/1')).toEqual({ key: 'k2', value: null, headers: [] })
      expect(pick('0/2')).toEqual({ key: '', value: '', headers: [] })
      expect(pick('1/0')).toEqual({ key: null, value: '{"id":2}', headers: [] })
      expect(pick('1/1')).toEqual({
        key: null,
        value: '{"id":3}',
        headers: [
          ['nul', null],
          ['e', ''],
        ],
      })
      for (const m of byPosition.values()) expect(m.timestamp as number).toBeGreaterThan(1.7e12)
    },
    3 * MINUTE,
  )

  test(
    'commits explicit offsets (commitSync, commitCb, commit) and reads them back',
    async () => {
      const out = await run({ mode: 'consume', group: 'g-commit', topic: 'consume', expect: 5 })
      expect(out.exitCode).toBe(0)
      expect(out.result.afterCommitSync).toEqual({ 'consume:0': 1, 'consume:1': 1 })
      expect(out.result.afterCommitCb).toEqual({ 'consume:0': 2, 'consume:1': 2 })
      expect(out.result.afterCommit).toEqual({ 'consume:0': 3, 'consume:1': 2 })
      expect(out.result.watermarks).toEqual({ 'consume:0': 3, 'consume:1': 2 })
      const stored = await broker.groupOffsets('g-commit', 'consume')
      expect([...stored.entries()].sort()).toEqual([
        [0, 3],
        [1, 2],
      ])
    },
    3 * MINUTE,
  )

  test(
    'consumePacked, commit and commitSync leave no object behind per call',
    async () => {
      const out = await run({ mode: 'leak', group: 'g-leak', topic: 'consume', expect: 5 })
      expect(out.exitCode).toBe(0)
      const perCall = out.result.objectsLeftPerCall as Record<string, number>
      expect(perCall.consumePacked).toBeLessThan(0.1)
      expect(perCall.commit).toBeLessThan(0.1)
      expect(perCall.commitSync).toBeLessThan(0.1)
    },
    3 * MINUTE,
  )

  test(
    'pause and resume on the packed path: nothing while paused, then no gap or repeat',
    async () => {
      await broker.createTopic('pause', 2)
      const body = (p: number, i: number) => JSON.stringify({ p, i, pad: 'x'.repeat(120) })
      await broker.produce(
        'pause',
        [0, 1].flatMap((p) =>
          Array.from({ length: 3000 }, (_, i) => ({ partition: p, value: body(p, i) })),
        ),
      )
      const out = await run({ mode: 'pause', group: 'g-pause', topic: 'pause', expect: 6000 })
      expect(out.exitCode).toBe(0)
      const whole = { count: 3000, duplicates: 0, contiguousFromZero: true }
      expect(out.result.summary).toEqual({ 'pause:0': whole, 'pause:1': whole })
      expect(out.result.p0DuringQuiet).toBe(0)
      expect(out.result.p0AtPause as number).toBeLessThan(3000)
    },
    3 * MINUTE,
  )

  test(
    'subscribes by a regex pattern, as a string and as a RegExp',
    async () => {
      for (const t of ['rx.a', 'rx.b', 'other.c']) {
        await broker.createTopic(t, 1)
        await broker.produce(t, [{ value: '{"a":1}' }, { value: '{"a":2}' }, { value: '{"a":3}' }])
      }
      for (const regexObject of [false, true]) {
        const group = `g-regex-${regexObject}`
        const out = await run({ mode: 'regex', group, pattern: '^rx\\..*', regexObject, expect: 6 })
        expect(out.exitCode).toBe(0)
        expect(out.result).toMatchObject({ topics: ['rx.a', 'rx.b'], messages: 6 })
        expect(out.result.subscription).toEqual(['^rx\\..*'])
      }
    },
    3 * MINUTE,
  )

  test(
    'assign and revoke callbacks run when a second member joins and leaves',
    async () => {
      await broker.createTopic('members', 4)
      await broker.produce(
        'members',
        [0, 1, 2, 3].flatMap((p) =>
          Array.from({ length: 100 }, () => ({ partition: p, value: '{}' })),
        ),
      )
      const config = {
        mode: 'member',
        group: 'g-members',
        topic: 'members',
        brokers: broker.brokers,
      }
      const all = ['members:0', 'members:1', 'members:2', 'members:3']
      const assigned = (n: number) => (l: ProbeLine) =>
        l.event === 'assign' && (l.partitions as string[]).length === n
      const a = new ProbeProcess(probe, work, config, 5 * MINUTE)
      expect((await a.waitFor('first assign', assigned(4), MINUTE)).partitions).toEqual(all)
      const addons = mappedAddons(a.pid)
      expect(addons.length).toBe(2)
      expect(addons.some((path) => path.startsWith(REPO))).toBe(false)

      const b = new ProbeProcess(probe, work, config, 5 * MINUTE)
      const bParts = (await b.waitFor('b assign', assigned(2), MINUTE)).partitions as string[]
      await a.waitFor('a revoke', (l) => l.event === 'revoke', MINUTE)
      const aParts = (await a.waitFor('a reassign', assigned(2), MINUTE)).partitions as string[]
      expect([...aParts, ...bParts].sort()).toEqual(all)

      b.signal('SIGTERM')
      const bDone = await b.finished(MINUTE)
      expect(bDone).toMatchObject({ exitCode: 0, ok: true })
      expect(bDone.lines.filter((l) => l.event === 'revoke').length).toBeGreaterThan(0)
      await a.waitFor('a takes all back', () => a.lines.filter(assigned(4)).length >= 2, MINUTE)
      // A member stops at its next poll on SIGTERM. What B had not read or committed yet (B may
      // be stopped right after its assign), and batches whose commit raced a rebalance, are
      // read again by A from the last commit: stop A only once the members' commits reach the
      // end of every partition.
      const atEnd = () => all.every((p) => committedByMembers([a, b]).get(p) === 100)
      await a.waitFor('every partition committed to its end', atEnd, MINUTE)
      a.signal('SIGTERM')
      expect(await a.finished(MINUTE)).toMatchObject({ exitCode: 0, ok: true })
      const stored = await broker.groupOffsets('g-members', 'members')
      expect([...stored.values()]).toEqual([100, 100, 100, 100])
    },
    6 * MINUTE,
  )

  test(
    'reports an unreachable broker and a missing topic as errors, then exits cleanly',
    async () => {
      const unreachable = `127.0.0.1:${await freePort()}`
      const out = await run({
        mode: 'errors',
        group: 'g-errors',
        topic: 'no-such-topic',
        unreachable,
      })
      expect(out.exitCode).toBe(0)
      expect(out.result.connectError).not.toBeNull()
      expect((out.result.errorEvents as unknown[]).length).toBeGreaterThan(0)
      expect(out.result.consumeError).toMatchObject({ name: 'PackedConsumeError', code: 3 })
    },
    3 * MINUTE,
  )
})

/** Per partition, the highest offset the members report a successful commit of. */
function committedByMembers(members: ProbeProcess[]): Map<string, number> {
  const highest = new Map<string, number>()
  for (const line of members.flatMap((m) => m.lines)) {
    if (line.event !== 'commit') continue
    for (const [p, offset] of Object.entries(line.offsets as Record<string, number>)) {
      highest.set(p, Math.max(offset, highest.get(p) ?? 0))
    }
  }
  return highest
}

/** The .node files a running process has mapped. */
function mappedAddons(pid: number): string[] {
  const maps = readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n')
  const paths = maps.map((l) => l.split(/\s+/)[5] ?? '').filter((p) => p.endsWith('.node'))
  return [...new Set(paths)]
}
