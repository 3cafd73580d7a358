/**
 * @module pipeline/health
 * The open problems that make /ready answer 503, each under a key ('kafka', 'sink', 'table x').
 * A problem may expire (transient Kafka errors that nothing would otherwise clear).
 */
import type { Clock } from '../core/clock'

export class Health {
  private readonly problems = new Map<string, { text: string; until: number }>()

  constructor(private readonly clock: Clock) {}

  /** Sets or (with null) clears a problem; with `ttlMs` it clears itself after that time. */
  set(key: string, problem: string | null, ttlMs = Number.POSITIVE_INFINITY): void {
    if (problem === null) this.problems.delete(key)
    else this.problems.set(key, { text: problem, until: this.clock.now() + ttlMs })
  }

  has(key: string): boolean {
    const p = this.problems.get(key)
    if (p === undefined) return false
    if (p.until > this.clock.now()) return true
    this.problems.delete(key)
    return false
  }

  reasons(): string[] {
    return this.current().map(([k, p]) => `${k}: ${p.text}`)
  }

  private current(): Array<[string, { text: string; until: number }]> {
    const now = this.clock.now()
    for (const [k, p] of this.problems) if (p.until <= now) this.problems.delete(k)
    return [...this.problems]
  }
}
