/**
 * @module tests/support/doris-server/column-type
 * Parses Doris column type text (`VARCHAR(64)`, `DECIMAL(10,2)`, `ARRAY<INT>`) into a tree and
 * prints it back in the three spellings Doris uses (DDL, DESC, schema API). Pure; never throws
 * anything but DorisTypeError.
 */

export type IntName = 'TINYINT' | 'SMALLINT' | 'INT' | 'BIGINT' | 'LARGEINT'

export type DorisType =
  | { readonly kind: 'bool' }
  | { readonly kind: 'int'; readonly name: IntName; readonly bits: number }
  | { readonly kind: 'float'; readonly name: 'FLOAT' | 'DOUBLE' }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'date' }
  | { readonly kind: 'datetime'; readonly scale: number }
  | {
      readonly kind: 'string'
      readonly name: 'CHAR' | 'VARCHAR' | 'STRING'
      readonly length: number
    }
  | { readonly kind: 'json'; readonly name: 'JSON' | 'VARIANT' }
  | { readonly kind: 'array'; readonly element: DorisType }
  | { readonly kind: 'map'; readonly key: DorisType; readonly value: DorisType }
  | { readonly kind: 'struct'; readonly fields: readonly StructField[] }
  | { readonly kind: 'ip'; readonly version: 4 | 6 }

export interface StructField {
  readonly name: string
  readonly type: DorisType
}

export class DorisTypeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DorisTypeError'
  }
}

/** Doris' own limits: STRING holds 1 MB by default, VARCHAR without a length is the maximum. */
export const STRING_MAX_BYTES = 1_048_576
const VARCHAR_MAX = 65_533

const INT_BITS: Record<IntName, number> = {
  TINYINT: 8,
  SMALLINT: 16,
  INT: 32,
  BIGINT: 64,
  LARGEINT: 128,
}

const ALIASES: Record<string, string> = {
  BOOL: 'BOOLEAN',
  INTEGER: 'INT',
  TEXT: 'STRING',
  JSONB: 'JSON',
  DECIMALV3: 'DECIMAL',
  DECIMALV2: 'DECIMAL',
  DATEV2: 'DATE',
  DATETIMEV2: 'DATETIME',
}

export function parseDorisType(text: string): DorisType {
  const cursor = { text: text.trim(), pos: 0 }
  const type = readType(cursor)
  skipSpace(cursor)
  if (cursor.pos !== cursor.text.length) throw new DorisTypeError(`Invalid column type: ${text}`)
  return type
}

interface Cursor {
  readonly text: string
  pos: number
}

function skipSpace(c: Cursor): void {
  while (c.pos < c.text.length && /\s/.test(c.text[c.pos]!)) c.pos++
}

function readWord(c: Cursor): string {
  skipSpace(c)
  const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(c.text.slice(c.pos))
  if (!m) throw new DorisTypeError(`Invalid column type: ${c.text}`)
  c.pos += m[0].length
  return m[0]
}

function peek(c: Cursor): string {
  skipSpace(c)
  return c.text[c.pos] ?? ''
}

function expect(c: Cursor, ch: string): void {
  if (peek(c) !== ch) throw new DorisTypeError(`Invalid column type: ${c.text}`)
  c.pos++
}

function readArgs(c: Cursor): number[] {
  if (peek(c) !== '(') return []
  c.pos++
  const args: number[] = []
  for (;;) {
    skipSpace(c)
    const m = /^\d+/.exec(c.text.slice(c.pos))
    if (!m) throw new DorisTypeError(`Invalid column type: ${c.text}`)
    args.push(Number(m[0]))
    c.pos += m[0].length
    if (peek(c) === ')') break
    expect(c, ',')
  }
  c.pos++
  return args
}

function readType(c: Cursor): DorisType {
  const word = readWord(c).toUpperCase()
  const name = ALIASES[word] ?? word
  if (name === 'ARRAY') return readArray(c)
  if (name === 'MAP') return readMap(c)
  if (name === 'STRUCT') return readStruct(c)
  return scalarType(name, readArgs(c), c.text)
}

function readArray(c: Cursor): DorisType {
  expect(c, '<')
  const element = readType(c)
  expect(c, '>')
  return { kind: 'array', element }
}

function readMap(c: Cursor): DorisType {
  expect(c, '<')
  const key = readType(c)
  expect(c, ',')
  const value = readType(c)
  expect(c, '>')
  return { kind: 'map', key, value }
}

function readStruct(c: Cursor): DorisType {
  expect(c, '<')
  const fields: StructField[] = []
  for (;;) {
    const name = readWord(c)
    expect(c, ':')
    fields.push({ name, type: readType(c) })
    if (peek(c) === '>') break
    expect(c, ',')
  }
  c.pos++
  return { kind: 'struct', fields }
}

function scalarType(name: string, args: number[], text: string): DorisType {
  const [a, b] = args
  switch (name) {
    case 'BOOLEAN':
      return { kind: 'bool' }
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'LARGEINT':
      return { kind: 'int', name, bits: INT_BITS[name] }
    case 'FLOAT':
    case 'DOUBLE':
      return { kind: 'float', name }
    case 'DECIMAL':
      return decimalType(a ?? 38, a === undefined ? 9 : (b ?? 0), text)
    case 'DATE':
      return { kind: 'date' }
    case 'DATETIME':
      if ((a ?? 0) > 6) throw new DorisTypeError(`Scale of Datetime must between 0 and 6: ${text}`)
      return { kind: 'datetime', scale: a ?? 0 }
    case 'CHAR':
      return { kind: 'string', name, length: a ?? 1 }
    case 'VARCHAR':
      return { kind: 'string', name, length: a ?? VARCHAR_MAX }
    case 'STRING':
      return { kind: 'string', name, length: STRING_MAX_BYTES }
    case 'JSON':
    case 'VARIANT':
      return { kind: 'json', name }
    case 'IPV4':
      return { kind: 'ip', version: 4 }
    case 'IPV6':
      return { kind: 'ip', version: 6 }
    default:
      throw new DorisTypeError(`Unknown type: ${text}`)
  }
}

function decimalType(precision: number, scale: number, text: string): DorisType {
  if (precision < 1 || precision > 76 || scale > precision) {
    throw new DorisTypeError(`Invalid decimal type: ${text}`)
  }
  return { kind: 'decimal', precision, scale }
}

/** The canonical DDL spelling, e.g. `DECIMAL(10,2)`, `ARRAY<VARCHAR(8)>`. */
export function typeText(t: DorisType): string {
  switch (t.kind) {
    case 'bool':
      return 'BOOLEAN'
    case 'int':
    case 'float':
    case 'json':
      return t.name
    case 'decimal':
      return `DECIMAL(${t.precision},${t.scale})`
    case 'date':
      return 'DATE'
    case 'datetime':
      return t.scale === 0 ? 'DATETIME' : `DATETIME(${t.scale})`
    case 'string':
      return t.name === 'STRING' ? 'STRING' : `${t.name}(${t.length})`
    case 'array':
      return `ARRAY<${typeText(t.element)}>`
    case 'map':
      return `MAP<${typeText(t.key)},${typeText(t.value)}>`
    case 'struct':
      return `STRUCT<${t.fields.map((f) => `${f.name}:${typeText(f.type)}`).join(',')}>`
    case 'ip':
      return `IPV${t.version}`
  }
}

/** The primitive type name the FE schema API (`/_schema`) reports (protocol reference §8). */
export function primitiveName(t: DorisType): string {
  switch (t.kind) {
    case 'decimal':
      if (t.precision <= 9) return 'DECIMAL32'
      if (t.precision <= 18) return 'DECIMAL64'
      return t.precision <= 38 ? 'DECIMAL128' : 'DECIMAL256'
    case 'date':
      return 'DATEV2'
    case 'datetime':
      return 'DATETIMEV2'
    case 'string':
      return t.name
    case 'array':
      return 'ARRAY'
    case 'map':
      return 'MAP'
    case 'struct':
      return 'STRUCT'
    default:
      return typeText(t)
  }
}

/** The base type name of `information_schema.columns.DATA_TYPE`, lower case. */
export function dataTypeName(t: DorisType): string {
  return typeText(t)
    .replace(/[(<].*$/, '')
    .toLowerCase()
}
