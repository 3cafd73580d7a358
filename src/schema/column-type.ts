/**
 * @module schema/column-type
 * Parses ClickHouse type text (as DESCRIBE prints it) into a small dialect-neutral AST that a Doris
 * mapping can also target. Pure; never guesses: an unknown or unsupported type is a ColumnTypeError.
 */
import { parseTypeText, type TypeNode, TypeTextError } from './type-text'

export type IntBits = 8 | 16 | 32 | 64 | 128 | 256

export interface EnumMember {
  readonly name: string
  readonly value: number
}

/**
 * Kinds a Doris mapping maps onto: BOOLEAN→bool, TINYINT..LARGEINT→int, FLOAT/DOUBLE→float,
 * DECIMAL→decimal, DATE→date, DATETIME(p)→datetime64, CHAR(n)→fixed_string, VARCHAR(n)→string
 * with maxBytes, STRING→string, JSON→json, ARRAY→array, MAP→map.
 */
export type ColumnType =
  | { readonly kind: 'int'; readonly bits: IntBits; readonly signed: boolean }
  | { readonly kind: 'float'; readonly bits: 32 | 64 }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'bool' }
  | { readonly kind: 'string'; readonly maxBytes: number | null }
  | { readonly kind: 'fixed_string'; readonly bytes: number }
  | { readonly kind: 'json' }
  | { readonly kind: 'uuid' }
  | { readonly kind: 'ip'; readonly version: 4 | 6 }
  | { readonly kind: 'enum'; readonly bits: 8 | 16; readonly members: readonly EnumMember[] }
  /** Date (1970-01-01..2149-06-06) or, wide, Date32 (1900-01-01..2299-12-31). */
  | { readonly kind: 'date'; readonly wide: boolean }
  /** DateTime: whole seconds, 1970-01-01..2106-02-07 06:28:15 UTC. */
  | { readonly kind: 'datetime'; readonly timezone: string | null }
  /** DateTime64(p): p fraction digits, 1900-01-01..2299-12-31. */
  | { readonly kind: 'datetime64'; readonly precision: number; readonly timezone: string | null }
  | { readonly kind: 'nullable'; readonly inner: ColumnType }
  | { readonly kind: 'low_cardinality'; readonly inner: ColumnType }
  | { readonly kind: 'array'; readonly element: ColumnType }
  | { readonly kind: 'map'; readonly key: ColumnType; readonly value: ColumnType }

/** A type text that is malformed, unknown or not supported; the message names column and type. */
export class ColumnTypeError extends Error {
  constructor(
    readonly typeText: string,
    readonly why: string,
    readonly column?: string,
  ) {
    super(`${column === undefined ? '' : `column "${column}": `}type "${typeText}": ${why}`)
    this.name = 'ColumnTypeError'
  }
}

/** Parses e.g. `Nullable(DateTime('Asia/Tokyo'))`. Throws ColumnTypeError. */
export function parseClickHouseType(text: string, column?: string): ColumnType {
  try {
    return toColumnType(parseTypeText(text))
  } catch (err) {
    if (err instanceof TypeTextError) throw new ColumnTypeError(text, err.message, column)
    throw err
  }
}

const INTS: Record<string, ColumnType> = {}
for (const bits of [8, 16, 32, 64, 128, 256] as const) {
  INTS[`Int${bits}`] = { kind: 'int', bits, signed: true }
  INTS[`UInt${bits}`] = { kind: 'int', bits, signed: false }
}

const SIMPLE: Record<string, ColumnType> = {
  ...INTS,
  Float32: { kind: 'float', bits: 32 },
  Float64: { kind: 'float', bits: 64 },
  Bool: { kind: 'bool' },
  Boolean: { kind: 'bool' },
  String: { kind: 'string', maxBytes: null },
  UUID: { kind: 'uuid' },
  IPv4: { kind: 'ip', version: 4 },
  IPv6: { kind: 'ip', version: 6 },
  Date: { kind: 'date', wide: false },
  Date32: { kind: 'date', wide: true },
  DateTime: { kind: 'datetime', timezone: null },
  JSON: { kind: 'json' },
}

const DECIMAL_PRECISION: Record<string, number> = {
  Decimal32: 9,
  Decimal64: 18,
  Decimal128: 38,
  Decimal256: 76,
}

const UNSUPPORTED = new Set([
  'Tuple',
  'Nested',
  'Variant',
  'Dynamic',
  'Nothing',
  'AggregateFunction',
  'SimpleAggregateFunction',
  'Point',
  'Ring',
  'Polygon',
  'MultiPolygon',
  'Interval',
])

function toColumnType(node: TypeNode): ColumnType {
  const { name, args } = node
  if (UNSUPPORTED.has(name)) throw new TypeTextError(`${name} is not supported`)
  const simple = SIMPLE[name]
  if (simple !== undefined && (args.length === 0 || name === 'JSON')) return simple
  switch (name) {
    case 'Nullable':
      return { kind: 'nullable', inner: toColumnType(typeArg(node, 0, 1)) }
    case 'LowCardinality':
      return { kind: 'low_cardinality', inner: toColumnType(typeArg(node, 0, 1)) }
    case 'Array':
      return { kind: 'array', element: toColumnType(typeArg(node, 0, 1)) }
    case 'Map':
      return {
        kind: 'map',
        key: toColumnType(typeArg(node, 0, 2)),
        value: toColumnType(typeArg(node, 1, 2)),
      }
    case 'FixedString':
      return { kind: 'fixed_string', bytes: intArg(node, 0, 1, 1 << 30) }
    case 'Decimal':
      return decimalType(node)
    case 'DateTime':
      return { kind: 'datetime', timezone: stringArg(node, 0, 1) }
    case 'DateTime64':
      return datetime64Type(node)
    case 'Enum8':
    case 'Enum16':
      return enumType(node, name === 'Enum8' ? 8 : 16)
    case 'Object':
      if (stringArg(node, 0, 1)?.toLowerCase() === 'json') return { kind: 'json' }
      throw new TypeTextError(`Object is supported only as Object('json')`)
  }
  const precision = DECIMAL_PRECISION[name]
  if (precision !== undefined) return decimalOf(precision, intArg(node, 0, 1, precision), name)
  if (simple !== undefined) throw new TypeTextError(`${name} takes no arguments`)
  throw new TypeTextError(`unknown type ${name}`)
}

function decimalType(node: TypeNode): ColumnType {
  if (node.args.length < 1 || node.args.length > 2)
    throw new TypeTextError('Decimal takes (P[, S])')
  const p = intArg(node, 0, 2, 76)
  const s = node.args.length === 2 ? intArg(node, 1, 2, p) : 0
  return decimalOf(p, s, 'Decimal')
}

function decimalOf(precision: number, scale: number, name: string): ColumnType {
  if (precision < 1) throw new TypeTextError(`${name} precision must be 1..76`)
  return { kind: 'decimal', precision, scale }
}

function datetime64Type(node: TypeNode): ColumnType {
  if (node.args.length < 1 || node.args.length > 2) {
    throw new TypeTextError(`DateTime64 takes (precision[, 'timezone'])`)
  }
  const precision = intArg(node, 0, 2, 9)
  const timezone = node.args.length === 2 ? stringArg(node, 1, 2) : null
  return { kind: 'datetime64', precision, timezone }
}

function enumType(node: TypeNode, bits: 8 | 16): ColumnType {
  const limit = bits === 8 ? 128 : 32768
  const members: EnumMember[] = node.args.map((arg) => {
    if (arg.kind !== 'pair') throw new TypeTextError(`Enum${bits} members are 'name' = number`)
    if (arg.value < -limit || arg.value >= limit || !Number.isInteger(arg.value)) {
      throw new TypeTextError(`Enum${bits} value ${arg.value} is out of range`)
    }
    return { name: arg.name, value: arg.value }
  })
  if (members.length === 0) throw new TypeTextError(`Enum${bits} needs at least one member`)
  return { kind: 'enum', bits, members }
}

function typeArg(node: TypeNode, index: number, count: number): TypeNode {
  const arg = checkedArg(node, index, count)
  if (arg.kind !== 'type')
    throw new TypeTextError(`${node.name} argument ${index + 1} must be a type`)
  return arg.type
}

function intArg(node: TypeNode, index: number, count: number, max: number): number {
  const arg = checkedArg(node, index, count)
  if (arg.kind !== 'number' || !Number.isInteger(arg.value) || arg.value < 0 || arg.value > max) {
    throw new TypeTextError(`${node.name} argument ${index + 1} must be an integer 0..${max}`)
  }
  return arg.value
}

/** A quoted string argument, or null when the optional argument is absent. */
function stringArg(node: TypeNode, index: number, count: number): string | null {
  if (node.args.length === 0) return null
  const arg = checkedArg(node, index, count)
  if (arg.kind !== 'string')
    throw new TypeTextError(`${node.name} argument ${index + 1} must be a quoted string`)
  return arg.value
}

function checkedArg(node: TypeNode, index: number, count: number): TypeNode['args'][number] {
  const arg = node.args[index]
  if (node.args.length > count || arg === undefined) {
    throw new TypeTextError(`${node.name} takes ${count} argument${count === 1 ? '' : 's'}`)
  }
  return arg
}

/** True when a value of the type is written with the route's zone (Date, DateTime without its own). */
export function dependsOnRouteZone(type: ColumnType): boolean {
  switch (type.kind) {
    case 'date':
      return true
    case 'datetime':
    case 'datetime64':
      return type.timezone === null
    case 'nullable':
    case 'low_cardinality':
      return dependsOnRouteZone(type.inner)
    case 'array':
      return dependsOnRouteZone(type.element)
    case 'map':
      return dependsOnRouteZone(type.key) || dependsOnRouteZone(type.value)
    default:
      return false
  }
}
