/**
 * @module schema/row-encoder
 * Compiles a SchemaSnapshot into an encoder that turns one decoded message into one JSON row
 * (ClickHouse JSONEachRow or Doris Stream Load json lines, by dialect). Never throws per row: a
 * value that does not fit is a RowFailure; never writes MATERIALIZED or ALIAS columns.
 */
import {
  type CoerceFailure,
  type Coercer,
  compileCoercer,
  type Dialect,
  isNullable,
} from './coerce'
import { ColumnTypeError, parseClickHouseType } from './column-type'
import { parseDorisType } from './doris-type'
import type { SchemaSnapshot } from './table-schema'
import { ZoneCache } from './time-zone'

/** A row that cannot be built: dead-lettered with reason type_mismatch (SPEC §9). */
export class RowFailure {
  readonly reason = 'type_mismatch' as const
  constructor(readonly detail: string) {}
}

export interface RowEncoder {
  /** The snapshot version the encoder was compiled from; rows carry it into their batch. */
  readonly version: number
  /** One JSON object text (no newline) holding only the coerced columns, or a RowFailure. */
  encode(obj: Record<string, unknown>): string | RowFailure
}

export interface RowEncoderOptions {
  /** The route's IANA time zone for date-times without an offset (default UTC in config). */
  readonly timezone: string
  /** Whose type text the snapshot holds and whose value text to write (default 'clickhouse'). */
  readonly dialect?: Dialect
}

interface CompiledColumn {
  readonly name: string
  /** `"name":` and `,"name":`, ready to append as the first or a later column. */
  readonly key: string
  readonly nextKey: string
  /** The source's single field name, or null when it is a dotted path. */
  readonly field: string | null
  readonly path: readonly string[]
  /** The source as one key, tried when a dotted path finds nothing (keys may contain dots). */
  readonly flat: string
  /** A name Object.prototype also has (`constructor`...): read only own properties. */
  readonly ownOnly: boolean
  readonly nullable: boolean
  readonly coerce: Coercer
}

const DETAIL_LIMIT = 200

interface ColumnContext {
  readonly timezone: string
  readonly zones: ZoneCache
  readonly dialect: Dialect
}

/**
 * Throws ColumnTypeError when a column's type is unknown or unsupported (or names an unknown
 * time zone), and RangeError when `opts.timezone` is not an IANA zone.
 */
export function compileRowEncoder(snapshot: SchemaSnapshot, opts: RowEncoderOptions): RowEncoder {
  const zones = new ZoneCache()
  try {
    zones.get(opts.timezone)
  } catch {
    throw new RangeError(`timezone "${opts.timezone}" is not a known IANA time zone`)
  }
  const ctx: ColumnContext = {
    timezone: opts.timezone,
    zones,
    dialect: opts.dialect ?? 'clickhouse',
  }
  const columns = snapshot.columns
    .filter((c) => c.defaultKind !== 'MATERIALIZED' && c.defaultKind !== 'ALIAS')
    .map((c) => compileColumn(c.name, c.type, c.source ?? c.name, ctx))
  return { version: snapshot.version, encode: (obj) => encodeRow(columns, obj) }
}

function compileColumn(
  name: string,
  typeText: string,
  source: string,
  ctx: ColumnContext,
): CompiledColumn {
  const type =
    ctx.dialect === 'doris' ? parseDorisType(typeText, name) : parseClickHouseType(typeText, name)
  let coerce: Coercer
  try {
    coerce = compileCoercer(type, ctx)
  } catch (err) {
    throw new ColumnTypeError(typeText, (err as Error).message, name)
  }
  const path = source.split('.')
  return {
    name,
    key: `${JSON.stringify(name)}:`,
    nextKey: `,${JSON.stringify(name)}:`,
    field: path.length === 1 ? source : null,
    path,
    flat: source,
    ownOnly: source in Object.prototype,
    nullable: isNullable(type),
    coerce,
  }
}

/**
 * A missing or null value is written as null for Nullable columns and otherwise left out, so
 * the server fills the column default (SPEC §4). ClickHouse 18.16 fills the type's zero value
 * there, not a DEFAULT expression; later servers apply DEFAULT expressions when
 * input_format_defaults_for_omitted_fields is on.
 */
function encodeRow(
  columns: readonly CompiledColumn[],
  obj: Record<string, unknown>,
): string | RowFailure {
  let out = '{'
  let first = true
  for (let i = 0; i < columns.length; i++) {
    const col = columns[i] as CompiledColumn
    const v = col.field !== null && !col.ownOnly ? obj[col.field] : readSource(obj, col)
    let text: string
    if (v === undefined || v === null) {
      if (!col.nullable) continue
      text = 'null'
    } else {
      const r = col.coerce(v)
      if (typeof r !== 'string') return failure(col, r, v)
      text = r
    }
    out += first ? col.key : col.nextKey
    out += text
    first = false
  }
  return `${out}}`
}

function readSource(obj: Record<string, unknown>, col: CompiledColumn): unknown {
  let cur: unknown = obj
  for (const segment of col.path) {
    if (typeof cur !== 'object' || cur === null || !Object.hasOwn(cur, segment)) {
      cur = undefined
      break
    }
    cur = (cur as Record<string, unknown>)[segment]
  }
  if (cur === undefined && col.field === null && Object.hasOwn(obj, col.flat)) return obj[col.flat]
  return cur
}

function failure(col: CompiledColumn, why: CoerceFailure, value: unknown): RowFailure {
  const detail = `column ${JSON.stringify(col.name)}: ${why.problem}: ${preview(value)}`
  return new RowFailure(
    detail.length > DETAIL_LIMIT ? `${detail.slice(0, DETAIL_LIMIT - 3)}...` : detail,
  )
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > DETAIL_LIMIT ? text.slice(0, DETAIL_LIMIT) : text
}
