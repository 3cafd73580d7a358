/**
 * @module schema/doris-type
 * Parses Doris column type text (`VARCHAR(64)`, `DECIMAL(10,2)`, `ARRAY<INT>`, `INT NULL`) into
 * the dialect-neutral ColumnType AST. Pure; never guesses: an unknown type is a ColumnTypeError.
 */
import { type ColumnType, ColumnTypeError } from './column-type'

/** VARCHAR without a length holds the maximum (Doris: 65533 bytes). */
export const VARCHAR_MAX_BYTES = 65_533

/** What the schema API and information_schema may print, spelled as the DDL type. */
const ALIASES: Readonly<Record<string, string>> = {
  BOOL: 'BOOLEAN',
  INTEGER: 'INT',
  TEXT: 'STRING',
  JSONB: 'JSON',
  VARIANT: 'JSON',
  DECIMALV2: 'DECIMAL',
  DECIMALV3: 'DECIMAL',
  DECIMAL32: 'DECIMAL',
  DECIMAL64: 'DECIMAL',
  DECIMAL128: 'DECIMAL',
  DECIMAL256: 'DECIMAL',
  DATEV2: 'DATE',
  DATETIMEV2: 'DATETIME',
}

const INT_BITS: Readonly<Record<string, 8 | 16 | 32 | 64 | 128>> = {
  TINYINT: 8,
  SMALLINT: 16,
  INT: 32,
  BIGINT: 64,
  LARGEINT: 128,
}

class DorisTypeTextError extends Error {}

/**
 * Parses e.g. `DATETIME(3) NULL`. A trailing `NULL` makes the column Nullable, `NOT NULL` or no
 * suffix does not. Elements of ARRAY and values of MAP are Nullable, as Doris makes them.
 */
export function parseDorisType(text: string, column?: string): ColumnType {
  try {
    const { body, nullable } = splitNullability(text.trim())
    const cursor = { text: body, pos: 0 }
    const type = readType(cursor)
    skipSpace(cursor)
    if (cursor.pos !== body.length)
      throw new DorisTypeTextError(`unexpected text at ${cursor.pos + 1}`)
    return nullable ? { kind: 'nullable', inner: type } : type
  } catch (err) {
    if (err instanceof DorisTypeTextError) throw new ColumnTypeError(text, err.message, column)
    throw err
  }
}

function splitNullability(text: string): { body: string; nullable: boolean } {
  const notNull = /\s+NOT\s+NULL$/i.exec(text)
  if (notNull) return { body: text.slice(0, notNull.index), nullable: false }
  const nullable = /\s+NULL$/i.exec(text)
  if (nullable) return { body: text.slice(0, nullable.index), nullable: true }
  return { body: text, nullable: false }
}

interface Cursor {
  readonly text: string
  pos: number
}

function skipSpace(c: Cursor): void {
  while (c.pos < c.text.length && /\s/.test(c.text[c.pos] as string)) c.pos++
}

function peek(c: Cursor): string {
  skipSpace(c)
  return c.text[c.pos] ?? ''
}

function expect(c: Cursor, ch: string): void {
  if (peek(c) !== ch) throw new DorisTypeTextError(`expected "${ch}" at ${c.pos + 1}`)
  c.pos++
}

function readWord(c: Cursor): string {
  skipSpace(c)
  const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(c.text.slice(c.pos))
  if (!m) throw new DorisTypeTextError(`expected a type name at ${c.pos + 1}`)
  c.pos += m[0].length
  return m[0]
}

function readArgs(c: Cursor): number[] {
  if (peek(c) !== '(') return []
  c.pos++
  const args: number[] = []
  for (;;) {
    skipSpace(c)
    const m = /^\d+/.exec(c.text.slice(c.pos))
    if (!m) throw new DorisTypeTextError(`expected a number at ${c.pos + 1}`)
    args.push(Number(m[0]))
    c.pos += m[0].length
    if (peek(c) === ')') break
    expect(c, ',')
  }
  c.pos++
  return args
}

function readType(c: Cursor): ColumnType {
  const word = readWord(c).toUpperCase()
  const name = ALIASES[word] ?? word
  if (name === 'ARRAY') {
    expect(c, '<')
    const element = readElement(c)
    expect(c, '>')
    return { kind: 'array', element }
  }
  if (name === 'MAP') {
    expect(c, '<')
    const key = readType(c)
    expect(c, ',')
    const value = readElement(c)
    expect(c, '>')
    return { kind: 'map', key, value }
  }
  if (name === 'STRUCT') throw new DorisTypeTextError('STRUCT is not supported')
  return scalarType(name, readArgs(c))
}

/** `NOT NULL(INT)` is how DESC prints a non-nullable element; plain elements are nullable. */
function readElement(c: Cursor): ColumnType {
  const rest = c.text.slice(c.pos)
  const notNull = /^\s*NOT\s+NULL\s*\(/i.exec(rest)
  if (notNull) {
    c.pos += notNull[0].length
    const inner = readType(c)
    expect(c, ')')
    return inner
  }
  return { kind: 'nullable', inner: readType(c) }
}

function scalarType(name: string, args: number[]): ColumnType {
  const [a, b] = args
  const bits = INT_BITS[name]
  if (bits !== undefined) return noArgs(name, args, { kind: 'int', bits, signed: true })
  switch (name) {
    case 'BOOLEAN':
      return noArgs(name, args, { kind: 'bool' })
    case 'FLOAT':
      return noArgs(name, args, { kind: 'float', bits: 32 })
    case 'DOUBLE':
      return noArgs(name, args, { kind: 'float', bits: 64 })
    case 'DECIMAL':
      return decimalType(a, b)
    case 'DATE':
      return noArgs(name, args, { kind: 'date', wide: true })
    case 'DATETIME':
      if ((a ?? 0) > 6) throw new DorisTypeTextError('DATETIME scale must be 0..6')
      return { kind: 'datetime64', precision: a ?? 0, timezone: null }
    case 'CHAR':
      return { kind: 'fixed_string', bytes: lengthArg(name, a ?? 1, 255) }
    case 'VARCHAR':
      return {
        kind: 'string',
        maxBytes: lengthArg(name, a ?? VARCHAR_MAX_BYTES, VARCHAR_MAX_BYTES),
      }
    case 'STRING':
      return noArgs(name, args, { kind: 'string', maxBytes: null })
    case 'JSON':
      return noArgs(name, args, { kind: 'json' })
    case 'IPV4':
      return noArgs(name, args, { kind: 'ip', version: 4 })
    case 'IPV6':
      return noArgs(name, args, { kind: 'ip', version: 6 })
    default:
      throw new DorisTypeTextError(`unknown or unsupported type ${name}`)
  }
}

function noArgs(name: string, args: number[], type: ColumnType): ColumnType {
  if (args.length > 0) throw new DorisTypeTextError(`${name} takes no arguments`)
  return type
}

function lengthArg(name: string, value: number, max: number): number {
  if (value < 1 || value > max) throw new DorisTypeTextError(`${name} length must be 1..${max}`)
  return value
}

/** DECIMAL alone is DECIMAL(38,9) in current Doris; DECIMAL(P) is DECIMAL(P,0). */
function decimalType(p: number | undefined, s: number | undefined): ColumnType {
  const precision = p ?? 38
  const scale = p === undefined ? 9 : (s ?? 0)
  if (precision < 1 || precision > 76)
    throw new DorisTypeTextError('DECIMAL precision must be 1..76')
  if (scale > precision) throw new DorisTypeTextError('DECIMAL scale must not exceed its precision')
  return { kind: 'decimal', precision, scale }
}
