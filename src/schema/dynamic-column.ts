/**
 * @module schema/dynamic-column
 * Dynamic schema (SPEC §9): which keys of a message would become new columns of a target, and the
 * kind of each new column, typed from the first value seen. Pure: the sinks turn a kind into
 * their own type text and statement.
 */
import { NumberText } from '../decode/number-text'
import type { SchemaSnapshot } from './table-schema'

/** integer → Int64/BIGINT, other number → Float64/DOUBLE, boolean, string, object/array as JSON. */
export type NewColumnKind = 'int' | 'float' | 'bool' | 'string' | 'json'

export interface NewColumn {
  readonly name: string
  readonly kind: NewColumnKind
}

export interface DynamicPolicy {
  /** Only keys matching this become columns. */
  readonly allow: RegExp
  /** No column is added once the table has this many. */
  readonly maxColumns: number
}

/**
 * A column name both sinks quote safely (their identifier patterns): whatever `allow` says, no
 * other name ever reaches a statement.
 */
export const COLUMN_NAME_PATTERN = /^[A-Za-z0-9_]{1,64}$/

export interface NewColumns {
  /** The columns to add, in the message's key order. */
  readonly add: readonly NewColumn[]
  /** Allowed new keys left out because the table reached max_columns. */
  readonly capped: readonly string[]
}

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const NONE: NewColumns = { add: [], capped: [] }

/** The kind of a new column whose first value is `value`; null for null (nothing to type from). */
export function kindOf(value: unknown): NewColumnKind | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'boolean') return 'bool'
  if (typeof value === 'string') return 'string'
  if (typeof value === 'number') return fitsInt64(value) ? 'int' : 'float'
  if (value instanceof NumberText)
    return /^-?\d+$/.test(value.text) && inInt64(value.text) ? 'int' : 'float'
  return 'json'
}

/**
 * The top-level keys of `value` that match no column (by name or by the first segment of a
 * column's source), match `allow` and COLUMN_NAME_PATTERN, and are not in `refused`: capped
 * at max_columns.
 */
export function newColumnsOf(
  snapshot: SchemaSnapshot,
  value: Record<string, unknown>,
  policy: DynamicPolicy,
  refused: ReadonlySet<string>,
): NewColumns {
  let known: Set<string> | undefined
  let add: NewColumn[] | undefined
  let capped: string[] | undefined
  let room = policy.maxColumns - snapshot.columns.length
  for (const name in value) {
    if (!Object.hasOwn(value, name)) continue
    known ??= knownKeys(snapshot)
    if (known.has(name) || refused.has(name)) continue
    if (!policy.allow.test(name) || !COLUMN_NAME_PATTERN.test(name)) continue
    const kind = kindOf(value[name])
    if (kind === null) continue
    if (room <= 0) {
      capped ??= []
      capped.push(name)
      continue
    }
    room--
    add ??= []
    add.push({ name, kind })
  }
  if (add === undefined && capped === undefined) return NONE
  return { add: add ?? [], capped: capped ?? [] }
}

/** Snapshots are immutable: their known keys are computed once and die with them. */
const knownBySnapshot = new WeakMap<SchemaSnapshot, Set<string>>()

/** Column names and the first segments of their sources: keys that already have a column. */
function knownKeys(snapshot: SchemaSnapshot): Set<string> {
  const cached = knownBySnapshot.get(snapshot)
  if (cached !== undefined) return cached
  const keys = new Set<string>()
  knownBySnapshot.set(snapshot, keys)
  for (const c of snapshot.columns) {
    keys.add(c.name)
    if (c.source !== undefined) keys.add(c.source.split('.')[0]!)
  }
  return keys
}

function fitsInt64(n: number): boolean {
  return Number.isInteger(n) && n >= -(2 ** 63) && n < 2 ** 63
}

function inInt64(digits: string): boolean {
  const n = BigInt(digits)
  return n >= INT64_MIN && n <= INT64_MAX
}
