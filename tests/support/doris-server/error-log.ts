/**
 * @module tests/support/doris-server/error-log
 * The rejected rows of each load, served at its ErrorURL (`/api/_load_error_log?file=…`), one
 * `Reason: … src line [...]; ` line per row as the BE writes it. Never holds rows that loaded.
 */
import type { FilteredRow } from './row-builder'

/** The BE keeps only the first rows of a big error log. */
const MAX_LINES = 1000

export class ErrorLogs {
  readonly #files = new Map<string, string>()
  #seq = 0

  /** Stores the log and returns its file id (the `file` parameter of the ErrorURL). */
  add(rows: readonly FilteredRow[]): string {
    const n = ++this.#seq
    const hex = n.toString(16).padStart(16, '0')
    const file = `__shard_${n % 16}/error_log_insert_stmt_${hex}-${hex}_${hex}_${hex}`
    this.#files.set(file, errorLogText(rows))
    return file
  }

  get(file: string): string | undefined {
    return this.#files.get(file)
  }
}

export function errorLogText(rows: readonly FilteredRow[]): string {
  return rows
    .slice(0, MAX_LINES)
    .map((r) => `Reason: ${r.reason}. src line [${r.source}]; \n`)
    .join('')
}

export function errorUrl(beUrl: string, file: string): string {
  return `${beUrl}/api/_load_error_log?file=${file}`
}
