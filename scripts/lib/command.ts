/**
 * @module scripts/lib/command
 * Runs a short-lived tool (kcat, python3, java, mvn, apt-get) to completion under a deadline and
 * collects its output. Never leaves the process running past the deadline: it is killed.
 */
import { withDeadline } from '../../src/core/deadline'

export interface CommandOptions {
  readonly timeoutMs: number
  readonly input?: string | Uint8Array
  readonly cwd?: string
  readonly env?: Record<string, string | undefined>
}

export interface CommandResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs `cmd`; rejects with TimeoutError (after killing it) when it outlives `timeoutMs`. */
export function runCommand(cmd: readonly string[], opts: CommandOptions): Promise<CommandResult> {
  return withDeadline(describe(cmd), opts.timeoutMs, async (signal) => {
    const proc = Bun.spawn([...cmd], {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdin: opts.input === undefined ? 'ignore' : new Blob([opts.input]),
      stdout: 'pipe',
      stderr: 'pipe',
      signal,
      killSignal: 'SIGKILL',
    })
    const [stdout, stderr, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ])
    return { code, stdout, stderr }
  })
}

/** Like runCommand, but a non-zero exit rejects with the tail of what the tool said. */
export async function runChecked(cmd: readonly string[], opts: CommandOptions): Promise<string> {
  const result = await runCommand(cmd, opts)
  if (result.code !== 0) {
    const said = tail(`${result.stderr}\n${result.stdout}`.trim(), 30)
    throw new Error(`${describe(cmd)} exited with code ${result.code}:\n${said}`)
  }
  return result.stdout
}

/** The last `lines` lines of `text`. */
export function tail(text: string, lines: number): string {
  return text.split('\n').slice(-lines).join('\n')
}

function describe(cmd: readonly string[]): string {
  const text = cmd.join(' ')
  return text.length > 160 ? `${text.slice(0, 157)}...` : text
}
