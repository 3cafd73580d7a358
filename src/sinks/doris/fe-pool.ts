/**
 * @module sinks/doris/fe-pool
 * Round robin over the configured FEs: each call starts at the next FE in turn and moves on past
 * an FE that fails (no answer, or a 5xx), which then waits out a cool-down behind the others.
 * Never gives up while an FE is left to try; reads time only from the injected clock.
 */
import type { Clock } from '../../core/clock'
import type { HttpOutcome } from './service'

/** How long an FE that failed is tried only after the healthy ones. */
export const FE_COOL_DOWN_MS = 10_000

export interface FeAnswer {
  readonly feUrl: string
  readonly outcome: HttpOutcome
}

export class FePool {
  #next = 0
  readonly #downUntil: Map<string, number>

  constructor(
    readonly urls: readonly string[],
    private readonly clock: Clock,
  ) {
    if (urls.length === 0) throw new RangeError('the Doris sink needs at least one FE URL')
    this.#downUntil = new Map(urls.map((u) => [u, 0]))
  }

  /** The FEs in the order this call tries them: its turn first, cooling-down ones last. */
  order(): string[] {
    const start = this.#next
    this.#next = (this.#next + 1) % this.urls.length
    const rotated = [...this.urls.slice(start), ...this.urls.slice(0, start)]
    const now = this.clock.now()
    const up = rotated.filter((u) => (this.#downUntil.get(u) ?? 0) <= now)
    return [...up, ...rotated.filter((u) => !up.includes(u))]
  }

  markDown(url: string): void {
    this.#downUntil.set(url, this.clock.now() + FE_COOL_DOWN_MS)
  }

  markUp(url: string): void {
    this.#downUntil.set(url, 0)
  }

  /**
   * Calls FEs in order until one answers below 500; answers the last outcome when none did.
   * Stops at once when the signal aborts.
   */
  async call(
    signal: AbortSignal,
    send: (feUrl: string) => Promise<HttpOutcome>,
  ): Promise<FeAnswer> {
    let last: FeAnswer | undefined
    for (const feUrl of this.order()) {
      const outcome = await send(feUrl)
      last = { feUrl, outcome }
      if (outcome.kind === 'answer' && outcome.status < 500) {
        this.markUp(feUrl)
        return last
      }
      this.markDown(feUrl)
      if (signal.aborted) return last
    }
    return last as FeAnswer
  }
}
