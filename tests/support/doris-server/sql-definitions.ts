/**
 * @module tests/support/doris-server/sql-definitions
 * The definition parts of CREATE/ALTER TABLE: columns (type, NULL, DEFAULT, COMMENT), key clauses,
 * RANGE partitions and bounds; distribution and properties are skipped. Pure; never guesses at
 * syntax it does not know (DdlError).
 */
import { syntaxError, unsupported } from './ddl-error'
import type { Token, TokenCursor } from './sql-lexer'
import type { ColumnInput, PartitionInput, TableDef } from './table-store'

/** Everything after the column list of CREATE TABLE, up to the end of the statement. */
export function parseTableClauses(c: TokenCursor, columns: ColumnInput[]): TableDef {
  let def: TableDef = { columns }
  for (;;) {
    if (c.accept('ENGINE', '=')) c.identifier()
    else if (c.accept('DUPLICATE', 'KEY')) def = { ...def, duplicateKey: nameList(c) }
    else if (c.accept('UNIQUE', 'KEY')) def = { ...def, uniqueKey: nameList(c) }
    else if (c.accept('AGGREGATE', 'KEY')) throw unsupported('AGGREGATE KEY')
    else if (c.accept('COMMENT')) c.literal()
    else if (c.accept('PARTITION', 'BY', 'RANGE')) def = { ...def, ...parseRangePartitions(c) }
    else if (c.accept('DISTRIBUTED', 'BY')) skipDistribution(c)
    else if (c.accept('PROPERTIES')) c.skipGroup()
    else return def
  }
}

export function parseColumnList(c: TokenCursor): ColumnInput[] {
  const columns: ColumnInput[] = []
  do {
    if (c.peek()?.text.toUpperCase() === 'INDEX') throw unsupported('INDEX definitions')
    columns.push(parseColumn(c))
  } while (c.accept(','))
  c.expect(')')
  return columns
}

const ATTRIBUTE_WORDS = new Set([
  'KEY',
  'NOT',
  'NULL',
  'DEFAULT',
  'COMMENT',
  'AUTO_INCREMENT',
  'AFTER',
  'FIRST',
  'TO',
])

export function parseColumn(c: TokenCursor): ColumnInput {
  const name = c.identifier()
  const type = typeTextFrom(c)
  let nullable = true
  let dflt: string | null | undefined
  let comment = ''
  for (;;) {
    if (c.accept('KEY')) continue
    if (c.accept('NOT', 'NULL')) nullable = false
    else if (c.accept('NULL')) nullable = true
    else if (c.accept('DEFAULT')) dflt = c.accept('NULL') ? null : c.literal()
    else if (c.accept('COMMENT')) comment = c.literal()
    else if (c.accept('AUTO_INCREMENT')) throw unsupported('AUTO_INCREMENT')
    else break
  }
  return { name, type, nullable, ...(dflt !== undefined ? { default: dflt } : {}), comment }
}

/** Reads type tokens up to the first attribute keyword, `,` or `)` outside brackets. */
function typeTextFrom(c: TokenCursor): string {
  const parts: string[] = []
  let depth = 0
  for (;;) {
    const t: Token | undefined = c.peek()
    if (!t) break
    const word = t.kind === 'word' ? t.text.toUpperCase() : ''
    if (
      depth === 0 &&
      parts.length > 0 &&
      (ATTRIBUTE_WORDS.has(word) || t.text === ',' || t.text === ')')
    )
      break
    if (t.kind === 'punct' && (t.text === '(' || t.text === '<')) depth++
    if (t.kind === 'punct' && (t.text === ')' || t.text === '>')) depth--
    parts.push(t.text)
    c.next()
  }
  if (parts.length === 0) throw syntaxError('expected a column type')
  return parts.join('')
}

export function nameList(c: TokenCursor): string[] {
  c.expect('(')
  const names = [c.identifier()]
  while (c.accept(',')) names.push(c.identifier())
  c.expect(')')
  return names
}

function parseRangePartitions(c: TokenCursor): Pick<TableDef, 'partitionColumn' | 'partitions'> {
  const cols = nameList(c)
  if (cols.length !== 1) throw unsupported('Multi-column RANGE partitioning')
  c.expect('(')
  const partitions: PartitionInput[] = []
  if (!c.accept(')')) {
    do {
      c.expect('PARTITION')
      c.accept('IF', 'NOT', 'EXISTS')
      partitions.push(parsePartitionValues(c, c.identifier()))
    } while (c.accept(','))
    c.expect(')')
  }
  return { partitionColumn: cols[0]!, partitions }
}

export function parsePartitionValues(c: TokenCursor, name: string): PartitionInput {
  c.expect('VALUES')
  if (c.accept('LESS', 'THAN')) return { name, upper: boundValue(c, true) }
  if (c.accept('IN')) throw unsupported('LIST partitions')
  c.expect('[')
  const lower = boundValue(c, false)
  c.expect(',')
  const upper = boundValue(c, true)
  c.expect(')')
  return { name, lower, upper }
}

/** `("v")`, `(MAXVALUE)` or bare `MAXVALUE`. */
function boundValue(c: TokenCursor, maxAllowed: boolean): string {
  if (maxAllowed && c.accept('MAXVALUE')) return 'MAXVALUE'
  c.expect('(')
  const value = maxAllowed && c.accept('MAXVALUE') ? 'MAXVALUE' : c.literal()
  if (c.accept(',')) throw unsupported('Multi-column partition values')
  c.expect(')')
  return value
}

export function skipDistribution(c: TokenCursor): void {
  if (c.accept('HASH')) c.skipGroup()
  else c.expect('RANDOM')
  if (c.accept('BUCKETS') && !c.accept('AUTO')) c.literal()
}
