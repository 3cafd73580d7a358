/**
 * @module core/gc-pacer
 * Asks the engine for a collection after every `everyBytes` consumed. The packed batches the
 * Kafka addon hands over, and the copies fetch makes of request bodies, are large buffers the
 * collector does not weigh as it weighs JS objects: left alone, RSS climbed by the bytes moved
 * (to ~450 MiB over 1M demo events) and only fell once the process went idle.
 */

export class GcPacer {
  private since = 0

  constructor(
    private readonly everyBytes: number,
    private readonly collect: () => void = () => Bun.gc(true),
  ) {}

  consumed(bytes: number): void {
    this.since += bytes
    if (this.since < this.everyBytes) return
    this.since = 0
    this.collect()
  }
}
