/**
 * @module schema/type-text
 * Tokenises ClickHouse type text into a generic tree: a name with arguments (types, numbers,
 * quoted strings, `'name' = n` pairs). Knows no type names; never accepts trailing text.
 */
/** Thrown by the parser; parseClickHouseType adds the full type text and the column. */
export class TypeTextError extends Error {}

export interface TypeNode {
  readonly name: string
  readonly args: readonly TypeArg[]
}

export type TypeArg =
  | { readonly kind: 'type'; readonly type: TypeNode }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'pair'; readonly name: string; readonly value: number }
  /** Anything else (named tuple elements, JSON type hints): kept opaque. */
  | { readonly kind: 'other'; readonly text: string }

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y
const NUMBER = /[+-]?[0-9]+(?:\.[0-9]+)?/y

export function parseTypeText(text: string): TypeNode {
  const reader = new Reader(text)
  const node = reader.type()
  reader.skipSpace()
  if (!reader.atEnd()) throw new TypeTextError(`unexpected text at ${reader.pos + 1}`)
  return node
}

class Reader {
  pos = 0
  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length
  }

  peek(): string {
    return this.text[this.pos] ?? ''
  }

  skipSpace(): void {
    while (this.peek() === ' ' || this.peek() === '\t' || this.peek() === '\n') this.pos++
  }

  match(re: RegExp): string | null {
    re.lastIndex = this.pos
    const m = re.exec(this.text)
    if (m === null) return null
    this.pos += m[0].length
    return m[0]
  }

  type(): TypeNode {
    this.skipSpace()
    const name = this.match(IDENT)
    if (name === null) throw new TypeTextError(`expected a type name at ${this.pos + 1}`)
    this.skipSpace()
    if (this.peek() !== '(') return { name, args: [] }
    this.pos++
    const args: TypeArg[] = []
    this.skipSpace()
    if (this.peek() === ')') {
      this.pos++
      return { name, args }
    }
    for (;;) {
      args.push(this.arg())
      this.skipSpace()
      const c = this.peek()
      this.pos++
      if (c === ')') return { name, args }
      if (c !== ',') throw new TypeTextError(`expected "," or ")" at ${this.pos}`)
    }
  }

  arg(): TypeArg {
    this.skipSpace()
    const start = this.pos
    const c = this.peek()
    if (c === "'") return this.quotedOrPair()
    const num = this.match(NUMBER)
    if (num !== null)
      return this.endsArg() ? { kind: 'number', value: Number(num) } : this.other(start)
    const type = this.type()
    return this.endsArg() ? { kind: 'type', type } : this.other(start)
  }

  quotedOrPair(): TypeArg {
    const start = this.pos
    const value = this.quoted()
    this.skipSpace()
    if (this.peek() !== '=') return this.endsArg() ? { kind: 'string', value } : this.other(start)
    this.pos++
    this.skipSpace()
    const num = this.match(NUMBER)
    if (num === null) throw new TypeTextError(`expected a number after "=" at ${this.pos + 1}`)
    return { kind: 'pair', name: value, value: Number(num) }
  }

  /** A single-quoted string with backslash escapes or doubled quotes. */
  quoted(): string {
    let out = ''
    this.pos++
    for (;;) {
      if (this.atEnd()) throw new TypeTextError('unterminated quoted string')
      const c = this.text[this.pos++]
      if (c === '\\') out += this.text[this.pos++] ?? ''
      else if (c === "'" && this.peek() === "'") {
        out += "'"
        this.pos++
      } else if (c === "'") return out
      else out += c
    }
  }

  endsArg(): boolean {
    this.skipSpace()
    return this.peek() === ',' || this.peek() === ')'
  }

  /** Skips to the end of the current argument, balancing parentheses and quotes. */
  other(start: number): TypeArg {
    let depth = 0
    while (!this.atEnd()) {
      const c = this.peek()
      if (c === "'") {
        this.quoted()
        continue
      }
      if (depth === 0 && (c === ',' || c === ')')) break
      if (c === '(') depth++
      if (c === ')') depth--
      this.pos++
    }
    return { kind: 'other', text: this.text.slice(start, this.pos).trim() }
  }
}
