/**
 * @module schema/table-schema
 * The shape of a target table as the core sees it. A SchemaSnapshot is immutable: a schema change
 * produces a new snapshot with a higher version, never an edit (DESIGN point 2).
 */

/** A resolved write target. Names are validated identifiers by the time a TargetRef exists. */
export interface TargetRef {
  readonly database: string
  readonly table: string
}

export interface ColumnDef {
  readonly name: string
  /** The column type as the sink's dialect spells it, e.g. `Nullable(DateTime('Asia/Tokyo'))`. */
  readonly type: string
  /**
   * How the server fills the column when an insert omits it: '' (type default), 'DEFAULT'
   * (an expression), 'MATERIALIZED' or 'ALIAS' (never written by us).
   */
  readonly defaultKind: '' | 'DEFAULT' | 'MATERIALIZED' | 'ALIAS'
  /** Dotted path into the message; defaults to the column name. */
  readonly source?: string
}

export interface SchemaSnapshot {
  readonly target: TargetRef
  readonly version: number
  readonly columns: readonly ColumnDef[]
}

export function targetKey(t: TargetRef): string {
  return `${t.database}.${t.table}`
}
