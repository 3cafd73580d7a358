/**
 * @module tests/support/doris-server/state
 * Everything the server remembers behind one door: tables, rows, txns, labels, error logs, SQL.
 * Every change goes through `#apply`, which also replays the journal; nothing changes state around it.
 */
import type { Clock } from '../../../src/core/clock'
import { ErrorLogs } from './error-log'
import { Journal, type JournalEntry, type TxnRecord } from './journal'
import { executeStatement, isDdl, type SqlOutcome } from './sql-executor'
import { parseStatement, type Statement } from './sql-parser'
import { type StoredRow, type Table, type TableDef, TableStore } from './table-store'
import { type Txn, TxnBook, type TxnOptions, type TxnStatus } from './txns'

export class DorisState {
  readonly store = new TableStore()
  readonly txns: TxnBook
  readonly errorLogs = new ErrorLogs()
  readonly statements: string[] = []
  readonly #journal: Journal | null

  constructor(clock: Clock, txnOptions: TxnOptions, dataDir: string | null) {
    this.txns = new TxnBook(clock, txnOptions)
    this.#journal = dataDir === null ? null : new Journal(dataDir)
    for (const entry of this.#journal?.read() ?? []) this.#apply(entry)
  }

  /** Idempotent: an existing database is kept. */
  createDatabase(db: string): void {
    if (!this.store.hasDatabase(db)) this.#record({ op: 'database', db })
  }

  createTable(db: string, table: string, def: TableDef): void {
    this.#record({ op: 'table', db, table, def })
  }

  /** Parses and runs one statement; DDL is journaled. Throws DdlError when refused. */
  runSql(db: string, sql: string): { stmt: Statement; outcome: SqlOutcome } {
    const stmt = parseStatement(sql)
    if (!isDdl(stmt)) return { stmt, outcome: executeStatement(this.store, db, stmt) }
    this.#record({ op: 'sql', db, stmt: sql })
    return { stmt, outcome: { kind: 'exec' } }
  }

  /** Makes rows visible in the table and records the txn's new state. */
  commitRows(table: Table, txn: Txn, rows: readonly StoredRow[], status: TxnStatus): void {
    this.#record({ op: 'rows', db: table.database, table: table.name, rows })
    this.setTxnStatus(txn, status)
  }

  setTxnStatus(txn: Txn, status: TxnStatus): void {
    this.txns.setStatus(txn, status)
    this.saveTxn(txn)
  }

  /** Journals the txn as it now is (label table entries survive a restart). */
  saveTxn(txn: Txn): void {
    this.#journal?.append({ op: 'txn', txn: toRecord(txn) })
  }

  #record(entry: JournalEntry): void {
    this.#apply(entry)
    this.#journal?.append(entry)
  }

  #apply(entry: JournalEntry): void {
    switch (entry.op) {
      case 'database':
        this.store.createDatabase(entry.db, true)
        break
      case 'table':
        this.store.createTable(entry.db, entry.table, entry.def)
        break
      case 'sql':
        executeStatement(this.store, entry.db, parseStatement(entry.stmt))
        break
      case 'rows':
        this.store.insert(this.store.get(entry.db, entry.table), entry.rows)
        break
      case 'txn':
        this.txns.restore({ ...entry.txn, pending: [...entry.txn.pending] })
        break
    }
  }
}

function toRecord(txn: Txn): TxnRecord {
  return {
    id: txn.id,
    db: txn.db,
    table: txn.table,
    label: txn.label,
    status: txn.status,
    rows: txn.rows,
    bodyHash: txn.bodyHash,
    pending: txn.pending,
    beganAt: txn.beganAt,
    finishedAt: txn.finishedAt,
  }
}
