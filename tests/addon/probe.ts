/**
 * @module tests/addon/probe
 * Exercises, inside the compiled binary (scripts/build --probe), every Kafka addon path the
 * product uses, against a real broker, and prints one JSON line per result or event.
 * Usage: addon-probe '{"mode":"consume","brokers":"127.0.0.1:9092",...}'. Never calls
 * process.exit on success: exiting by itself after disconnect is part of what it checks.
 */
import type { KafkaConsumer } from '@confluentinc/kafka-javascript'
import { loadKafka } from '../../src/source/addon'
import type { PackedBatch } from '../../src/source/packed-batch'
import {
  headersOf,
  keyBytes,
  PackedConsumeError,
  valueBytes,
} from '../../src/source/packed-consume'
import { runBench } from './probe-bench'
import {
  Consumed,
  commitAsync,
  commitCb,
  committed,
  connect,
  consumeLoop,
  disconnect,
  newConsumer,
  type RebalanceEvent,
  type TopicPartition,
  tp,
} from './probe-kafka'
import { runLeak } from './probe-leak'

export interface ProbeConfig {
  mode: 'version' | 'consume' | 'pause' | 'regex' | 'member' | 'errors' | 'bench' | 'leak'
  brokers: string
  group: string
  topic: string
  /** consume, pause, regex, bench, leak: how many messages to read. */
  expect: number
  /** regex: a librdkafka pattern (starts with ^); regexObject passes it as a JS RegExp. */
  pattern?: string
  regexObject?: boolean
  /** errors: a port where no broker listens. */
  unreachable?: string
  /** bench: librdkafka settings to try on top of the product's. */
  rdkafka?: Record<string, string | number | boolean>
}

const emit = (line: object) => console.log(JSON.stringify(line))
const utf8 = new TextDecoder()
const text = (b: Uint8Array | null) => (b ? utf8.decode(b) : null)

function describeBatch(b: PackedBatch) {
  return Array.from({ length: b.count }, (_, i) => ({
    topic: b.topics[b.topicIndex[i]!],
    partition: b.partitions[i],
    offset: b.offsets[i],
    timestamp: b.timestamps[i],
    key: text(keyBytes(b, i)),
    value: text(valueBytes(b, i)),
    headers: headersOf(b, i).map((h) => [h.name, text(h.value)]),
  }))
}

function partitionsOf(consumed: Consumed): TopicPartition[] {
  return [...consumed.offsets.keys()].map((key) => {
    const at = key.lastIndexOf(':')
    return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) }
  })
}

/** Topic list subscribe, packed consume with headers, both commits read back, watermarks. */
async function consumeMode(cfg: ProbeConfig) {
  const rebalances: RebalanceEvent[] = []
  const c = newConsumer(cfg.brokers, cfg.group, (e) => rebalances.push(e), {
    offset_commit_cb: true,
  })
  await connect(c, 10_000)
  c.subscribe([cfg.topic])
  const consumed = new Consumed()
  const messages: ReturnType<typeof describeBatch> = []
  await consumeLoop(c, {
    until: () => consumed.messages >= cfg.expect,
    deadlineMs: 60_000,
    onBatch: (b) => {
      consumed.add(b)
      messages.push(...describeBatch(b))
    },
  })
  const commits = await commitEveryWay(c, consumed)
  const parts = partitionsOf(consumed)
  const watermarks = Object.fromEntries(
    parts.map((p) => [tp(p), c.getWatermarkOffsets(p.topic, p.partition).highOffset]),
  )
  const disconnectMs = await disconnect(c)
  return { messages, rebalances, ...commits, watermarks, disconnectMs }
}

/** commitSync to 1, commitCb to 2, then async commit() to the end, each read back. */
async function commitEveryWay(c: KafkaConsumer, consumed: Consumed) {
  const parts = partitionsOf(consumed)
  const at = (offset: (p: TopicPartition) => number) =>
    parts.map((p) => ({ ...p, offset: offset(p) }))
  c.commitSync(at(() => 1))
  const afterCommitSync = await committed(c, parts)
  await commitCb(
    c,
    at(() => 2),
  )
  const afterCommitCb = await committed(c, parts)
  await commitAsync(
    c,
    at((p) => Math.max(...consumed.offsets.get(tp(p))!) + 1),
  )
  const afterCommit = await committed(c, parts)
  return { afterCommitSync, afterCommitCb, afterCommit }
}

/**
 * Pause partition 0 mid-stream, drain partition 1, wait, resume: partition 0 must then go on
 * exactly where it stopped (no gap, no repeat), and deliver nothing while paused.
 */
async function pauseMode(cfg: ProbeConfig) {
  const c = newConsumer(cfg.brokers, cfg.group)
  await connect(c, 10_000)
  c.subscribe([cfg.topic])
  const consumed = new Consumed()
  const p0 = `${cfg.topic}:0`
  const p1 = `${cfg.topic}:1`
  const count = (key: string) => consumed.offsets.get(key)?.length ?? 0
  const loop = (until: () => boolean) =>
    consumeLoop(c, { until, deadlineMs: 60_000, maxMessages: 100, onBatch: (b) => consumed.add(b) })
  // Batches of at most 100, so partition 0 is mid-stream when paused.
  await loop(() => count(p0) > 0)
  c.pause([{ topic: cfg.topic, partition: 0 }])
  const p0AtPause = count(p0)
  await loop(() => count(p1) >= cfg.expect / 2)
  const p0AfterDrain = count(p0)
  const quietUntil = performance.now() + 1500
  await loop(() => performance.now() > quietUntil)
  const p0DuringQuiet = count(p0) - p0AfterDrain
  c.resume([{ topic: cfg.topic, partition: 0 }])
  await loop(() => count(p0) >= cfg.expect / 2)
  const disconnectMs = await disconnect(c)
  return {
    summary: consumed.summary(),
    p0AtPause,
    p0AfterPause: p0AfterDrain - p0AtPause,
    p0DuringQuiet,
    disconnectMs,
  }
}

/** Subscribe by pattern, as a string or a JS RegExp (the addon's IsRegExp/GetSource path). */
async function regexMode(cfg: ProbeConfig) {
  const c = newConsumer(cfg.brokers, cfg.group)
  await connect(c, 10_000)
  const pattern = cfg.pattern ?? ''
  c.subscribe([cfg.regexObject ? new RegExp(pattern) : pattern] as string[])
  const consumed = new Consumed()
  await consumeLoop(c, {
    until: () => consumed.messages >= cfg.expect,
    deadlineMs: 60_000,
    onBatch: (b) => consumed.add(b),
  })
  const topics = [...new Set(partitionsOf(consumed).map((p) => p.topic))].sort()
  const subscription = c.subscription()
  const disconnectMs = await disconnect(c)
  return { topics, messages: consumed.messages, subscription, disconnectMs }
}

/**
 * A group member until SIGTERM: prints each assign/revoke as it happens, commits each batch
 * with commitSync and prints each commit (done or failed), then disconnects and prints what it
 * read. SIGTERM stops it at its next poll, whatever is still unread or uncommitted: a caller
 * that expects everything committed waits for the commit lines first.
 */
async function memberMode(cfg: ProbeConfig) {
  let stopping = false
  process.on('SIGTERM', () => {
    stopping = true
  })
  const c = newConsumer(cfg.brokers, cfg.group, emit)
  await connect(c, 10_000)
  c.subscribe([cfg.topic])
  emit({ event: 'subscribed' })
  const consumed = new Consumed()
  let commitErrors = 0
  await consumeLoop(c, {
    until: () => stopping,
    deadlineMs: 300_000,
    onBatch: (b) => {
      consumed.add(b)
      const next = lastOffsets(b)
      const offsets = Object.fromEntries(next.map((p) => [tp(p), p.offset]))
      try {
        c.commitSync(next)
        emit({ event: 'commit', offsets })
      } catch (e) {
        // A commit racing a rebalance; the partition's next owner re-reads from the last commit.
        commitErrors++
        emit({ event: 'commit-failed', offsets, error: String(e) })
      }
    },
  })
  const disconnectMs = await disconnect(c)
  return { event: 'done', summary: consumed.summary(), commitErrors, disconnectMs }
}

function lastOffsets(b: PackedBatch): Array<TopicPartition & { offset: number }> {
  const next = new Map<string, TopicPartition & { offset: number }>()
  for (let i = 0; i < b.count; i++) {
    const p = { topic: b.topics[b.topicIndex[i]!]!, partition: b.partitions[i]! }
    next.set(tp(p), { ...p, offset: b.offsets[i]! + 1 })
  }
  return [...next.values()]
}

/** An unreachable broker (connect error, error events) and a missing topic (consumer error). */
async function errorsMode(cfg: ProbeConfig) {
  const events = new Set<string>()
  const lost = newConsumer(cfg.unreachable ?? '127.0.0.1:1', `${cfg.group}-lost`)
  lost.on('event.error', (e) => events.add(`${e.code}: ${e.message}`))
  const connectError = await connect(lost, 3000).then(
    () => null,
    (e: { code?: number; message: string }) => ({ code: e.code ?? null, message: e.message }),
  )
  const c = newConsumer(cfg.brokers, cfg.group)
  await connect(c, 10_000)
  c.subscribe([cfg.topic])
  let consumeError: { name: string; code: number; message: string } | null = null
  await consumeLoop(c, { until: () => consumeError !== null, deadlineMs: 30_000 }).catch(
    (e: unknown) => {
      if (!(e instanceof PackedConsumeError)) throw e
      consumeError = { name: e.name, code: e.code, message: e.message }
    },
  )
  const disconnectMs = await disconnect(c)
  return { connectError, errorEvents: [...events], consumeError, disconnectMs }
}

async function run(cfg: ProbeConfig): Promise<object> {
  switch (cfg.mode) {
    case 'version':
      return { librdkafkaVersion: loadKafka().librdkafkaVersion, bun: Bun.version }
    case 'consume':
      return consumeMode(cfg)
    case 'pause':
      return pauseMode(cfg)
    case 'regex':
      return regexMode(cfg)
    case 'member':
      return memberMode(cfg)
    case 'errors':
      return errorsMode(cfg)
    case 'bench':
      return runBench(cfg)
    case 'leak':
      return runLeak(cfg)
  }
}

try {
  emit({ ok: true, result: await run(JSON.parse(process.argv[2] ?? '{}') as ProbeConfig) })
} catch (e) {
  emit({ ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) })
  // A failed check may leave a client connected, which would keep the process alive.
  process.exit(1)
}
