/**
 * @module tests/support/doris-server/sql-lexer
 * Splits one SQL statement into tokens and offers the cursor the parsers walk with. Pure; never
 * accepts an unclosed quote (DdlError in the FE's `Syntax error` wording).
 */
import { syntaxError } from './ddl-error'

export type TokenKind = 'word' | 'name' | 'string' | 'number' | 'punct'

export interface Token {
  readonly kind: TokenKind
  readonly text: string
}

const PUNCT = new Set(['(', ')', ',', ';', '.', '=', '[', ']', '<', '>', ':', '*'])

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < sql.length) {
    const ch = sql[i]!
    if (/\s/.test(ch)) i++
    else if (sql.startsWith('--', i)) i = lineEnd(sql, i)
    else if (ch === '`') i = readQuoted(sql, i, '`', 'name', tokens)
    else if (ch === "'" || ch === '"') i = readQuoted(sql, i, ch, 'string', tokens)
    else if (PUNCT.has(ch)) {
      tokens.push({ kind: 'punct', text: ch })
      i++
    } else i = readAtom(sql, i, tokens)
  }
  return tokens
}

function lineEnd(sql: string, i: number): number {
  const end = sql.indexOf('\n', i)
  return end < 0 ? sql.length : end
}

function readQuoted(
  sql: string,
  start: number,
  quote: string,
  kind: TokenKind,
  out: Token[],
): number {
  let text = ''
  let i = start + 1
  while (i < sql.length) {
    const ch = sql[i]!
    if (ch === '\\' && kind === 'string' && i + 1 < sql.length) {
      text += sql[i + 1]
      i += 2
    } else if (ch === quote && sql[i + 1] === quote) {
      text += quote
      i += 2
    } else if (ch === quote) {
      out.push({ kind, text })
      return i + 1
    } else {
      text += ch
      i++
    }
  }
  throw syntaxError(`unclosed ${quote}`)
}

function readAtom(sql: string, start: number, out: Token[]): number {
  const rest = sql.slice(start)
  const number = /^-?\d+(\.\d+)?/.exec(rest)
  if (number) {
    out.push({ kind: 'number', text: number[0] })
    return start + number[0].length
  }
  const word = /^[A-Za-z_@][A-Za-z0-9_$@-]*/.exec(rest)
  if (!word) throw syntaxError(`unexpected character '${sql[start]}'`)
  out.push({ kind: 'word', text: word[0] })
  return start + word[0].length
}

/** A cursor over the tokens of one statement. Keywords compare case-insensitively. */
export class TokenCursor {
  #pos = 0

  constructor(private readonly tokens: readonly Token[]) {}

  peek(offset = 0): Token | undefined {
    return this.tokens[this.#pos + offset]
  }

  atEnd(): boolean {
    return this.#pos >= this.tokens.length
  }

  next(): Token {
    const t = this.tokens[this.#pos]
    if (!t) throw syntaxError('unexpected end of statement')
    this.#pos++
    return t
  }

  /** True (and consumed) when the next tokens are these keywords or punctuation, in order. */
  accept(...words: string[]): boolean {
    const match = words.every((w, i) => {
      const t = this.tokens[this.#pos + i]
      return (
        t !== undefined && t.kind !== 'string' && t.kind !== 'name' && t.text.toUpperCase() === w
      )
    })
    if (match) this.#pos += words.length
    return match
  }

  expect(...words: string[]): void {
    if (!this.accept(...words)) {
      throw syntaxError(`expected ${words.join(' ')} near '${this.peek()?.text ?? 'end'}'`)
    }
  }

  /** An identifier: a bare word or a `quoted` name. */
  identifier(): string {
    const t = this.next()
    if (t.kind !== 'word' && t.kind !== 'name')
      throw syntaxError(`expected a name near '${t.text}'`)
    return t.text
  }

  /** A literal: 'string', "string" or a number, as text. */
  literal(): string {
    const t = this.next()
    if (t.kind !== 'string' && t.kind !== 'number')
      throw syntaxError(`expected a value near '${t.text}'`)
    return t.text
  }

  /** `[db.]name`. */
  qualifiedName(): { db: string | undefined; name: string } {
    const first = this.identifier()
    if (!this.accept('.')) return { db: undefined, name: first }
    return { db: first, name: this.identifier() }
  }

  /** Skips a balanced `( … )` group (PROPERTIES, DISTRIBUTED BY HASH(…)). */
  skipGroup(): void {
    this.expect('(')
    let depth = 1
    while (depth > 0) {
      const t = this.next()
      if (t.kind === 'punct' && t.text === '(') depth++
      if (t.kind === 'punct' && t.text === ')') depth--
    }
  }
}
