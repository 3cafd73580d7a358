/**
 * @module tests/support/doris-server/convert-value
 * Casts one source value (a JSON value, or CSV text) to a column's Doris type, the way Stream Load
 * does (protocol reference §12). Tells a failed cast (NULL unless strict_mode) from a range
 * failure (always filtered). Pure; never throws.
 */
import { type DorisType, typeText } from './column-type'
import { convertDate, convertDateTime } from './datetime'
import {
  compactJson,
  isJsonObject,
  JsonNumber,
  parseJsonLossless,
  plainJson,
  type RawValue,
} from './json-value'
import { castDecimal, castFloat, castInteger } from './numeric'

export type Converted = { ok: true; value: unknown } | { ok: false; range: boolean; detail: string }

export interface ConvertContext {
  /** The load's `timezone` header: the zone date-times with an offset are converted to. */
  readonly timezone: string
}

const failed = (detail = ''): Converted => ({ ok: false, range: false, detail })
const outOfRange = (detail: string): Converted => ({ ok: false, range: true, detail })

/** The value's text as a scalar column reads it; null for objects and arrays. */
export function scalarText(raw: RawValue): string | null {
  if (typeof raw === 'string') return raw
  if (raw instanceof JsonNumber) return raw.text
  if (typeof raw === 'boolean') return String(raw)
  return null
}

export function convertValue(raw: RawValue, type: DorisType, ctx: ConvertContext): Converted {
  if (raw === null) return { ok: true, value: null }
  switch (type.kind) {
    case 'string':
      return convertString(raw, type.length)
    case 'json':
      return convertJson(raw)
    case 'array':
    case 'map':
    case 'struct':
      return convertNested(raw, type, ctx)
    default:
      return convertScalar(raw, type, ctx)
  }
}

function convertScalar(raw: RawValue, type: DorisType, ctx: ConvertContext): Converted {
  const text = scalarText(raw)
  if (text === null) return failed()
  switch (type.kind) {
    case 'bool':
      return convertBool(text)
    case 'int':
      return typeof raw === 'boolean' ? failed() : fromCast(castInteger(text, type.bits), type)
    case 'float':
      return fromCast(castFloat(text, type.name === 'FLOAT'), type)
    case 'decimal':
      return fromCast(castDecimal(text, type.precision, type.scale), type, text)
    case 'date':
      return orFailed(convertDate(text, ctx.timezone))
    case 'datetime':
      return orFailed(convertDateTime(text, type.scale, ctx.timezone))
    case 'ip':
      return validIp(text, type.version) ? { ok: true, value: text } : failed()
    default:
      return failed()
  }
}

function fromCast(
  cast: { ok: true; value: unknown } | { ok: false; range: boolean },
  type: DorisType,
  text = '',
): Converted {
  if (cast.ok) return { ok: true, value: cast.value }
  if (!cast.range) return failed()
  return outOfRange(`Arithmetic overflow when converting value ${text} to ${typeText(type)}`)
}

function orFailed(value: string | null): Converted {
  return value === null ? failed() : { ok: true, value }
}

function convertBool(text: string): Converted {
  const t = text.trim().toLowerCase()
  if (t === 'true' || t === '1') return { ok: true, value: true }
  if (t === 'false' || t === '0') return { ok: true, value: false }
  return failed()
}

/** Objects and arrays land as their compact JSON text (reference §12.2, format unconfirmed). */
function convertString(raw: RawValue, length: number): Converted {
  const text = scalarText(raw) ?? compactJson(raw)
  const bytes = Buffer.byteLength(text)
  if (bytes <= length) return { ok: true, value: text }
  return outOfRange(
    `the length of input is too long than schema. first 32 bytes of input str: [${text.slice(0, 32)}] schema length: ${length}; actual length: ${bytes};`,
  )
}

/** A JSON string is read as JSON text (as the JSONB cast does); other values are kept as is. */
function convertJson(raw: RawValue): Converted {
  if (typeof raw !== 'string') return { ok: true, value: plainJson(raw) }
  const parsed = tryParse(raw)
  return parsed === undefined ? failed() : { ok: true, value: plainJson(parsed) }
}

function tryParse(text: string): RawValue | undefined {
  try {
    return parseJsonLossless(text)
  } catch {
    return undefined
  }
}

function convertNested(raw: RawValue, type: DorisType, ctx: ConvertContext): Converted {
  // CSV carries nested values as JSON-like text: `[1,2,3]`, `{"k":1}`.
  const value = typeof raw === 'string' ? tryParse(raw) : raw
  if (value === undefined || value === null) return failed()
  if (type.kind === 'array')
    return Array.isArray(value) ? convertArray(value, type.element, ctx) : failed()
  if (!isJsonObject(value)) return failed()
  if (type.kind === 'map') return convertMap(value, type.key, type.value, ctx)
  if (type.kind === 'struct') return convertStruct(value, type.fields, ctx)
  return failed()
}

function convertArray(items: RawValue[], element: DorisType, ctx: ConvertContext): Converted {
  const out: unknown[] = []
  for (const item of items) {
    const c = convertValue(item, element, ctx)
    if (!c.ok) return c
    out.push(c.value)
  }
  return { ok: true, value: out }
}

function convertMap(
  obj: { [key: string]: RawValue },
  keyType: DorisType,
  valueType: DorisType,
  ctx: ConvertContext,
): Converted {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(obj)) {
    const key = convertValue(k, keyType, ctx)
    const value = convertValue(v, valueType, ctx)
    if (!key.ok) return key
    if (!value.ok) return value
    out[String(key.value)] = value.value
  }
  return { ok: true, value: out }
}

function convertStruct(
  obj: { [key: string]: RawValue },
  fields: readonly { name: string; type: DorisType }[],
  ctx: ConvertContext,
): Converted {
  const out: Record<string, unknown> = {}
  for (const field of fields) {
    const raw = Object.hasOwn(obj, field.name) ? (obj[field.name] ?? null) : null
    const c = convertValue(raw, field.type, ctx)
    if (!c.ok) return c
    out[field.name] = c.value
  }
  return { ok: true, value: out }
}

function validIp(text: string, version: 4 | 6): boolean {
  if (version === 4) {
    const parts = text.split('.')
    return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)
  }
  try {
    return text.includes(':') && new URL(`http://[${text}]/`).hostname.length > 2
  } catch {
    return false
  }
}
