/**
 * @module schema/coerce
 * Compiles a column type into a coercer: a closure that turns one JSON value into the text
 * ClickHouse's JSONEachRow reads for that type (SPEC §9 "Coercion"), or a CoerceFailure.
 * Coercers never throw and never go through a double where digits could be lost.
 */

import { decimalCoercer, floatCoercer } from './coerce-decimal'
import { dorisDateCoercer, dorisDateTimeCoercer } from './coerce-doris-time'
import { boolCoercer, intCoercer } from './coerce-int'
import { enumCoercer, ipCoercer, stringCoercer, uuidCoercer } from './coerce-text'
import { dateCoercer, dateTimeCoercer } from './coerce-time'
import { type CoerceContext, CoerceFailure, type Coercer } from './coercer'
import type { ColumnType } from './column-type'

export { type CoerceContext, CoerceFailure, type Coercer, type Dialect } from './coercer'

const NULL_VALUE = new CoerceFailure('null where the type is not Nullable')
const NOT_ARRAY = new CoerceFailure('not a JSON array')
const NOT_OBJECT = new CoerceFailure('not a JSON object')
const NOT_JSON = new CoerceFailure('not a JSON value')

/** Throws RangeError for an unknown time zone name or a Map key type that cannot be a key. */
export function compileCoercer(type: ColumnType, ctx: CoerceContext): Coercer {
  switch (type.kind) {
    case 'int':
      return intCoercer(type.bits, type.signed)
    case 'float':
      return floatCoercer()
    case 'decimal':
      return decimalCoercer(type.precision, type.scale)
    case 'bool':
      return boolCoercer
    case 'string':
      return stringCoercer(type.maxBytes)
    case 'json':
      return ctx.dialect === 'doris' ? jsonValueCoercer : stringCoercer(null)
    case 'fixed_string':
      return stringCoercer(type.bytes)
    case 'uuid':
      return uuidCoercer
    case 'ip':
      return ipCoercer(type.version)
    case 'enum':
      return enumCoercer(type.members)
    case 'date':
      return ctx.dialect === 'doris' ? dorisDateCoercer(ctx) : dateCoercer(type.wide, ctx)
    case 'datetime':
    case 'datetime64':
      if (ctx.dialect !== 'doris') return dateTimeCoercer(type, ctx)
      return dorisDateTimeCoercer(type.kind === 'datetime64' ? type.precision : 0, ctx)
    case 'low_cardinality':
      return compileCoercer(type.inner, ctx)
    case 'nullable':
      return nullableCoercer(compileCoercer(type.inner, ctx))
    case 'array':
      return arrayCoercer(elementCoercer(type.element, ctx))
    case 'map':
      return mapCoercer(mapKeyCoercer(type.key, ctx), elementCoercer(type.value, ctx))
  }
}

/** True when JSON null is a value of the type (Nullable, possibly inside LowCardinality). */
export function isNullable(type: ColumnType): boolean {
  if (type.kind === 'low_cardinality') return isNullable(type.inner)
  return type.kind === 'nullable'
}

/**
 * Doris JSON columns take any JSON value: objects, arrays, numbers and booleans as their compact
 * JSON (big numbers keep their digits through NumberText.toJSON). Doris parses a string loaded
 * into a JSON column as JSON text, so a string travels as the text of its own JSON encoding and
 * is stored as a JSON string, never reinterpreted.
 */
const jsonValueCoercer: Coercer = (v) => {
  const text = JSON.stringify(v)
  if (text === undefined) return NOT_JSON
  return typeof v === 'string' ? JSON.stringify(text) : text
}

function nullableCoercer(inner: Coercer): Coercer {
  return (v) => (v === null ? 'null' : inner(v))
}

/** Inside arrays and maps there is no column default, so null needs a Nullable element. */
function elementCoercer(type: ColumnType, ctx: CoerceContext): Coercer {
  const inner = compileCoercer(type, ctx)
  return isNullable(type) ? inner : (v) => (v === null ? NULL_VALUE : inner(v))
}

function arrayCoercer(element: Coercer): Coercer {
  return (v) => {
    if (!Array.isArray(v)) return NOT_ARRAY
    let out = '['
    for (let i = 0; i < v.length; i++) {
      const r = element(v[i])
      if (typeof r !== 'string') return new CoerceFailure(`element ${i}: ${r.problem}`)
      out += i === 0 ? r : `,${r}`
    }
    return `${out}]`
  }
}

/** JSON object keys are strings: each is coerced to the key type and written back quoted. */
function mapKeyCoercer(type: ColumnType, ctx: CoerceContext): Coercer {
  const base = type.kind === 'low_cardinality' ? type.inner : type
  if (base.kind === 'nullable' || base.kind === 'array' || base.kind === 'map') {
    throw new RangeError(`a Map key cannot be ${base.kind}`)
  }
  const inner = compileCoercer(base, ctx)
  return (k) => {
    const r = inner(k)
    if (typeof r !== 'string' || r.charCodeAt(0) === 34) return r
    return `"${r}"`
  }
}

function mapCoercer(key: Coercer, value: Coercer): Coercer {
  return (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return NOT_OBJECT
    let out = '{'
    for (const k of Object.keys(v)) {
      const kt = key(k)
      if (typeof kt !== 'string')
        return new CoerceFailure(`key ${JSON.stringify(k)}: ${kt.problem}`)
      const vt = value((v as Record<string, unknown>)[k])
      if (typeof vt !== 'string')
        return new CoerceFailure(`key ${JSON.stringify(k)}: ${vt.problem}`)
      out += out.length === 1 ? `${kt}:${vt}` : `,${kt}:${vt}`
    }
    return `${out}}`
  }
}
