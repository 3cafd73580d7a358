/**
 * @module errors
 * The few error classes the program distinguishes: each carries a fixed code and maps to an exit
 * code in main.ts. Sink and coercion failures are values, never these.
 */

/** Invalid configuration or arguments: exit 2. `issues` are `path: message` lines. */
export class ConfigError extends Error {
  readonly code = 'config_error'
  constructor(readonly issues: readonly string[]) {
    super(issues.join('\n'))
    this.name = 'ConfigError'
  }
}

/** A runtime failure the process cannot continue after: exit 1. */
export class FatalError extends Error {
  readonly code = 'fatal'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'FatalError'
  }
}

/** An awaited outside call did not answer within its deadline. */
export class TimeoutError extends Error {
  readonly code = 'timeout'
  constructor(
    readonly what: string,
    readonly ms: number,
  ) {
    super(`${what} timed out after ${ms} ms`)
    this.name = 'TimeoutError'
  }
}
