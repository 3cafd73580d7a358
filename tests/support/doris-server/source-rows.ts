/**
 * @module tests/support/doris-server/source-rows
 * Splits a Stream Load body into source rows: JSON (one document, an outer array, or one document
 * per line) and CSV (separators, enclose, escape, `\N`). A unit that cannot be read becomes an
 * error row (filtered, with its reason), never an exception. Pure.
 */
import { compactJson, isJsonObject, parseJsonLossless, type RawValue } from './json-value'

export type SourceRow =
  | { readonly ok: true; readonly record: RawValue; readonly source: string }
  | { readonly ok: false; readonly reason: string; readonly source: string }

export interface JsonBodyOptions {
  readonly readJsonByLine: boolean
  readonly stripOuterArray: boolean
  readonly lineDelimiter: string
}

export interface CsvBodyOptions {
  readonly columnSeparator: string
  readonly lineDelimiter: string
  /** Single character or ''. */
  readonly enclose: string
  /** Single character or ''. */
  readonly escape: string
  readonly trimDoubleQuotes: boolean
  /** Leading lines to drop (header lines of csv_with_names*, or skip_lines). */
  readonly skipLines: number
}

const NOT_ARRAY = 'JSON data is not an array-object, strip_outer_array must be FALSE.'
const IS_ARRAY = 'JSON data is array-object, `strip_outer_array` must be TRUE.'

export function jsonRows(body: string, opts: JsonBodyOptions): SourceRow[] {
  if (!opts.readJsonByLine) return body.trim() === '' ? [] : documentRows(body.trim(), opts)
  return body
    .split(opts.lineDelimiter)
    .filter((line) => line.trim() !== '')
    .flatMap((line) => documentRows(line, opts))
}

function documentRows(text: string, opts: JsonBodyOptions): SourceRow[] {
  let doc: RawValue
  try {
    doc = parseJsonLossless(text)
  } catch (err) {
    const reason = `Parse json data for JsonDoc failed. error info: ${(err as Error).message}`
    return [{ ok: false, reason, source: text }]
  }
  if (Array.isArray(doc)) {
    if (!opts.stripOuterArray) return [{ ok: false, reason: IS_ARRAY, source: text }]
    return doc.map((item) => objectRow(item, compactJson(item)))
  }
  if (opts.stripOuterArray) return [{ ok: false, reason: NOT_ARRAY, source: text }]
  return [objectRow(doc, text)]
}

function objectRow(item: RawValue, source: string): SourceRow {
  if (isJsonObject(item)) return { ok: true, record: item, source }
  return { ok: false, reason: 'Expect json object value', source }
}

/** CSV rows: each record is an array of field texts, `null` for an unenclosed `\N`. */
export function csvRows(body: string, opts: CsvBodyOptions): SourceRow[] {
  const rows: SourceRow[] = []
  let pos = 0
  let skipped = 0
  while (pos < body.length) {
    const { fields, end, next } = readRecord(body, pos, opts)
    const line = body.slice(pos, end)
    pos = next
    if (line === '') continue
    if (skipped < opts.skipLines) {
      skipped++
      continue
    }
    rows.push({ ok: true, record: fields, source: line })
  }
  return rows
}

interface RecordRead {
  fields: (string | null)[]
  /** Index where the record's text ends (before its line delimiter). */
  end: number
  /** Index where the next record starts. */
  next: number
}

function readRecord(body: string, start: number, opts: CsvBodyOptions): RecordRead {
  const fields: (string | null)[] = []
  let pos = start
  for (;;) {
    const field = readField(body, pos, opts)
    fields.push(field.value)
    pos = field.next
    if (body.startsWith(opts.columnSeparator, pos)) {
      pos += opts.columnSeparator.length
      continue
    }
    if (pos >= body.length) return { fields, end: body.length, next: body.length }
    return { fields, end: pos, next: pos + opts.lineDelimiter.length }
  }
}

function readField(
  body: string,
  start: number,
  opts: CsvBodyOptions,
): { value: string | null; next: number } {
  if (opts.enclose !== '' && body[start] === opts.enclose) {
    const enclosed = readEnclosed(body, start + 1, opts)
    if (enclosed) return enclosed
  }
  let pos = start
  while (
    pos < body.length &&
    !body.startsWith(opts.columnSeparator, pos) &&
    !body.startsWith(opts.lineDelimiter, pos)
  ) {
    pos++
  }
  const text = body.slice(start, pos)
  if (text === '\\N') return { value: null, next: pos }
  const trimmed =
    opts.trimDoubleQuotes && text.length >= 2 && text.startsWith('"') && text.endsWith('"')
      ? text.slice(1, -1)
      : text
  return { value: trimmed, next: pos }
}

/** Reads up to the closing enclose character; null when the field never closes properly. */
function readEnclosed(
  body: string,
  start: number,
  opts: CsvBodyOptions,
): { value: string; next: number } | null {
  let value = ''
  let pos = start
  while (pos < body.length) {
    const ch = body[pos]!
    if (opts.escape !== '' && ch === opts.escape && pos + 1 < body.length) {
      value += body[pos + 1]
      pos += 2
      continue
    }
    if (ch === opts.enclose) {
      const after = pos + 1
      const closes =
        after >= body.length ||
        body.startsWith(opts.columnSeparator, after) ||
        body.startsWith(opts.lineDelimiter, after)
      return closes ? { value, next: after } : null
    }
    value += ch
    pos++
  }
  return null
}

/** Decodes a separator header: `\xHH…` hex bytes, and the escapes `\t`, `\n`, `\r`. */
export function decodeSeparator(text: string): string {
  if (/^\\x([0-9a-f]{2})+$/i.test(text)) {
    return Buffer.from(text.slice(2), 'hex').toString('utf8')
  }
  return text.replace(/\\([tnr])/g, (_, c: string) => ({ t: '\t', n: '\n', r: '\r' })[c] ?? c)
}
