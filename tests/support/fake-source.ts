/**
 * A Kafka stand-in for pipeline tests: batches pushed onto `queue` are polled in order, commits
 * are recorded, and assignment and revocation are driven by the test.
 */
import type { Source } from '../../src/pipeline/pipeline'
import type {
  SourceHandlers,
  TopicPartition,
  TopicPartitionOffset,
} from '../../src/source/kafka-source'
import type { PackedBatch } from '../../src/source/packed-batch'

export class FakeSource implements Source {
  handlers!: SourceHandlers
  joined = false
  revocation: Promise<void> | undefined
  readonly queue: PackedBatch[] = []
  readonly commits: TopicPartitionOffset[][] = []
  async connect(): Promise<void> {
    this.joined = true
  }
  async poll(timeoutMs: number): Promise<PackedBatch | null> {
    const b = this.queue.shift()
    if (b) return b
    await Bun.sleep(Math.min(timeoutMs, 5))
    return null
  }
  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    this.commits.push([...offsets])
  }
  pause(): void {}
  resume(): void {}
  highWatermark(): number | null {
    return null
  }
  async close(): Promise<void> {}
  assign(parts: TopicPartition[]) {
    this.handlers.onAssign(parts)
  }
  revoke(parts: TopicPartition[]): Promise<void> {
    this.revocation = this.handlers.onRevoke(parts).finally(() => {
      this.revocation = undefined
    })
    return this.revocation
  }
  lastCommitted(partition: number): number | undefined {
    let at: number | undefined
    for (const list of this.commits)
      for (const c of list) if (c.partition === partition) at = c.offset
    return at
  }
}
