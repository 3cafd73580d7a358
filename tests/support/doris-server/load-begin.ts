/**
 * @module tests/support/doris-server/load-begin
 * What the FE checks for a Stream Load once the BE asks (loadTxnBegin, streamLoadPut): password,
 * database, table, label format, running txns, label in use, then the plan's column and partition
 * names. Begins the txn; never reads the body.
 */
import { accessDenied, type Credentials, checkPassword } from './auth'
import type { LoadOptions } from './load-options'
import { fail, type Load, labelExists } from './load-result'
import type { Table } from './table-store'
import { LABEL_PATTERN, type Txn } from './txns'

export type Begun = { ok: true; txn: Txn; table: Table } | { ok: false; response: Response }

const ANALYSIS = '[ANALYSIS_ERROR]errCode = 2, detailMessage ='
const UNKNOWN = '[ANALYSIS_ERROR]errCode = 7, detailMessage ='

export function beginLoad(load: Load, creds: Credentials): Begun {
  const { ctx, db, tableName } = load
  const label = load.result.label
  const refuse = (message: string): Begun => ({ ok: false, response: fail(load, message) })
  if (!checkPassword(ctx.users, creds))
    return refuse(`${ANALYSIS} ${accessDenied(creds, load.remoteIp)}`)
  if (!ctx.state.store.hasDatabase(db)) return refuse(`${UNKNOWN} unknown databases, dbName=${db}`)
  const table = ctx.state.store.find(db, tableName)
  if (!table) return refuse(`${UNKNOWN} unknown table, tableName=${tableName}`)
  if (!LABEL_PATTERN.test(label)) {
    return refuse(`${ANALYSIS} Label format error. regex: ${LABEL_PATTERN.source}, label: ${label}`)
  }
  if (ctx.faults.tooManyTxns.take('be_stream_load', ctx.random)) {
    return refuse(
      `${ANALYSIS} current running txns on db ${table.id - 1} is 1000, larger than limit 1000`,
    )
  }
  const begun = ctx.state.txns.begin(db, tableName, label)
  if (!begun.ok) return { ok: false, response: labelExists(load, begun.existing) }
  ctx.state.saveTxn(begun.txn)
  return { ok: true, txn: begun.txn, table }
}

/** The `columns` and `partitions` headers must name what the table has; null when they do. */
export function checkPlan(table: Table, opts: LoadOptions): string | null {
  const names = opts.columns ?? []
  const has = (name: string) => names.some((n) => n.toLowerCase() === name.toLowerCase())
  const unknown = names.find(
    (n) => !table.columns.some((c) => c.name.toLowerCase() === n.toLowerCase()),
  )
  if (unknown) return `${ANALYSIS} Unknown column '${unknown}' in '${table.name}'`
  if (new Set(names.map((n) => n.toLowerCase())).size !== names.length) {
    return `${ANALYSIS} Duplicate column name in columns`
  }
  if (opts.columns !== null) {
    const missing = table.columns.find((c) => !c.nullable && c.defaultText == null && !has(c.name))
    if (missing) return `${ANALYSIS} Column has no default value. column: ${missing.name}`
  }
  const partition = (opts.partitions ?? []).find((p) => !table.partitions.some((x) => x.name === p))
  if (partition) return `${ANALYSIS} Unknown partition '${partition}' in table '${table.name}'`
  return null
}
