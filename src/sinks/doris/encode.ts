/**
 * @module sinks/doris/encode
 * The Stream Load body of a batch: its json lines as they are, or CSV made from them (columns
 * from the rows' keys, every text enclosed and escaped, NULL as `\N`). Pure, and a function of
 * the rows alone, so a retry under the same label sends the same bytes.
 */
import type { RowBytes } from '../../batch/row-bytes'
import type { LoadBody } from './request'

export const CSV_SEPARATOR = ','
export const CSV_ENCLOSE = '"'
export const CSV_ESCAPE = '\\'
const CSV_NULL = '\\N'

export function encodeLoadBody(rows: RowBytes, format: 'json' | 'csv'): LoadBody {
  if (format === 'json') {
    return {
      body: rows.body,
      // Both sent: Doris 3.1 changed the default when neither is (reference §3 note).
      formatHeaders: {
        format: 'json',
        read_json_by_line: 'true',
        strip_outer_array: 'false',
        // LARGEINT, DECIMAL and big BIGINT digits never go through a double on the server.
        num_as_string: 'true',
      },
    }
  }
  const { text, columns } = csvText(rows)
  return {
    body: new TextEncoder().encode(text),
    formatHeaders: {
      format: 'csv',
      columns: columns.map((c) => `\`${c}\``).join(','),
      column_separator: CSV_SEPARATOR,
      line_delimiter: '\\n',
      enclose: CSV_ENCLOSE,
      escape: CSV_ESCAPE,
    },
  }
}

/**
 * CSV of json-line rows. Columns are the rows' keys in order of first appearance; a row that
 * leaves a column out (no value, not Nullable) sends `\N` there.
 */
export function csvText(rows: RowBytes): { text: string; columns: string[] } {
  const parsed: Array<Map<string, string>> = []
  const columns: string[] = []
  const seen = new Set<string>()
  const text = new TextDecoder().decode(rows.body)
  // Compact JSON never holds a raw newline: each line is one row.
  let start = 0
  for (let i = 0; i < rows.length; i++) {
    const end = text.indexOf('\n', start)
    const fields = topLevelFields(text.slice(start, end))
    start = end + 1
    for (const key of fields.keys()) {
      if (!seen.has(key)) {
        seen.add(key)
        columns.push(key)
      }
    }
    parsed.push(fields)
  }
  let out = ''
  for (const fields of parsed) {
    out += columns.map((c) => csvField(fields.get(c))).join(CSV_SEPARATOR)
    out += '\n'
  }
  return { text: out, columns }
}

/** A JSON value's text as a CSV field. */
export function csvField(raw: string | undefined): string {
  if (raw === undefined || raw === 'null') return CSV_NULL
  const first = raw.charCodeAt(0)
  if (first === 0x22) return enclose(JSON.parse(raw) as string)
  // Objects and arrays (JSON, ARRAY, MAP) travel as their JSON text.
  if (first === 0x7b || first === 0x5b) return enclose(raw)
  return raw
}

/** Escaping the escape character too keeps a text ending in `\` from eating its enclose. */
function enclose(s: string): string {
  const escaped = s
    .replaceAll(CSV_ESCAPE, CSV_ESCAPE + CSV_ESCAPE)
    .replaceAll(CSV_ENCLOSE, CSV_ESCAPE + CSV_ENCLOSE)
  return CSV_ENCLOSE + escaped + CSV_ENCLOSE
}

/** The keys of a compact JSON object and each value's raw text, in order. Throws on bad JSON. */
export function topLevelFields(line: string): Map<string, string> {
  const fields = new Map<string, string>()
  let i = skipSpace(line, 0)
  if (line[i] !== '{') throw new SyntaxError('a row is not a JSON object')
  i = skipSpace(line, i + 1)
  if (line[i] === '}') return fields
  for (;;) {
    const keyEnd = stringEnd(line, i)
    const key = JSON.parse(line.slice(i, keyEnd)) as string
    i = skipSpace(line, keyEnd)
    if (line[i] !== ':') throw new SyntaxError('expected ":" in a row')
    const valueStart = skipSpace(line, i + 1)
    const valueEnd = valueEndOf(line, valueStart)
    fields.set(key, line.slice(valueStart, valueEnd).trim())
    i = skipSpace(line, valueEnd)
    if (line[i] === '}') return fields
    if (line[i] !== ',') throw new SyntaxError('expected "," or "}" in a row')
    i = skipSpace(line, i + 1)
  }
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\r')) i++
  return i
}

/** Index just past the string literal starting at i. */
function stringEnd(s: string, i: number): number {
  if (s[i] !== '"') throw new SyntaxError('expected a string in a row')
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j]
    if (c === '\\') j++
    else if (c === '"') return j + 1
  }
  throw new SyntaxError('unterminated string in a row')
}

/** Index just past the value starting at i: a string, a nested object/array, or a scalar. */
function valueEndOf(s: string, i: number): number {
  if (s[i] === '"') return stringEnd(s, i)
  let depth = 0
  let j = i
  while (j < s.length) {
    const c = s[j]
    if (c === '"') {
      j = stringEnd(s, j)
      continue
    }
    if (c === '{' || c === '[') depth++
    else if (c === '}' || c === ']') {
      if (depth === 0) return j
      depth--
    } else if (c === ',' && depth === 0) return j
    j++
  }
  return j
}
