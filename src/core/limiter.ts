/**
 * @module core/limiter
 * Runs at most `limit` async jobs at once; the others wait their turn in arrival order. Used so
 * that first loads of thousands of new targets never open thousands of requests at once.
 */

export class Limiter {
  private running = 0
  private readonly queue: Array<() => void> = []

  constructor(private readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError('a limiter needs a limit of at least 1')
  }

  get active(): number {
    return this.running
  }

  get waiting(): number {
    return this.queue.length
  }

  /** Runs `job` once a slot is free; the slot is freed however the job ends. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve))
    else this.running++
    try {
      return await job()
    } finally {
      const next = this.queue.shift()
      // The slot passes straight to the next job, so `running` never dips below the limit.
      if (next) next()
      else this.running--
    }
  }
}
