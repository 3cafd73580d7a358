/**
 * @module tests/unit/schema/coerce-helper
 * Compiles one coercer from type text for a test; never caches between calls.
 */
import { CoerceFailure, compileCoercer } from '../../../src/schema/coerce'
import { parseClickHouseType } from '../../../src/schema/column-type'
import { ZoneCache } from '../../../src/schema/time-zone'

export function coerce(type: string, value: unknown, timezone = 'UTC'): string | CoerceFailure {
  return compileCoercer(parseClickHouseType(type), { timezone, zones: new ZoneCache() })(value)
}

/** The JSONEachRow text of a value that must fit. */
export function ok(type: string, value: unknown, timezone = 'UTC'): string {
  const r = coerce(type, value, timezone)
  if (r instanceof CoerceFailure) throw new Error(`${type} refused ${String(value)}: ${r.problem}`)
  return r
}

/** Why a value that must not fit was refused. */
export function problem(type: string, value: unknown, timezone = 'UTC'): string {
  const r = coerce(type, value, timezone)
  if (!(r instanceof CoerceFailure)) throw new Error(`${type} accepted ${String(value)} as ${r}`)
  return r.problem
}
