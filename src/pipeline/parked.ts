/**
 * @module pipeline/parked
 * Messages waiting for their target: its first load, a reload after eviction, or a schema change
 * (a new column) under way. Per target, in arrival order; a parked message stays tracked (not
 * acknowledged) in the offset tracker, so it holds its partition's commit point and counts as in
 * flight for backpressure. Pure bookkeeping; the bytes it keeps are copies, never views of a
 * packed batch that the source may reuse.
 */
import type { DeadLetterInput } from '../deadletter/dead-letter'
import type { TargetRef } from '../schema/table-schema'

export interface ParkedMessage {
  readonly target: TargetRef
  /** The route that resolved the target (its zone, its dynamic schema policy). */
  readonly routeIndex: number
  readonly value: Record<string, unknown>
  readonly task: string | undefined
  /** What a dead letter of this message needs, but its reason, detail and time. */
  readonly record: Omit<DeadLetterInput, 'reason' | 'detail' | 'now'>
}

export class ParkedMessages {
  private readonly byTarget = new Map<string, ParkedMessage[]>()
  private count = 0

  get size(): number {
    return this.count
  }

  /** Target keys with parked messages, in the order they first parked. */
  keys(): string[] {
    return [...this.byTarget.keys()]
  }

  has(key: string): boolean {
    return this.byTarget.has(key)
  }

  park(key: string, message: ParkedMessage): void {
    let list = this.byTarget.get(key)
    if (list === undefined) {
      list = []
      this.byTarget.set(key, list)
    }
    list.push(message)
    this.count++
  }

  /** The messages of `key` in arrival order, removed; [] when none. */
  take(key: string): ParkedMessage[] {
    const list = this.byTarget.get(key)
    if (list === undefined) return []
    this.byTarget.delete(key)
    this.count -= list.length
    return list
  }

  /** Puts `messages` back in front of whatever `key` holds now (a release stopped part way). */
  restore(key: string, messages: readonly ParkedMessage[]): void {
    if (messages.length === 0) return
    const later = this.byTarget.get(key) ?? []
    this.byTarget.set(key, [...messages, ...later])
    this.count += messages.length
  }

  /** The lowest offset of `topic`/`partition` parked, or undefined (a scan: rare callers). */
  firstOffset(topic: string, partition: number): number | undefined {
    let first: number | undefined
    for (const list of this.byTarget.values()) {
      for (const m of list) {
        const r = m.record
        if (
          r.partition === partition &&
          r.topic === topic &&
          (first === undefined || r.offset < first)
        )
          first = r.offset
      }
    }
    return first
  }

  /** Removes the messages matching `pred` (revoked partitions, a deprecated task); returns them. */
  dropWhere(pred: (m: ParkedMessage) => boolean): ParkedMessage[] {
    const dropped: ParkedMessage[] = []
    for (const [key, list] of this.byTarget) {
      const kept = list.filter((m) => {
        if (!pred(m)) return true
        dropped.push(m)
        return false
      })
      if (kept.length === 0) this.byTarget.delete(key)
      else if (kept.length !== list.length) this.byTarget.set(key, kept)
    }
    this.count -= dropped.length
    return dropped
  }
}
