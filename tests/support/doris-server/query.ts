/**
 * @module tests/support/doris-server/query
 * Answers the read statements: SELECT over a table or information_schema.columns (equality WHERE,
 * ORDER BY, LIMIT), SELECT 1, DESC, SHOW PARTITIONS/TABLES/DATABASES. Pure; never changes the store.
 */
import { dataTypeName, typeText } from './column-type'
import { DdlError } from './ddl-error'
import { describeRange } from './partitions'
import { RawNumber } from './responses'
import { type SelectStatement, unsupported } from './sql-parser'
import { type Column, columnTypeText, type Table, type TableStore } from './table-store'

export interface ResultSet {
  readonly meta: readonly { readonly name: string; readonly type: string }[]
  readonly rows: readonly (readonly unknown[])[]
}

interface Relation {
  readonly columns: readonly { readonly name: string; readonly type: string }[]
  readonly rows: readonly Record<string, unknown>[]
}

export function select(store: TableStore, db: string, stmt: SelectStatement): ResultSet {
  const relation = relationOf(store, db, stmt)
  let rows = [...relation.rows]
  for (const w of stmt.where) {
    const name = columnName(relation, w.column)
    rows = rows.filter((r) => valueText(r[name]) === w.value)
  }
  if (stmt.orderBy)
    rows = ordered(rows, columnName(relation, stmt.orderBy.column), stmt.orderBy.desc)
  if (stmt.limit !== null) rows = rows.slice(0, stmt.limit)
  if (stmt.items === null) {
    return { meta: relation.columns, rows: rows.map((r) => relation.columns.map((c) => r[c.name])) }
  }
  if (stmt.items.some((i) => i.kind === 'count')) {
    if (stmt.items.length > 1) throw unsupported('COUNT(*) with other select items')
    return { meta: [{ name: stmt.items[0]!.alias, type: 'BIGINT' }], rows: [[rows.length]] }
  }
  const picked = stmt.items.map((i) => {
    const name = columnName(relation, i.kind === 'column' ? i.name : '')
    return { name, alias: i.alias, type: relation.columns.find((c) => c.name === name)!.type }
  })
  return {
    meta: picked.map((p) => ({ name: p.alias, type: p.type })),
    rows: rows.map((r) => picked.map((p) => r[p.name])),
  }
}

function relationOf(store: TableStore, db: string, stmt: SelectStatement): Relation {
  const schema = stmt.table.db ?? db
  if (schema.toLowerCase() === 'information_schema') {
    if (stmt.table.name.toLowerCase() !== 'columns')
      throw unsupported(`information_schema.${stmt.table.name}`)
    return informationSchemaColumns(store)
  }
  const table = store.get(schema, stmt.table.name)
  return {
    columns: table.columns.map((c) => ({ name: c.name, type: metaType(c) })),
    rows: table.rows.map((r) => resultRow(table, r.values)),
  }
}

function valueText(v: unknown): string | null {
  if (v === null || v === undefined) return null
  return v instanceof RawNumber ? v.text : String(v)
}

function columnName(relation: Relation, name: string): string {
  const found = relation.columns.find((c) => c.name.toLowerCase() === name.toLowerCase())
  if (!found) throw new DdlError(`Unknown column '${name}' in 'table list'`)
  return found.name
}

function ordered(
  rows: Record<string, unknown>[],
  name: string,
  desc: boolean,
): Record<string, unknown>[] {
  const key = (v: unknown) => (v instanceof RawNumber ? Number(v.text) : v)
  return rows.sort((a, b) => {
    const x = key(a[name]) as string | number
    const y = key(b[name]) as string | number
    const cmp = x < y ? -1 : x > y ? 1 : 0
    return desc ? -cmp : cmp
  })
}

/** How the result set spells a column type: the base name, upper case (`VARCHAR`, `DECIMAL`). */
function metaType(c: Column): string {
  return dataTypeName(c.type).toUpperCase()
}

/** Values as the SQL API returns them: decimals and big integers exact, nested values as text. */
function resultRow(table: Table, values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const c of table.columns) {
    const v = values[c.name]
    if (v === null || v === undefined) out[c.name] = null
    else if (c.type.kind === 'decimal') out[c.name] = new RawNumber(String(v))
    else if (['json', 'array', 'map', 'struct'].includes(c.type.kind))
      out[c.name] = JSON.stringify(v)
    else out[c.name] = v
  }
  return out
}

const INFO_COLUMNS = [
  'TABLE_CATALOG',
  'TABLE_SCHEMA',
  'TABLE_NAME',
  'COLUMN_NAME',
  'ORDINAL_POSITION',
  'COLUMN_DEFAULT',
  'IS_NULLABLE',
  'DATA_TYPE',
  'CHARACTER_MAXIMUM_LENGTH',
  'NUMERIC_PRECISION',
  'NUMERIC_SCALE',
  'DATETIME_PRECISION',
  'COLUMN_TYPE',
  'COLUMN_KEY',
  'COLUMN_COMMENT',
]

function informationSchemaColumns(store: TableStore): Relation {
  const rows = store
    .databases()
    .flatMap((db) => store.tables(db).flatMap((t) => t.columns.map((c, i) => infoRow(t, c, i + 1))))
  const numeric = new Set([
    'ORDINAL_POSITION',
    'CHARACTER_MAXIMUM_LENGTH',
    'NUMERIC_PRECISION',
    'NUMERIC_SCALE',
    'DATETIME_PRECISION',
  ])
  return {
    columns: INFO_COLUMNS.map((name) => ({ name, type: numeric.has(name) ? 'BIGINT' : 'VARCHAR' })),
    rows,
  }
}

function infoRow(t: Table, c: Column, position: number): Record<string, unknown> {
  const type = c.type
  return {
    TABLE_CATALOG: 'internal',
    TABLE_SCHEMA: t.database,
    TABLE_NAME: t.name,
    COLUMN_NAME: c.name,
    ORDINAL_POSITION: position,
    COLUMN_DEFAULT: c.defaultText ?? null,
    IS_NULLABLE: c.nullable ? 'YES' : 'NO',
    DATA_TYPE: dataTypeName(type),
    CHARACTER_MAXIMUM_LENGTH: type.kind === 'string' ? type.length : null,
    NUMERIC_PRECISION: type.kind === 'decimal' ? type.precision : null,
    NUMERIC_SCALE: type.kind === 'decimal' ? type.scale : null,
    DATETIME_PRECISION: type.kind === 'datetime' ? type.scale : null,
    COLUMN_TYPE: columnTypeText(c),
    COLUMN_KEY: c.isKey ? (t.keysType === 'UNIQUE_KEYS' ? 'UNI' : 'DUP') : '',
    COLUMN_COMMENT: c.comment,
  }
}

export function describe(table: Table): ResultSet {
  const names = ['Field', 'Type', 'Null', 'Key', 'Default', 'Extra']
  return {
    meta: names.map((name) => ({ name, type: 'CHAR' })),
    rows: table.columns.map((c) => [
      c.name,
      columnTypeText(c),
      c.nullable ? 'Yes' : 'No',
      String(c.isKey),
      c.defaultText ?? 'NULL',
      c.isKey || table.keysType === 'DUP_KEYS' ? '' : 'NONE',
    ]),
  }
}

export function showPartitions(table: Table): ResultSet {
  const names = ['PartitionId', 'PartitionName', 'State', 'PartitionKey', 'Range', 'RowCount']
  const col = table.columns.find((c) => c.name === table.partitionColumn)
  const keyType = col ? typeText(col.type).replace(/\(.*$/, '') : ''
  const partitions =
    table.partitions.length > 0
      ? table.partitions
      : [{ name: table.name, lower: null, upper: null }]
  return {
    meta: names.map((name) => ({ name, type: 'CHAR' })),
    rows: partitions.map((p, i) => [
      table.id * 100 + i,
      p.name,
      'NORMAL',
      table.partitionColumn ?? '',
      table.partitionColumn ? `${describeRange(p)} (${keyType})` : '',
      table.rows.filter((r) => table.partitionColumn === null || r.partition === p.name).length,
    ]),
  }
}

export function oneColumn(name: string, values: readonly string[]): ResultSet {
  return { meta: [{ name, type: 'CHAR' }], rows: values.map((v) => [v]) }
}
