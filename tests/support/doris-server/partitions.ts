/**
 * @module tests/support/doris-server/partitions
 * RANGE partitions over one column: bounds normalised through the column type, `VALUES LESS THAN`
 * taking the previous upper bound, overlap checks, and the partition of a value. Pure; never
 * accepts overlapping ranges.
 */
import type { DorisType } from './column-type'
import { convertValue } from './convert-value'
import { DdlError } from './ddl-error'

/** `lower` null is MINVALUE, `upper` null is MAXVALUE; both are normalised value texts. */
export interface RangePartition {
  readonly name: string
  readonly lower: string | null
  readonly upper: string | null
}

const PARTITION_NAME = /^[a-zA-Z][a-zA-Z0-9\-_]{0,63}$/

export function checkPartitionName(name: string): void {
  if (!PARTITION_NAME.test(name) || name.startsWith('placeholder_')) {
    throw new DdlError(
      `Incorrect partition name '${name}', required format is '^[a-zA-Z][a-zA-Z0-9-_]{0,63}$'`,
    )
  }
}

/** The bound as the column stores it (`2024-01-03` into DATETIME is `2024-01-03 00:00:00`). */
export function normalizeBound(text: string, type: DorisType): string {
  const c = convertValue(text, type, { timezone: 'UTC' })
  if (!c.ok || c.value === null) throw new DdlError(`Invalid range value format: ${text}`)
  return String(c.value)
}

/** Orders two values of the partition column (integers numerically, date texts by text). */
export function compareValues(a: string, b: string, type: DorisType): number {
  if (type.kind === 'int') {
    const d = BigInt(a) - BigInt(b)
    return d < 0n ? -1 : d > 0n ? 1 : 0
  }
  return a < b ? -1 : a > b ? 1 : 0
}

function overlaps(x: RangePartition, y: RangePartition, type: DorisType): boolean {
  // Half-open ranges [xl, xu) and [yl, yu) meet exactly when xl < yu and yl < xu.
  return lessThanUpper(x.lower, y.upper, type) && lessThanUpper(y.lower, x.upper, type)
}

function lessThanUpper(lower: string | null, upper: string | null, type: DorisType): boolean {
  if (lower === null || upper === null) return true
  return compareValues(lower, upper, type) < 0
}

/** The lower bound `VALUES LESS THAN` implies: the largest existing upper bound at or below it. */
export function impliedLower(
  existing: readonly RangePartition[],
  upper: string | null,
  type: DorisType,
): string | null {
  let lower: string | null = null
  for (const p of existing) {
    if (p.upper === null) continue
    const atOrBelow = upper === null || compareValues(p.upper, upper, type) <= 0
    if (atOrBelow && (lower === null || compareValues(p.upper, lower, type) > 0)) lower = p.upper
  }
  return lower
}

/** Adds a partition; throws DdlError on a duplicate name, an empty range or an overlap. */
export function addRange(
  existing: readonly RangePartition[],
  added: RangePartition,
  type: DorisType,
): RangePartition[] {
  checkPartitionName(added.name)
  if (existing.some((p) => p.name === added.name)) {
    throw new DdlError(`Duplicate partition name ${added.name}`)
  }
  if (!lessThanUpper(added.lower, added.upper, type)) {
    throw new DdlError(`The lower values must smaller than upper values: ${describeRange(added)}`)
  }
  const clash = existing.find((p) => overlaps(p, added, type))
  if (clash) {
    throw new DdlError(
      `Range ${describeRange(added)} is intersected with range: ${describeRange(clash)}`,
    )
  }
  return sortRanges([...existing, added], type)
}

function sortRanges(ranges: RangePartition[], type: DorisType): RangePartition[] {
  return ranges.sort((a, b) => {
    if (a.lower === b.lower) return 0
    if (a.lower === null) return -1
    if (b.lower === null) return 1
    return compareValues(a.lower, b.lower, type)
  })
}

/** The partition holding `value`; NULL goes to the partition that starts at MINVALUE. */
export function findPartition(
  ranges: readonly RangePartition[],
  value: string | null,
  type: DorisType,
): RangePartition | undefined {
  if (value === null) return ranges.find((p) => p.lower === null)
  return ranges.find(
    (p) =>
      (p.lower === null || compareValues(p.lower, value, type) <= 0) &&
      (p.upper === null || compareValues(value, p.upper, type) < 0),
  )
}

/** `[lower, upper)` as SHOW PARTITIONS and error messages print it. */
export function describeRange(p: RangePartition): string {
  return `[${p.lower ?? 'MINVALUE'}, ${p.upper ?? 'MAXVALUE'})`
}
