/**
 * @module tests/addon/probe-kafka
 * The probe's Kafka plumbing: a consumer configured as the product configures it, promise
 * wrappers for the callback API, and a packed consume loop that records what it read.
 * Every wait here has a deadline; nothing retries quietly.
 */
import type { KafkaConsumer } from '@confluentinc/kafka-javascript'
import { withDeadline } from '../../src/core/deadline'
import { loadKafka } from '../../src/source/addon'
import type { PackedBatch } from '../../src/source/packed-batch'
import { consumePacked } from '../../src/source/packed-consume'

export interface TopicPartition {
  topic: string
  partition: number
}

export interface RebalanceEvent {
  event: 'assign' | 'revoke'
  partitions: string[]
}

/** Settings from notes/kafka-on-bun.md, plus fast group timings for tests. */
const PRODUCT_SETTINGS = {
  'enable.auto.commit': false,
  'enable.auto.offset.store': false,
  'auto.offset.reset': 'earliest',
  'fetch.queue.backoff.ms': 10,
  'queued.min.messages': 200_000,
  'session.timeout.ms': 6000,
  'heartbeat.interval.ms': 500,
}

const ERR_ASSIGN = -175
const ERR_REVOKE = -174

export const tp = (p: TopicPartition) => `${p.topic}:${p.partition}`

/**
 * A consumer that assigns and unassigns in its rebalance callback, as src/source does. No
 * topic config argument: an empty one would replace the global auto.offset.reset.
 */
export function newConsumer(
  brokers: string,
  group: string,
  onRebalance: (e: RebalanceEvent) => void = () => {},
  extra: Record<string, string | number | boolean> = {},
): KafkaConsumer {
  const { KafkaConsumer } = loadKafka()
  const consumer: KafkaConsumer = new KafkaConsumer({
    'metadata.broker.list': brokers,
    'group.id': group,
    ...PRODUCT_SETTINGS,
    ...extra,
    rebalance_cb: (err: { code: number }, assignment: TopicPartition[]) => {
      const partitions = assignment.map(tp).sort()
      if (err.code === ERR_ASSIGN) {
        consumer.assign(assignment)
        onRebalance({ event: 'assign', partitions })
      } else if (err.code === ERR_REVOKE) {
        onRebalance({ event: 'revoke', partitions })
        consumer.unassign()
      }
    },
  })
  return consumer
}

export function connect(c: KafkaConsumer, timeoutMs: number): Promise<void> {
  return withDeadline(
    'connect',
    timeoutMs + 2000,
    () =>
      new Promise<void>((resolve, reject) =>
        c.connect({ timeout: timeoutMs }, (err) => (err ? reject(err) : resolve())),
      ),
  )
}

/** Resolves with how long the disconnect took. */
export function disconnect(c: KafkaConsumer, timeoutMs = 15_000): Promise<number> {
  const started = performance.now()
  return withDeadline(
    'disconnect',
    timeoutMs,
    () =>
      new Promise<number>((resolve) => c.disconnect(() => resolve(performance.now() - started))),
  )
}

export function committed(
  c: KafkaConsumer,
  parts: TopicPartition[],
): Promise<Record<string, number>> {
  return withDeadline(
    'committed',
    15_000,
    () =>
      new Promise((resolve, reject) =>
        c.committed(parts, 10_000, (err, tps) => {
          if (err) return reject(err)
          resolve(Object.fromEntries(tps.map((t) => [tp(t), t.offset])))
        }),
      ),
  )
}

type CommitCb = (
  offsets: Array<TopicPartition & { offset: number }>,
  cb: (err: unknown) => void,
) => void

/** The asynchronous commit src/source uses (not in the package's typings). */
export function commitCb(
  c: KafkaConsumer,
  offsets: Array<TopicPartition & { offset: number }>,
): Promise<void> {
  const commit = (c as unknown as { commitCb: CommitCb }).commitCb.bind(c)
  return withDeadline(
    'commitCb',
    15_000,
    () =>
      new Promise<void>((resolve, reject) =>
        commit(offsets, (err) => (err ? reject(err) : resolve())),
      ),
  )
}

/**
 * The asynchronous commit() (no per-call callback), settled by the `offset.commit` event that
 * `offset_commit_cb: true` turns on. librdkafka serves that callback from the consumer queue,
 * so this keeps polling (packed) until it fires, as a consuming pipeline would.
 */
export async function commitAsync(
  c: KafkaConsumer,
  offsets: Array<TopicPartition & { offset: number }>,
): Promise<void> {
  let outcome: { err: unknown } | undefined
  c.once('offset.commit', (err: unknown) => {
    outcome = { err }
  })
  c.commit(offsets)
  await consumeLoop(c, { until: () => outcome !== undefined, deadlineMs: 15_000 })
  if (outcome?.err) throw outcome.err
}

/** Offsets read per partition, in arrival order, plus counters of the batches that held them. */
export class Consumed {
  readonly offsets = new Map<string, number[]>()
  messages = 0
  batches = 0
  largestBatch = 0

  add(b: PackedBatch): void {
    this.batches++
    this.messages += b.count
    this.largestBatch = Math.max(this.largestBatch, b.count)
    for (let i = 0; i < b.count; i++) {
      const key = `${b.topics[b.topicIndex[i]!]}:${b.partitions[i]}`
      const list = this.offsets.get(key) ?? []
      list.push(b.offsets[i]!)
      this.offsets.set(key, list)
    }
  }

  /** Per partition: how many, how many repeated, whether they run 0..n-1 without a gap. */
  summary(): Record<string, { count: number; duplicates: number; contiguousFromZero: boolean }> {
    const out: Record<string, { count: number; duplicates: number; contiguousFromZero: boolean }> =
      {}
    for (const [key, list] of this.offsets) {
      const unique = [...new Set(list)].sort((a, b) => a - b)
      out[key] = {
        count: list.length,
        duplicates: list.length - unique.length,
        contiguousFromZero: unique.every((o, i) => o === i),
      }
    }
    return out
  }
}

export interface LoopOptions {
  /** Stop once this returns true (checked after each batch and each empty poll). */
  until: () => boolean
  deadlineMs: number
  maxMessages?: number
  sep?: number
  onBatch?: (b: PackedBatch) => void
}

/** Packed consume until `until()` or the deadline (which throws). */
export async function consumeLoop(c: KafkaConsumer, opts: LoopOptions): Promise<void> {
  const stopAt = performance.now() + opts.deadlineMs
  const packed = { timeoutMs: 100, maxMessages: opts.maxMessages ?? 5000, sep: opts.sep ?? 10 }
  while (!opts.until()) {
    if (performance.now() > stopAt)
      throw new Error(`consume loop: no end after ${opts.deadlineMs} ms`)
    const b = await withDeadline('consumePacked', 10_000, () => consumePacked(c, packed))
    if (b) opts.onBatch?.(b)
  }
}
