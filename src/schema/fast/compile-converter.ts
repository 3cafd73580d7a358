/**
 * @module schema/fast/compile-converter
 * Compiles a column type into its fast converter, mirroring schema/coerce's compileCoercer:
 * Nullable, LowCardinality and Array wrap their inner type. Types without a fast form (Map) get
 * one that always declines, so their rows take the slow path.
 */
import type { CoerceContext } from '../coercer'
import type { ColumnType } from '../column-type'
import { boolConverter, decimalConverter, floatConverter, intConverter } from './convert-number'
import { enumConverter, ipConverter, stringConverter, uuidConverter } from './convert-text'
import { dateConverter, dateTimeConverter } from './convert-time'
import { type Converter, DECLINE, decline, SAME, VALUE_SLACK, WROTE } from './converter'
import { copySrc } from './fast-row'
import { KIND_ARRAY, KIND_NULL, newToken, scanValue, skipWs } from './json-scan'

/** Throws RangeError for an unknown time zone name (as compileCoercer does). */
export function compileConverter(type: ColumnType, ctx: CoerceContext): Converter {
  switch (type.kind) {
    case 'int':
      return intConverter(type.bits, type.signed)
    case 'float':
      return floatConverter()
    case 'decimal':
      return decimalConverter(type.precision, type.scale)
    case 'bool':
      return boolConverter
    case 'string':
      return stringConverter(type.maxBytes)
    case 'json':
      return stringConverter(null)
    case 'fixed_string':
      return stringConverter(type.bytes)
    case 'uuid':
      return uuidConverter
    case 'ip':
      return ipConverter(type.version)
    case 'enum':
      return enumConverter(type.members)
    case 'date':
      return dateConverter(type.wide, ctx)
    case 'datetime':
    case 'datetime64':
      return dateTimeConverter(type, ctx)
    case 'low_cardinality':
      return compileConverter(type.inner, ctx)
    case 'nullable':
      return nullableConverter(compileConverter(type.inner, ctx))
    case 'array':
      return arrayConverter(compileConverter(type.element, ctx), isNullableType(type.element))
    case 'map':
      return decline
  }
}

export function isNullableType(type: ColumnType): boolean {
  if (type.kind === 'low_cardinality') return isNullableType(type.inner)
  return type.kind === 'nullable'
}

/** JSON null is the output for null: the token itself. */
function nullableConverter(inner: Converter): Converter {
  return (t, row) => (t.kind === KIND_NULL ? SAME : inner(t, row))
}

/**
 * `[e1,e2]` of the converted elements; a null element needs a Nullable element type. SAME when
 * every element is and the token has no whitespace: the array's own bytes are the output.
 */
function arrayConverter(element: Converter, nullable: boolean): Converter {
  const item = newToken()
  return (t, row) => {
    if (t.kind !== KIND_ARRAY) return DECLINE
    const { src, out } = row
    out[row.pos++] = 0x5b
    let i = skipWs(src, t.start + 1, t.end)
    let same = i === t.start + 1
    if (src[i] === 0x5d) {
      out[row.pos++] = 0x5d
      return same ? SAME : WROTE
    }
    for (let first = true; ; first = false) {
      const e = scanValue(src, i, t.end, item, 0)
      if (e < 0) return DECLINE
      if (row.pos + 2 * (e - i) + VALUE_SLACK > out.length) return DECLINE
      if (!first) out[row.pos++] = 0x2c
      if (item.kind === KIND_NULL && !nullable) return DECLINE
      const at = row.pos
      const r = element(item, row)
      if (r === DECLINE) return DECLINE
      if (r === SAME) {
        row.pos = at
        copySrc(row, item.start, item.end)
      } else same = false
      const next = skipWs(src, e, t.end)
      if (src[next] === 0x5d) {
        same &&= next === e
        break
      }
      i = skipWs(src, next + 1, t.end)
      same &&= next === e && i === next + 1
    }
    out[row.pos++] = 0x5d
    return same ? SAME : WROTE
  }
}
