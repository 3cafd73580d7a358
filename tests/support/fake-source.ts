/**
 * A Kafka stand-in for pipeline tests: batches pushed onto `queue` are polled in order, commits
 * are recorded, and assignment and revocation are driven by the test.
 */
import { systemClock } from '../../src/core/clock'
import { createDroppingDeadLetter } from '../../src/deadletter/dead-letter'
import { silentLogger } from '../../src/log/logger'
import { createMetrics } from '../../src/metrics/metrics'
import { Pipeline, type PipelineDeps, type Source } from '../../src/pipeline/pipeline'
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

/** A Pipeline over a FakeSource, with a dropping dead letter, the system clock and no logs. */
export function pipelineOnFakeSource(
  deps: Pick<PipelineDeps, 'config' | 'sink'> & Partial<PipelineDeps>,
): { source: FakeSource; pipeline: Pipeline } {
  const source = new FakeSource()
  const pipeline = new Pipeline({
    deadLetter: createDroppingDeadLetter(),
    clock: systemClock,
    log: silentLogger(),
    metrics: createMetrics({ processMetrics: false }),
    ...deps,
    createSource: (h) => {
      source.handlers = h
      return source
    },
  })
  return { source, pipeline }
}
