/**
 * @module log/logger
 * The structured logger: pino to stdout, JSON by default or human-readable (`log.format: pretty`).
 * Built once in main.ts and passed down; never a module singleton. Never logs secrets: config is
 * logged only through redactConfig.
 */
import pino from 'pino'
import pretty from 'pino-pretty'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type Logger = pino.Logger

export function createLogger(opts: { level: LogLevel; format: 'json' | 'pretty' }): Logger {
  const options: pino.LoggerOptions = {
    level: opts.level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  }
  const stream =
    opts.format === 'pretty'
      ? pretty({ sync: true, colorize: false, translateTime: 'SYS:standard' })
      : // Synchronous: nothing logs per message, and a buffered line would be lost at exit.
        pino.destination({ fd: 1, sync: true })
  return pino(options, stream)
}

/** A logger that writes nothing (tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}

/**
 * Limits a repetitive log line (bad messages, retries) to `perInterval` lines per `intervalMs`,
 * reporting how many were suppressed when the window reopens.
 */
export function rateLimited(
  now: () => number,
  intervalMs: number,
  perInterval: number,
): (emit: (suppressed: number) => void) => void {
  let windowStart = Number.NEGATIVE_INFINITY
  let count = 0
  let suppressed = 0
  return (emit) => {
    const t = now()
    if (t - windowStart >= intervalMs) {
      windowStart = t
      count = 0
    }
    if (count < perInterval) {
      count++
      emit(suppressed)
      suppressed = 0
    } else {
      suppressed++
    }
  }
}
