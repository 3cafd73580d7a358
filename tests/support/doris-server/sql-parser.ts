/**
 * @module tests/support/doris-server/sql-parser
 * Parses the SQL subset the server understands (what a sink sends, what a test or demo needs)
 * into statement objects. Anything else is refused as not supported, never guessed at. Pure.
 */
import { syntaxError, unsupported } from './ddl-error'
import {
  nameList,
  parseColumn,
  parseColumnList,
  parsePartitionValues,
  parseTableClauses,
  skipDistribution,
} from './sql-definitions'
import { TokenCursor, tokenize } from './sql-lexer'
import type { ColumnInput, PartitionInput, TableDef } from './table-store'

export { unsupported } from './ddl-error'

export interface TableName {
  readonly db: string | undefined
  readonly name: string
}

export type SelectItem =
  | { readonly kind: 'count'; readonly alias: string }
  | { readonly kind: 'column'; readonly name: string; readonly alias: string }

export interface SelectStatement {
  readonly kind: 'select'
  readonly table: TableName
  /** Null for `*`. */
  readonly items: readonly SelectItem[] | null
  readonly where: readonly { readonly column: string; readonly value: string }[]
  readonly orderBy: { readonly column: string; readonly desc: boolean } | null
  readonly limit: number | null
}

export type Statement =
  | { readonly kind: 'create_database'; readonly db: string; readonly ifNotExists: boolean }
  | {
      readonly kind: 'create_table'
      readonly table: TableName
      readonly ifNotExists: boolean
      readonly def: TableDef
    }
  | { readonly kind: 'drop_table'; readonly table: TableName; readonly ifExists: boolean }
  | {
      readonly kind: 'add_partition'
      readonly table: TableName
      readonly ifNotExists: boolean
      readonly partition: PartitionInput
    }
  | {
      readonly kind: 'drop_partition'
      readonly table: TableName
      readonly ifExists: boolean
      readonly name: string
    }
  | {
      readonly kind: 'truncate'
      readonly table: TableName
      readonly partitions: readonly string[] | null
    }
  | {
      readonly kind: 'add_columns'
      readonly table: TableName
      readonly columns: readonly ColumnInput[]
      readonly after: string | null
      readonly first: boolean
    }
  | SelectStatement
  | { readonly kind: 'desc'; readonly table: TableName }
  | { readonly kind: 'show_partitions'; readonly table: TableName }
  | { readonly kind: 'show_tables'; readonly db: string | undefined }
  | { readonly kind: 'show_databases' }
  /** `SELECT 1`: a probe with no table. */
  | { readonly kind: 'select_literal'; readonly value: string; readonly numeric: boolean }

export function parseStatement(sql: string): Statement {
  const tokens = tokenize(sql)
  while (tokens.at(-1)?.text === ';' && tokens.at(-1)?.kind === 'punct') tokens.pop()
  const c = new TokenCursor(tokens)
  const stmt = parseTop(c)
  if (!c.atEnd()) throw syntaxError(`unexpected '${c.peek()?.text}'`)
  return stmt
}

function parseTop(c: TokenCursor): Statement {
  if (c.accept('CREATE', 'DATABASE')) {
    const ifNotExists = c.accept('IF', 'NOT', 'EXISTS')
    return { kind: 'create_database', ifNotExists, db: c.identifier() }
  }
  if (c.accept('CREATE', 'TABLE')) return parseCreateTable(c)
  if (c.accept('DROP', 'TABLE')) {
    const ifExists = c.accept('IF', 'EXISTS')
    const table = c.qualifiedName()
    c.accept('FORCE')
    return { kind: 'drop_table', table, ifExists }
  }
  if (c.accept('ALTER', 'TABLE')) return parseAlter(c)
  if (c.accept('TRUNCATE', 'TABLE')) return parseTruncate(c)
  if (c.accept('SELECT')) {
    const first = c.peek()
    if ((first?.kind === 'number' || first?.kind === 'string') && c.peek(1) === undefined) {
      return { kind: 'select_literal', value: c.literal(), numeric: first.kind === 'number' }
    }
    return parseSelect(c)
  }
  if (c.accept('DESC') || c.accept('DESCRIBE')) return { kind: 'desc', table: c.qualifiedName() }
  if (c.accept('SHOW', 'PARTITIONS', 'FROM'))
    return { kind: 'show_partitions', table: c.qualifiedName() }
  if (c.accept('SHOW', 'DATABASES')) return { kind: 'show_databases' }
  if (c.accept('SHOW', 'TABLES')) {
    return {
      kind: 'show_tables',
      db: c.accept('FROM') || c.accept('IN') ? c.identifier() : undefined,
    }
  }
  throw unsupported(`Statement '${c.peek()?.text ?? ''} …'`)
}

function parseCreateTable(c: TokenCursor): Statement {
  const ifNotExists = c.accept('IF', 'NOT', 'EXISTS')
  const table = c.qualifiedName()
  c.expect('(')
  const def = parseTableClauses(c, parseColumnList(c))
  return { kind: 'create_table', table, ifNotExists, def }
}

function parseAlter(c: TokenCursor): Statement {
  const table = c.qualifiedName()
  if (c.accept('ADD', 'TEMPORARY') || c.accept('DROP', 'TEMPORARY'))
    throw unsupported('TEMPORARY PARTITION')
  if (c.accept('ADD', 'PARTITION')) {
    const ifNotExists = c.accept('IF', 'NOT', 'EXISTS')
    const partition = parsePartitionValues(c, c.identifier())
    if (c.accept('DISTRIBUTED', 'BY')) skipDistribution(c)
    if (c.peek()?.text === '(') c.skipGroup()
    return { kind: 'add_partition', table, ifNotExists, partition }
  }
  if (c.accept('DROP', 'PARTITION')) {
    const ifExists = c.accept('IF', 'EXISTS')
    const name = c.identifier()
    c.accept('FORCE')
    return { kind: 'drop_partition', table, ifExists, name }
  }
  if (c.accept('ADD', 'COLUMN')) return parseAddColumns(c, table)
  throw unsupported(`ALTER TABLE … ${c.peek()?.text ?? ''}`)
}

function parseAddColumns(c: TokenCursor, table: TableName): Statement {
  const columns = c.accept('(') ? parseColumnList(c) : [parseColumn(c)]
  let after: string | null = null
  let first = false
  if (c.accept('AFTER')) after = c.identifier()
  else if (c.accept('FIRST')) first = true
  if (c.accept('TO')) c.identifier()
  if (c.accept('PROPERTIES')) c.skipGroup()
  return { kind: 'add_columns', table, columns, after, first }
}

function parseTruncate(c: TokenCursor): Statement {
  const table = c.qualifiedName()
  if (!c.accept('PARTITION') && !c.accept('PARTITIONS'))
    return { kind: 'truncate', table, partitions: null }
  const partitions = c.peek()?.text === '(' ? nameList(c) : [c.identifier()]
  return { kind: 'truncate', table, partitions }
}

function parseSelect(c: TokenCursor): SelectStatement {
  const items = c.accept('*') ? null : selectItems(c)
  c.expect('FROM')
  const table = c.qualifiedName()
  const where: { column: string; value: string }[] = []
  if (c.accept('WHERE')) {
    do {
      const column = c.identifier()
      c.expect('=')
      where.push({ column, value: c.literal() })
    } while (c.accept('AND'))
  }
  let orderBy: SelectStatement['orderBy'] = null
  if (c.accept('ORDER', 'BY')) {
    const column = c.identifier()
    const desc = c.accept('DESC')
    if (!desc) c.accept('ASC')
    orderBy = { column, desc }
  }
  const limit = c.accept('LIMIT') ? Number(c.literal()) : null
  return { kind: 'select', table, items, where, orderBy, limit }
}

function selectItems(c: TokenCursor): SelectItem[] {
  const items: SelectItem[] = []
  do {
    if (c.accept('COUNT', '(', '*', ')')) {
      items.push({ kind: 'count', alias: c.accept('AS') ? c.identifier() : 'count(*)' })
    } else {
      const name = c.identifier()
      items.push({ kind: 'column', name, alias: c.accept('AS') ? c.identifier() : name })
    }
  } while (c.accept(','))
  return items
}
