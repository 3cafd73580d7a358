/**
 * @module tests/support/doris-server/table-store
 * The databases, tables, partitions and rows the server holds, in load order. UNIQUE KEY tables
 * keep the latest row per key. Every refusal is a DdlError with Doris' wording; nothing here
 * does I/O.
 */
import { type DorisType, parseDorisType, typeText } from './column-type'
import { convertValue } from './convert-value'
import { DdlError } from './ddl-error'
import { addRange, impliedLower, normalizeBound, type RangePartition } from './partitions'
import { stringifyJson } from './responses'

export interface ColumnInput {
  readonly name: string
  /** Doris type text, e.g. `BIGINT`, `VARCHAR(64)`, `DECIMAL(10,2)`, `ARRAY<INT>`. */
  readonly type: string
  /** Default true. */
  readonly nullable?: boolean
  /** DEFAULT value text; null is `DEFAULT NULL`; absent means no default. */
  readonly default?: string | null
  readonly comment?: string
}

export interface PartitionInput {
  readonly name: string
  /** Absent: `VALUES LESS THAN` (the lower bound is the previous partition's upper bound). */
  readonly lower?: string
  /** `MAXVALUE` for an open end. */
  readonly upper: string
}

export interface TableDef {
  readonly columns: readonly ColumnInput[]
  readonly partitions?: readonly PartitionInput[]
  readonly partitionColumn?: string
  readonly uniqueKey?: readonly string[]
  readonly duplicateKey?: readonly string[]
}

export interface Column {
  readonly name: string
  readonly type: DorisType
  readonly nullable: boolean
  readonly isKey: boolean
  /** Text of the DEFAULT clause; null for DEFAULT NULL; undefined for none. */
  readonly defaultText: string | null | undefined
  readonly comment: string
}

export interface StoredRow {
  readonly values: Record<string, unknown>
  readonly partition: string | null
}

export interface Table {
  readonly database: string
  readonly name: string
  readonly id: number
  columns: Column[]
  readonly keysType: 'DUP_KEYS' | 'UNIQUE_KEYS'
  readonly partitionColumn: string | null
  partitions: RangePartition[]
  rows: StoredRow[]
}

export class TableStore {
  readonly #databases = new Map<string, Map<string, Table>>()
  #nextId = 10_001

  hasDatabase(db: string): boolean {
    return this.#databases.has(db)
  }

  databases(): string[] {
    return [...this.#databases.keys()]
  }

  createDatabase(db: string, ifNotExists = false): void {
    if (this.#databases.has(db)) {
      if (ifNotExists) return
      throw new DdlError(`Can't create database '${db}'; database exists`)
    }
    this.#databases.set(db, new Map())
  }

  tables(db: string): Table[] {
    return [...this.#tablesOf(db).values()]
  }

  /** The table, or undefined when the database or the table does not exist. */
  find(db: string, table: string): Table | undefined {
    return this.#databases.get(db)?.get(table)
  }

  /** The table; throws DdlError naming what is missing. */
  get(db: string, table: string): Table {
    const t = this.#tablesOf(db).get(table)
    if (!t) throw new DdlError(`Unknown table '${table}'`)
    return t
  }

  createTable(db: string, name: string, def: TableDef, ifNotExists = false): void {
    const tables = this.#tablesOf(db)
    if (tables.has(name)) {
      if (ifNotExists) return
      throw new DdlError(`Table '${name}' already exists`)
    }
    tables.set(name, buildTable(db, name, def, this.#nextId++))
  }

  dropTable(db: string, name: string, ifExists = false): void {
    if (!this.#tablesOf(db).delete(name) && !ifExists) throw new DdlError(`Unknown table '${name}'`)
  }

  /** Appends rows in load order; in a UNIQUE KEY table a row replaces the one with its key. */
  insert(table: Table, rows: readonly StoredRow[]): void {
    if (table.keysType === 'DUP_KEYS') {
      table.rows.push(...rows)
      return
    }
    const keyOf = (r: StoredRow) =>
      stringifyJson(table.columns.filter((c) => c.isKey).map((c) => r.values[c.name]))
    const latest = new Map(rows.map((r) => [keyOf(r), r]))
    table.rows = table.rows.filter((r) => !latest.has(keyOf(r)))
    table.rows.push(...latest.values())
  }

  #tablesOf(db: string): Map<string, Table> {
    const tables = this.#databases.get(db)
    if (!tables) throw new DdlError(`Unknown database '${db}'`)
    return tables
  }
}

function buildTable(db: string, name: string, def: TableDef, id: number): Table {
  const keys = def.uniqueKey ?? def.duplicateKey ?? (def.columns[0] ? [def.columns[0].name] : [])
  const seen = new Set<string>()
  const columns = def.columns.map((c) => {
    if (seen.has(c.name.toLowerCase())) throw new DdlError(`Duplicate column name '${c.name}'`)
    seen.add(c.name.toLowerCase())
    return buildColumn(c, keys.includes(c.name))
  })
  for (const k of keys) {
    if (!seen.has(k.toLowerCase())) throw new DdlError(`Key column[${k}] does not exist in table`)
  }
  const table: Table = {
    database: db,
    name,
    id,
    columns,
    keysType: def.uniqueKey ? 'UNIQUE_KEYS' : 'DUP_KEYS',
    partitionColumn: def.partitionColumn ?? null,
    partitions: [],
    rows: [],
  }
  if (table.partitionColumn !== null) checkPartitionColumn(table)
  for (const p of def.partitions ?? []) addPartition(table, p)
  return table
}

export function buildColumn(input: ColumnInput, isKey = false): Column {
  const type = parseDorisType(input.type)
  const nullable = input.nullable ?? true
  if (input.default !== undefined && input.default !== null) {
    const c = convertValue(input.default, type, { timezone: 'UTC' })
    if (!c.ok) throw new DdlError(`Invalid default value for '${input.name}': ${input.default}`)
  }
  if (input.default === null && !nullable) {
    throw new DdlError(`Can not set null default value to non nullable column: ${input.name}`)
  }
  return {
    name: input.name,
    type,
    nullable,
    isKey,
    defaultText: input.default,
    comment: input.comment ?? '',
  }
}

/** The value a row gets for a column it does not carry: the default, else NULL. */
export function columnDefault(c: Column): unknown {
  if (c.defaultText === undefined || c.defaultText === null) return null
  const v = convertValue(c.defaultText, c.type, { timezone: 'UTC' })
  return v.ok ? v.value : null
}

/** Doris ranges over integer, DATE and DATETIME columns only. */
function checkPartitionColumn(table: Table): void {
  const { type } = partitionColumnOf(table)
  if (type.kind !== 'int' && type.kind !== 'date' && type.kind !== 'datetime') {
    throw new DdlError(
      `Column[${table.partitionColumn}] type[${typeText(type)}] cannot be a range partition key.`,
    )
  }
}

export function partitionColumnOf(table: Table): Column {
  const col = table.columns.find((c) => c.name === table.partitionColumn)
  if (!col) throw new DdlError(`Table '${table.name}' is not a range partitioned table`)
  return col
}

export function addPartition(table: Table, p: PartitionInput): void {
  const { type } = partitionColumnOf(table)
  const upper = p.upper.toUpperCase() === 'MAXVALUE' ? null : normalizeBound(p.upper, type)
  const lower =
    p.lower === undefined
      ? impliedLower(table.partitions, upper, type)
      : normalizeBound(p.lower, type)
  table.partitions = addRange(table.partitions, { name: p.name, lower, upper }, type)
}

/** Column type text for DESC and information_schema: lower case, e.g. `varchar(64)`. */
export function columnTypeText(c: Column): string {
  return typeText(c.type).toLowerCase()
}
