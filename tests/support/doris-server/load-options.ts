/**
 * @module tests/support/doris-server/load-options
 * Reads the Stream Load headers (protocol reference §3) into options, in two stages as Doris
 * does: what the BE checks before it begins a txn, and what the FE's plan refuses after. A header
 * the server does not emulate is refused by name, never silently ignored. Pure.
 */
import { decodeSeparator } from './source-rows'

export interface LoadOptions {
  readonly format: 'json' | 'csv'
  readonly readJsonByLine: boolean
  readonly stripOuterArray: boolean
  readonly columns: readonly string[] | null
  readonly columnSeparator: string
  readonly lineDelimiter: string
  readonly enclose: string
  readonly escape: string
  readonly trimDoubleQuotes: boolean
  readonly skipLines: number
  readonly maxFilterRatio: number
  readonly strictMode: boolean
  readonly timezone: string
  readonly partitions: readonly string[] | null
}

export type Staged<T> = { ok: true; value: T } | { ok: false; message: string }

/** The header-stage checks of StreamLoadAction::_on_header (before begin_txn). */
export function checkHeaderStage(h: Headers, bodyBytes: number | null): Staged<'json' | 'csv'> {
  const format = (h.get('format') ?? 'csv').toLowerCase()
  const compress = h.get('compress_type') ?? ''
  if (compress !== '' && format === 'json') {
    return fail('[INTERNAL_ERROR]compress data of JSON format is not supported.')
  }
  if (
    ![
      'csv',
      'json',
      'csv_with_names',
      'csv_with_names_and_types',
      'parquet',
      'orc',
      'arrow',
    ].includes(format)
  ) {
    return fail(`[INTERNAL_ERROR]unknown data format, format=${h.get('format')}`)
  }
  if (!['csv', 'json', 'csv_with_names', 'csv_with_names_and_types'].includes(format)) {
    return fail(`[NOT_IMPLEMENTED_ERROR]format ${format} is not supported by the Doris test server`)
  }
  const byLine = (h.get('read_json_by_line') ?? '').toLowerCase() === 'true'
  if (format === 'json' && !byLine && bodyBytes !== null && bodyBytes > JSON_MAX_BYTES) {
    return fail(
      `[INTERNAL_ERROR]The size of this batch exceed the max size [${JSON_MAX_BYTES}]  of json type data  data [ ${bodyBytes} ]. Split the file, or use 'read_json_by_line'`,
    )
  }
  const timeout = h.get('timeout')
  if (timeout !== null && !/^\s*[+-]?\d+/.test(timeout))
    return fail('[INVALID_ARGUMENT]Invalid timeout format')
  return { ok: true, value: format === 'json' ? 'json' : 'csv' }
}

/** streaming_load_json_max_mb (100 MB). */
export const JSON_MAX_BYTES = 100 * 1024 * 1024

const NOT_EMULATED = [
  'where',
  'jsonpaths',
  'json_root',
  'delete',
  'hidden_columns',
  'temporary_partitions',
  'function_column.sequence_col',
]

/** The plan-stage options (FE streamLoadPut): refusals here abort the txn already begun. */
export function readPlanStage(h: Headers, defaultTimezone: string): Staged<LoadOptions> {
  for (const name of NOT_EMULATED) {
    if (h.has(name)) return notEmulated(`header '${name}'`)
  }
  if ((h.get('merge_type') ?? 'APPEND').toUpperCase() !== 'APPEND')
    return notEmulated('merge_type other than APPEND')
  if (isTrue(h.get('partial_columns'))) return notEmulated('partial_columns')
  if ((h.get('group_commit') ?? 'off_mode') !== 'off_mode') return notEmulated('group_commit')
  if (h.has('compress_type')) return notEmulated('compress_type')
  const strict = h.get('strict_mode')
  if (strict !== null && !['true', 'false'].includes(strict.toLowerCase())) {
    return fail(
      '[ANALYSIS_ERROR]errCode = 2, detailMessage = Invalid strict mode format. Must be bool type',
    )
  }
  const ratio = Number(h.get('max_filter_ratio') ?? '0')
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    return fail(
      '[ANALYSIS_ERROR]errCode = 2, detailMessage = max_filter_ratio must between 0.0 and 1.0.',
    )
  }
  const columns = readColumns(h.get('columns'))
  if (!columns.ok) return columns
  const csv = readCsvOptions(h)
  if (!csv.ok) return csv
  return {
    ok: true,
    value: {
      format: (h.get('format') ?? 'csv').toLowerCase() === 'json' ? 'json' : 'csv',
      readJsonByLine: isTrue(h.get('read_json_by_line')),
      stripOuterArray: isTrue(h.get('strip_outer_array')),
      columns: columns.value,
      ...csv.value,
      maxFilterRatio: ratio,
      strictMode: isTrue(strict),
      timezone: h.get('timezone') ?? defaultTimezone,
      partitions: listHeader(h.get('partitions')),
    },
  }
}

type CsvPart = Pick<
  LoadOptions,
  'columnSeparator' | 'lineDelimiter' | 'enclose' | 'escape' | 'trimDoubleQuotes' | 'skipLines'
>

function readCsvOptions(h: Headers): Staged<CsvPart> {
  const columnSeparator = decodeSeparator(h.get('column_separator') ?? '\t')
  const lineDelimiter = decodeSeparator(h.get('line_delimiter') ?? '\n')
  if (columnSeparator === '' || lineDelimiter === '') {
    return fail(
      '[ANALYSIS_ERROR]errCode = 2, detailMessage = Column separator and line delimiter can not be empty',
    )
  }
  const enclose = h.get('enclose') ?? ''
  const escapeChar = h.get('escape') ?? ''
  if (enclose.length > 1 || escapeChar.length > 1) {
    return fail(
      '[ANALYSIS_ERROR]errCode = 2, detailMessage = enclose and escape must be a single character',
    )
  }
  const format = (h.get('format') ?? 'csv').toLowerCase()
  const headerLines =
    format === 'csv_with_names' ? 1 : format === 'csv_with_names_and_types' ? 2 : 0
  const skip = Number(h.get('skip_lines') ?? '0')
  return {
    ok: true,
    value: {
      columnSeparator,
      lineDelimiter,
      enclose,
      escape: escapeChar,
      trimDoubleQuotes: isTrue(h.get('trim_double_quotes')),
      // skip_lines is ignored for csv_with_names* (reference §3).
      skipLines: headerLines > 0 ? headerLines : Number.isInteger(skip) && skip > 0 ? skip : 0,
    },
  }
}

function readColumns(text: string | null): Staged<string[] | null> {
  const names = listHeader(text)
  if (names === null) return { ok: true, value: null }
  if (names.some((n) => n.includes('=')))
    return notEmulated('derived columns (name=expr) in columns')
  return { ok: true, value: names.map((n) => n.replace(/^`|`$/g, '')) }
}

function listHeader(text: string | null): string[] | null {
  if (text === null || text.trim() === '') return null
  return text.split(',').map((s) => s.trim())
}

function isTrue(v: string | null): boolean {
  return (v ?? '').toLowerCase() === 'true'
}

function fail(message: string): { ok: false; message: string } {
  return { ok: false, message }
}

function notEmulated(what: string): { ok: false; message: string } {
  return fail(`[NOT_IMPLEMENTED_ERROR]${what} is not supported by the Doris test server`)
}
