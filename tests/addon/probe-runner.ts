/**
 * @module tests/addon/probe-runner
 * Runs the compiled probe (dist/addon-probe) as a child process and reads its JSON lines as
 * they come, so a test can wait for a rebalance event before starting the next member. Never
 * leaves a probe running: each has a deadline after which it is killed.
 */
import { withDeadline } from '../../src/core/deadline'

export type ProbeLine = Record<string, unknown>

export interface ProbeOutcome {
  readonly exitCode: number
  readonly lines: ProbeLine[]
  /** The final `{ok, result}` line. */
  readonly ok: boolean
  readonly result: Record<string, unknown>
  readonly stderr: string
}

export class ProbeProcess {
  readonly lines: ProbeLine[] = []
  private readonly proc: Bun.Subprocess<'ignore', 'pipe', 'pipe'>
  private readonly done: Promise<ProbeOutcome>
  private waiters: Array<() => void> = []
  private ended = false

  constructor(bin: string, cwd: string, config: object, maxMs: number) {
    this.proc = Bun.spawn([bin, JSON.stringify(config)], {
      cwd,
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      timeout: maxMs,
      killSignal: 'SIGKILL',
    })
    const stderr = new Response(this.proc.stderr).text()
    this.done = Promise.all([this.read(), this.proc.exited, stderr]).then(([, code, err]) =>
      this.outcome(code, err),
    )
  }

  get pid(): number {
    return this.proc.pid
  }

  /** The first line (already read or still to come) that matches, within `ms`. */
  waitFor(what: string, match: (line: ProbeLine) => boolean, ms: number): Promise<ProbeLine> {
    return withDeadline(`probe line: ${what}`, ms, async () => {
      for (;;) {
        const found = this.lines.find(match)
        if (found) return found
        if (this.ended) throw new Error(`probe output ended before ${what}`)
        await new Promise<void>((resolve) => this.waiters.push(resolve))
      }
    })
  }

  signal(sig: 'SIGTERM' | 'SIGINT'): void {
    this.proc.kill(sig)
  }

  /** Resolves when the probe exits by itself; rejects when it takes longer than `ms`. */
  finished(ms: number): Promise<ProbeOutcome> {
    return withDeadline('probe exit', ms, () => this.done)
  }

  private async read(): Promise<void> {
    const decoder = new TextDecoder()
    let partial = ''
    for await (const chunk of this.proc.stdout) {
      const parts = (partial + decoder.decode(chunk, { stream: true })).split('\n')
      partial = parts.pop() ?? ''
      for (const line of parts) if (line.startsWith('{')) this.lines.push(JSON.parse(line))
      const waiting = this.waiters
      this.waiters = []
      for (const wake of waiting) wake()
    }
    this.ended = true
    for (const wake of this.waiters) wake()
  }

  private outcome(exitCode: number, stderr: string): ProbeOutcome {
    const last = this.lines.findLast((l) => 'ok' in l) ?? { ok: false, error: 'no result line' }
    return {
      exitCode,
      lines: this.lines,
      ok: last.ok === true,
      result: (last.result ?? { error: last.error }) as Record<string, unknown>,
      stderr,
    }
  }
}

/** Runs one probe to its natural exit. */
export function runProbe(bin: string, cwd: string, config: object, maxMs = 90_000) {
  return new ProbeProcess(bin, cwd, config, maxMs).finished(maxMs + 5000)
}
