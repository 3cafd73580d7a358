/**
 * @module source/kafka-source
 * The consumer-group member: librdkafka's KafkaConsumer (never the KafkaJS API), read through the
 * packed batch consume, offsets committed explicitly per partition by the caller. A revocation
 * is handed to the pipeline and unassigned only when the pipeline says it is done (bounded there).
 * Never commits on its own: no auto-commit, no offset store.
 */
import type { KafkaConfig } from '../config/kafka'
import { withDeadline } from '../core/deadline'
import { loadKafka } from './addon'
import type { PackedBatch } from './packed-batch'
import { consumePacked } from './packed-consume'

export interface TopicPartition {
  readonly topic: string
  readonly partition: number
}
export interface TopicPartitionOffset extends TopicPartition {
  readonly offset: number
}

export interface SourceHandlers {
  onAssign(partitions: TopicPartition[]): void
  /** Must settle within the pipeline's own deadline; the source unassigns after it. */
  onRevoke(partitions: TopicPartition[]): Promise<void>
  onError(message: string, fatal: boolean): void
}

const ERR_ASSIGN = -175
const ERR_REVOKE = -174
/**
 * Settings measured to matter (notes/kafka-on-bun.md): with librdkafka's default 1000 ms fetch
 * backoff the local queue runs dry. With a 10 ms backoff, 50k queued messages kept the same rate
 * as 200k and cut peak RSS by ~100 MB (npm run bench, 1M events); kafka.rdkafka overrides both.
 */
const TUNED = { 'fetch.queue.backoff.ms': 10, 'queued.min.messages': 50_000 }
/** The packed consume reads this many messages per call: 5000 measured best. */
const BATCH_MESSAGES = 5000

export function rdkafkaSettings(cfg: KafkaConfig): Record<string, string | number | boolean> {
  const s: Record<string, string | number | boolean> = {
    'metadata.broker.list': cfg.brokers.join(','),
    'group.id': cfg.group_id,
    'client.id': cfg.client_id ?? 'sinker',
    'enable.auto.commit': false,
    'enable.auto.offset.store': false,
    'enable.partition.eof': false,
    ...TUNED,
  }
  if (cfg.fetch_max_bytes !== undefined) s['fetch.max.bytes'] = cfg.fetch_max_bytes
  const sec = cfg.security
  if (sec) {
    s['security.protocol'] = sec.protocol
    if (sec.sasl) {
      s['sasl.mechanisms'] = sec.sasl.mechanism
      s['sasl.username'] = sec.sasl.username
      s['sasl.password'] = sec.sasl.password.reveal()
    }
  }
  for (const [k, v] of Object.entries(cfg.rdkafka ?? {})) s[k] = v
  return s
}

export class KafkaSource {
  private readonly consumer: KafkaConsumerLike
  private closed: Promise<void> | undefined
  private revoking: Promise<void> | undefined
  private joinedOnce = false
  /** Async commits waiting for their offset_commit_cb, by the offsets they carry. */
  private readonly pendingCommits = new Map<string, (err: unknown) => void>()

  constructor(
    private readonly cfg: KafkaConfig,
    handlers: SourceHandlers,
  ) {
    const { KafkaConsumer } = loadKafka()
    const settings = {
      ...rdkafkaSettings(cfg),
      offset_commit_cb: true,
      rebalance_cb: (err: { code: number } | undefined, assignment: TopicPartition[]) => {
        const parts = assignment.map((p) => ({ topic: p.topic, partition: p.partition }))
        if (err?.code === ERR_ASSIGN) {
          this.joinedOnce = true
          handlers.onAssign(parts)
          this.consumer.assign(parts)
          // librdkafka keeps a partition paused across revoke and re-assign; the pipeline starts
          // every assignment unpaused (and pauses again within 20 ms if backpressure still holds).
          if (parts.length > 0) this.consumer.resume(parts)
        } else if (err?.code === ERR_REVOKE) {
          this.revoking = handlers
            .onRevoke(parts)
            .catch((e) => handlers.onError(`revocation: ${String(e)}`, false))
            .finally(() => {
              if (this.consumer.isConnected()) this.consumer.unassign()
              this.revoking = undefined
            })
        } else if (err) {
          handlers.onError(`rebalance error ${err.code}`, false)
        }
      },
    }
    // The start position is a topic property: given in the global settings it is overridden by
    // the (default) topic config the client always creates, and the group starts at `latest`.
    const topicSettings = { 'auto.offset.reset': cfg.start_from }
    this.consumer = new KafkaConsumer(settings, topicSettings) as unknown as KafkaConsumerLike
    this.consumer.on('offset.commit', (err: unknown, offsets: TopicPartitionOffset[]) => {
      this.pendingCommits.get(commitKey(offsets))?.(err)
    })
    this.consumer.on('event.error', (e: { message?: string; isFatal?: boolean }) =>
      handlers.onError(e.message ?? String(e), e.isFatal === true),
    )
  }

  /** True once the group assigned partitions to us at least once (zero partitions counts). */
  get joined(): boolean {
    return this.joinedOnce
  }

  /** Resolves when a revocation in progress has been handed back to the group. */
  get revocation(): Promise<void> | undefined {
    return this.revoking
  }

  async connect(timeoutMs: number): Promise<void> {
    await withDeadline(
      'kafka connect',
      timeoutMs + 1000,
      () =>
        new Promise<void>((resolve, reject) =>
          this.consumer.connect({ timeout: timeoutMs }, (err) =>
            err ? reject(toError(err)) : resolve(),
          ),
        ),
    )
    const subscription = this.cfg.topics ?? [this.cfg.topic_pattern as string]
    this.consumer.subscribe(subscription)
  }

  /** One packed batch of up to 5000 messages, or null when none arrived within `timeoutMs`. */
  poll(timeoutMs: number): Promise<PackedBatch | null> {
    return consumePacked(this.consumer, { timeoutMs, maxMessages: BATCH_MESSAGES, sep: 10 })
  }

  /**
   * Commits explicit offsets. `sync` blocks the thread until the broker answers (revocation and
   * shutdown, when nothing polls); otherwise the commit is sent asynchronously and its answer
   * arrives through offset_commit_cb while the consume loop polls. Not commitCb: under Bun 1.4
   * every stock async addon call with a callback leaks that callback (native/README.md).
   */
  async commit(
    offsets: readonly TopicPartitionOffset[],
    timeoutMs: number,
    mode: 'async' | 'sync' = 'async',
  ): Promise<void> {
    if (offsets.length === 0) return
    const list = offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset }))
    if (mode === 'sync') {
      this.consumer.commitSync(list)
      return
    }
    const key = commitKey(list)
    const answered = new Promise<void>((resolve, reject) => {
      this.pendingCommits.set(key, (err) => (err ? reject(toError(err)) : resolve()))
    })
    try {
      this.consumer.commit(list)
      await withDeadline('kafka commit', timeoutMs, () => answered)
    } finally {
      this.pendingCommits.delete(key)
    }
  }

  pause(partitions: readonly TopicPartition[]): void {
    if (partitions.length > 0 && this.consumer.isConnected()) this.consumer.pause([...partitions])
  }

  resume(partitions: readonly TopicPartition[]): void {
    if (partitions.length > 0 && this.consumer.isConnected()) this.consumer.resume([...partitions])
  }

  /** The high watermark librdkafka last saw for a partition (no network call), or null. */
  highWatermark(topic: string, partition: number): number | null {
    try {
      const w = this.consumer.getWatermarkOffsets(topic, partition)
      return typeof w.highOffset === 'number' && w.highOffset >= 0 ? w.highOffset : null
    } catch {
      return null
    }
  }

  /** Leaves the group and closes the client; idempotent and bounded. */
  close(timeoutMs: number): Promise<void> {
    this.closed ??= withDeadline(
      'kafka disconnect',
      timeoutMs,
      () =>
        new Promise<void>((resolve) => {
          if (!this.consumer.isConnected()) return resolve()
          this.consumer.disconnect(() => resolve())
        }),
    ).catch(() => undefined)
    return this.closed
  }
}

function commitKey(list: readonly TopicPartitionOffset[]): string {
  return list
    .map((o) => `${o.topic}\u0000${o.partition}\u0000${o.offset}`)
    .sort()
    .join('\u0001')
}

function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String((e as { message?: string })?.message ?? e))
}

/** The part of the addon's KafkaConsumer this module uses. */
export interface KafkaConsumerLike {
  connect(opts: { timeout: number }, cb: (err: unknown) => void): void
  subscribe(topics: string[]): void
  assign(parts: TopicPartition[]): void
  unassign(): void
  commit(list: TopicPartitionOffset[]): void
  commitSync(list: TopicPartitionOffset[]): void
  pause(parts: TopicPartition[]): void
  resume(parts: TopicPartition[]): void
  getWatermarkOffsets(topic: string, partition: number): { highOffset: number; lowOffset: number }
  isConnected(): boolean
  disconnect(cb: () => void): void
  on(event: string, cb: (...args: never[]) => void): void
}
