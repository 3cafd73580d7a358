/**
 * @module cli/io
 * What a command may touch of the process: its environment and its output streams. Commands
 * return exit codes; only main.ts exits or installs signal handlers.
 */
export interface CliIo {
  readonly env: Record<string, string | undefined>
  out(line: string): void
  err(line: string): void
  /** Registers what a stop request (first SIGTERM/SIGINT) does. */
  onStop(handler: () => void): void
}

export type ExitCode = 0 | 1 | 2
