/**
 * @module tests/support/doris-server/journal
 * Keeps the server's state across restarts for the standalone demo (`--data DIR`): every change
 * is one line appended to DIR/journal.ndjson and replayed at start. Never rewrites or compacts the
 * file; big integers survive as tagged strings.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { StoredRow, TableDef } from './table-store'
import type { TxnStatus } from './txns'

export type JournalEntry =
  | { readonly op: 'database'; readonly db: string }
  | { readonly op: 'table'; readonly db: string; readonly table: string; readonly def: TableDef }
  | { readonly op: 'sql'; readonly db: string; readonly stmt: string }
  | {
      readonly op: 'rows'
      readonly db: string
      readonly table: string
      readonly rows: readonly StoredRow[]
    }
  | { readonly op: 'txn'; readonly txn: TxnRecord }

/** A transaction as journaled: everything but its clock-free identity is plain data. */
export interface TxnRecord {
  readonly id: number
  readonly db: string
  readonly table: string
  readonly label: string
  readonly status: TxnStatus
  readonly rows: number
  readonly bodyHash: string
  readonly pending: readonly StoredRow[]
  readonly beganAt: number
  readonly finishedAt: number | null
}

const BIGINT_TAG = '__doris_test_server_bigint__'

function encode(entry: JournalEntry): string {
  return JSON.stringify(entry, (_k, v: unknown) =>
    typeof v === 'bigint' ? { [BIGINT_TAG]: String(v) } : v,
  )
}

function decode(line: string): JournalEntry {
  return JSON.parse(line, (_k, v: unknown) => {
    if (v && typeof v === 'object' && BIGINT_TAG in v)
      return BigInt((v as Record<string, string>)[BIGINT_TAG]!)
    return v
  }) as JournalEntry
}

export class Journal {
  readonly #file: string

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true })
    this.#file = join(dir, 'journal.ndjson')
  }

  read(): JournalEntry[] {
    if (!existsSync(this.#file)) return []
    return readFileSync(this.#file, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map(decode)
  }

  append(entry: JournalEntry): void {
    appendFileSync(this.#file, `${encode(entry)}\n`)
  }
}
