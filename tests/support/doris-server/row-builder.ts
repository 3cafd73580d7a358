/**
 * @module tests/support/doris-server/row-builder
 * Turns source rows into table rows as Stream Load filters them (reference §12.2): keys or positions
 * to columns, casts, strict_mode, NOT NULL, partitions. Pure; a row that does not fit is filtered
 * with its reason, never half-loaded.
 */
import { convertValue } from './convert-value'
import { compactJson, isJsonObject, type RawValue } from './json-value'
import { findPartition } from './partitions'
import type { SourceRow } from './source-rows'
import { type Column, columnDefault, type StoredRow, type Table } from './table-store'

export interface FilteredRow {
  readonly reason: string
  readonly source: string
}

export interface BuildOptions {
  /** The `columns` header (already checked against the table), or null for table order. */
  readonly columns: readonly string[] | null
  readonly strictMode: boolean
  readonly timezone: string
  /** The `partitions` header: rows outside these are filtered. */
  readonly partitions: readonly string[] | null
  readonly columnSeparator: string
  readonly lineDelimiter: string
}

export interface BuiltRows {
  readonly loaded: StoredRow[]
  readonly filtered: FilteredRow[]
}

type Built = { ok: true; row: StoredRow } | { ok: false; reason: string }

export function buildRows(
  table: Table,
  sources: readonly SourceRow[],
  opts: BuildOptions,
): BuiltRows {
  const loaded: StoredRow[] = []
  const filtered: FilteredRow[] = []
  const mapped = mappedColumns(table, opts.columns)
  for (const s of sources) {
    const built = s.ok
      ? buildRow(table, mapped, s.record, opts)
      : { ok: false as const, reason: s.reason }
    if (built.ok) loaded.push(built.row)
    else filtered.push({ reason: built.reason, source: s.source })
  }
  return { loaded, filtered }
}

/** The table columns the source fills, in source order (CSV positions, JSON key names). */
function mappedColumns(table: Table, names: readonly string[] | null): Column[] {
  if (names === null) return table.columns
  return names.map((n) => table.columns.find((c) => c.name.toLowerCase() === n.toLowerCase())!)
}

function buildRow(
  table: Table,
  mapped: readonly Column[],
  record: RawValue,
  opts: BuildOptions,
): Built {
  const source = sourceValues(mapped, record, opts)
  if (!source.ok) return source
  const values: Record<string, unknown> = {}
  for (const column of table.columns) {
    const raw = source.values.get(column.name)
    const cell =
      raw === undefined ? nullCheck(column, columnDefault(column)) : castCell(column, raw, opts)
    if (!cell.ok) return cell
    values[column.name] = cell.value
  }
  return placeRow(table, values, opts.partitions)
}

function sourceValues(
  mapped: readonly Column[],
  record: RawValue,
  opts: BuildOptions,
): { ok: true; values: Map<string, RawValue> } | { ok: false; reason: string } {
  const values = new Map<string, RawValue>()
  if (Array.isArray(record)) {
    if (record.length !== mapped.length)
      return { ok: false, reason: columnCountReason(record.length, mapped.length, opts) }
    for (const [i, c] of mapped.entries()) values.set(c.name, record[i] ?? null)
    return { ok: true, values }
  }
  if (!isJsonObject(record)) return { ok: false, reason: 'Expect json object value' }
  const keys = Object.keys(record)
  for (const c of mapped) {
    // Exact key first; Doris also matches JSON keys to column names ignoring case.
    const key = Object.hasOwn(record, c.name)
      ? c.name
      : keys.find((k) => k.toLowerCase() === c.name.toLowerCase())
    if (key !== undefined) values.set(c.name, record[key] ?? null)
  }
  return { ok: true, values }
}

function columnCountReason(actual: number, expected: number, opts: BuildOptions): string {
  const side = actual < expected ? 'less' : 'more'
  return `actual column number in csv file is  ${side} than  schema column number.actual number: ${actual}, column separator: [${opts.columnSeparator}], line delimiter: [${JSON.stringify(opts.lineDelimiter).slice(1, -1)}], schema column number: ${expected}; `
}

function castCell(
  column: Column,
  raw: RawValue,
  opts: BuildOptions,
): { ok: true; value: unknown } | { ok: false; reason: string } {
  const c = convertValue(raw, column.type, { timezone: opts.timezone })
  if (c.ok) return nullCheck(column, c.value)
  if (c.range) return { ok: false, reason: `column_name[${column.name}], ${c.detail}` }
  if (opts.strictMode) {
    const text = typeof raw === 'string' ? raw : compactJson(raw)
    return {
      ok: false,
      reason: `column(${column.name}) value is incorrect while strict mode is true, src value is ${text}`,
    }
  }
  // strict_mode off: a failed cast becomes NULL (§12.2), which a NOT NULL column then refuses.
  return nullCheck(column, null)
}

function nullCheck(
  column: Column,
  value: unknown,
): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (value === null && !column.nullable) {
    return {
      ok: false,
      reason: `column(${column.name}) values is null while columns is not nullable`,
    }
  }
  return { ok: true, value }
}

function placeRow(
  table: Table,
  values: Record<string, unknown>,
  allowed: readonly string[] | null,
): Built {
  if (table.partitionColumn === null) return { ok: true, row: { values, partition: null } }
  const column = table.columns.find((c) => c.name === table.partitionColumn)!
  const value = values[column.name]
  const partition = findPartition(
    table.partitions,
    value === null ? null : String(value),
    column.type,
  )
  if (!partition || (allowed !== null && !allowed.includes(partition.name))) {
    return {
      ok: false,
      reason: `no partition for this tuple. tuple=(${value === null ? 'NULL' : String(value)})`,
    }
  }
  return { ok: true, row: { values, partition: partition.name } }
}
