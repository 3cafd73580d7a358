/**
 * @module tests/support/kafka-tools
 * Talks to a test broker through command-line clients: kcat (bulk ndjson produce, metadata, end
 * offsets) and Debian's python3-confluent-kafka (topics, group offsets, exact produce, read back).
 * Produce resolves only after every message has a positive delivery report; it never guesses.
 */
import { join } from 'node:path'
import { runChecked } from '../../scripts/lib/command'
import { REPO_ROOT } from '../../scripts/lib/repo-paths'
import { systemClock } from '../../src/core/clock'

/** Debian packages these tools need (installed by startKafka when missing). */
export const KAFKA_TOOL_PACKAGES = ['kcat', 'python3-confluent-kafka'] as const

export interface KafkaMessage {
  /** null is a tombstone (no value at all), distinct from an empty value. */
  readonly value: string | Uint8Array | null
  readonly key?: string
  readonly partition?: number
  readonly headers?: Record<string, string>
}

export interface KafkaRecord {
  readonly partition: number
  readonly offset: number
  readonly key: string | null
  readonly value: Uint8Array | null
  readonly headers: Record<string, string>
}

// Debian's interpreter: the one python3-confluent-kafka is installed for.
const PYTHON = '/usr/bin/python3'
const CLIENT = join(REPO_ROOT, 'scripts', 'lib', 'kafka-client.py')
const OP_TIMEOUT_S = 30
const OFFSET_ATTEMPTS = 20
const SETTLING = /Not leader|Leader not available|Unknown partition|not available/i
/** Bulk produce settings: big batches, one message per line spread at random over partitions. */
const KCAT_BULK = [
  'enable.idempotence=true',
  'linger.ms=20',
  'batch.num.messages=100000',
  'batch.size=1000000',
  'queue.buffering.max.messages=1000000',
  'queue.buffering.max.kbytes=262144',
  'sticky.partitioning.linger.ms=0',
  'message.timeout.ms=300000',
].flatMap((setting) => ['-X', setting])

async function python<T>(
  op: string,
  args: object,
  opts: { input?: string; timeoutS?: number } = {},
): Promise<T> {
  const timeoutS = opts.timeoutS ?? OP_TIMEOUT_S
  const payload = JSON.stringify({ ...args, timeoutS })
  const out = await runChecked([PYTHON, CLIENT, op, payload], {
    timeoutMs: (timeoutS + 15) * 1000,
    ...(opts.input === undefined ? {} : { input: opts.input }),
  })
  return JSON.parse(out) as T
}

function toMap(offsets: Record<string, number>): Map<number, number> {
  return new Map(
    Object.entries(offsets)
      .map(([p, o]) => [Number(p), o] as [number, number])
      .sort((a, b) => a[0] - b[0]),
  )
}

/** Creates the topic and waits until every partition has a leader. Idempotent when it already
 * exists with the same partition count; another count is an error. */
export async function createTopic(
  brokers: string,
  name: string,
  partitions: number,
): Promise<void> {
  await python('create', { brokers, topic: name, partitions })
}

/** Committed offset per partition of `topic` for `group`; partitions without one are absent. */
export async function groupOffsets(
  brokers: string,
  group: string,
  topic: string,
): Promise<Map<number, number>> {
  return toMap(await python<Record<string, number>>('committed', { brokers, group, topic }))
}

/** Commits `offsets` for `group` without joining it (an empty group accepts this). */
export async function commitOffsets(
  brokers: string,
  group: string,
  topic: string,
  offsets: Map<number, number>,
): Promise<void> {
  await python('commit', { brokers, group, topic, offsets: Object.fromEntries(offsets) })
}

interface ProduceReport {
  sent: number
  delivered: number
  undelivered: number
  errors: string[]
}

/** Sends every message exactly once (idempotent producer) and waits for all delivery reports. */
export async function produceMessages(
  brokers: string,
  topic: string,
  messages: readonly KafkaMessage[],
): Promise<void> {
  if (messages.length === 0) return
  const input = messages.map(wireMessage).join('\n')
  const timeoutS = OP_TIMEOUT_S + Math.ceil(messages.length / 10_000)
  const report = await python<ProduceReport>('produce', { brokers, topic }, { input, timeoutS })
  if (report.delivered !== messages.length) {
    throw new Error(
      `produce to ${topic}: ${report.delivered} of ${messages.length} delivered (${report.undelivered} undelivered): ${report.errors.join('; ')}`,
    )
  }
}

function wireMessage(m: KafkaMessage): string {
  return JSON.stringify({
    v: m.value === null ? null : base64(m.value),
    k: m.key === undefined ? null : base64(m.key),
    p: m.partition ?? null,
    h: m.headers ?? {},
  })
}

function base64(data: string | Uint8Array): string {
  return Buffer.from(typeof data === 'string' ? Buffer.from(data, 'utf8') : data).toString('base64')
}

/**
 * Produces one message per non-empty line of an ndjson file (as kcat reads it), spread over the
 * partitions, and returns how many. Checks the topic grew by at least that many.
 */
export async function produceFile(brokers: string, topic: string, path: string): Promise<number> {
  const count = await countRecords(path)
  const before = sum(await endOffsets(brokers, topic))
  await runChecked(['kcat', '-P', '-b', brokers, '-t', topic, '-l', path, ...KCAT_BULK], {
    // At least 20k messages/s; a healthy broker takes 300k+.
    timeoutMs: 60_000 + Math.ceil(count / 20),
  })
  const grown = sum(await endOffsets(brokers, topic)) - before
  if (grown < count)
    throw new Error(`produce of ${path} to ${topic}: ${count} lines, topic grew by ${grown}`)
  return count
}

/** Lines kcat -l sends: empty lines are skipped, a last line without newline counts. */
export async function countRecords(path: string): Promise<number> {
  let count = 0
  let atLineStart = true
  for await (const chunk of Bun.file(path).stream()) {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    let from = 0
    for (let nl = bytes.indexOf(10, from); nl !== -1; nl = bytes.indexOf(10, from)) {
      if (nl > from || !atLineStart) count++
      atLineStart = true
      from = nl + 1
    }
    if (from < bytes.length) atLineStart = false
  }
  return atLineStart ? count : count + 1
}

function sum(offsets: Map<number, number>): number {
  let total = 0
  for (const offset of offsets.values()) total += offset
  return total
}

interface KcatMetadata {
  topics: Array<{ topic: string; error?: string; partitions: Array<{ partition: number }> }>
}

/** High watermark (the next offset to be written) per partition. */
export async function endOffsets(brokers: string, topic: string): Promise<Map<number, number>> {
  const metaText = await runChecked(['kcat', '-L', '-J', '-m', '10', '-b', brokers, '-t', topic], {
    timeoutMs: 20_000,
  })
  const meta = (JSON.parse(metaText) as KcatMetadata).topics.find((t) => t.topic === topic)
  if (!meta || meta.error)
    throw new Error(`end offsets of ${topic}: ${meta?.error ?? 'no such topic'}`)
  const queries = meta.partitions.flatMap((p) => ['-t', `${topic}:${p.partition}:-1`])
  const answer =
    (JSON.parse(await queryOffsets(brokers, queries)) as Record<string, Record<string, unknown>>)[
      topic
    ] ?? {}
  const offsets = new Map<number, number>()
  for (const entry of Object.values(answer)) {
    if (typeof entry === 'object' && entry !== null && 'offset' in entry && 'partition' in entry) {
      offsets.set(Number(entry.partition), Number(entry.offset))
    }
  }
  return new Map([...offsets].sort((a, b) => a[0] - b[0]))
}

/** kcat -Q, retried while a partition's leadership is still settling (a new topic, a restart). */
async function queryOffsets(brokers: string, queries: string[]): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await runChecked(['kcat', '-Q', '-J', '-m', '10', '-b', brokers, ...queries], {
        timeoutMs: 20_000,
      })
    } catch (err) {
      if (attempt >= OFFSET_ATTEMPTS || !SETTLING.test((err as Error).message)) throw err
      await systemClock.sleep(250)
    }
  }
}

interface WireRecord {
  p: number
  o: number
  k: string | null
  v: string | null
  h: Array<[string, string | null]>
}

/** Every record of `topic` from the start up to its end at the time of the call. For small
 * topics (dead letters, a few thousand records): each record travels as JSON. */
export async function readTopic(brokers: string, topic: string): Promise<KafkaRecord[]> {
  const records = await python<WireRecord[]>('read', { brokers, topic }, { timeoutS: 60 })
  return records
    .map((r) => ({
      partition: r.p,
      offset: r.o,
      key: r.k === null ? null : Buffer.from(r.k, 'base64').toString('utf8'),
      value: r.v === null ? null : new Uint8Array(Buffer.from(r.v, 'base64')),
      headers: Object.fromEntries(
        r.h.map(([name, v]) => [name, v === null ? '' : Buffer.from(v, 'base64').toString('utf8')]),
      ),
    }))
    .sort((a, b) => a.partition - b.partition || a.offset - b.offset)
}
