/**
 * @module ledger/patterns
 * The strict patterns of SPEC §9 "Batch-task headers" for identifiers, partition ids and names,
 * and range bounds. Pure; a value that fails them must never reach SQL.
 */
import type { SinkKind } from '../sinks/sink'
import type { RangePartition } from './task'

/** Letters, digits and underscore: nothing that can close a quote. */
export const IDENTIFIER = /^[A-Za-z0-9_]{1,64}$/
/** A ClickHouse `system.parts.partition_id`. */
export const CLICKHOUSE_PARTITION_ID = /^(all|[A-Za-z0-9_-]{1,128})$/
/** A Doris partition name. */
export const DORIS_PARTITION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/
/** A range bound: dates, date-times, numbers. No quote, comma or bracket can appear. */
export const RANGE_BOUND = /^[0-9A-Za-z :.+-]{1,40}$/
export const MAXVALUE = 'MAXVALUE'

export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name)
}

/** A partition as this sink names it: a ClickHouse partition id or a Doris partition name. */
export function isPartitionName(sink: SinkKind, name: string): boolean {
  return (sink === 'clickhouse' ? CLICKHOUSE_PARTITION_ID : DORIS_PARTITION_NAME).test(name)
}

/**
 * Parses `NAME:[LOWER,UPPER)`. The name cannot hold `:` and bounds cannot hold `,` `[` `)`, so the
 * split is unambiguous. MAXVALUE is accepted only as the upper bound: as a lower one the range
 * would be empty.
 */
export function parseRange(sink: SinkKind, text: string): RangePartition | string {
  const colon = text.indexOf(':')
  if (colon < 0) return 'expected NAME:[LOWER,UPPER)'
  const name = text.slice(0, colon)
  const body = text.slice(colon + 1)
  if (!isPartitionName(sink, name)) return 'partition name fails the pattern'
  if (!body.startsWith('[') || !body.endsWith(')')) return 'expected a range [LOWER,UPPER)'
  const bounds = body.slice(1, -1).split(',')
  if (bounds.length !== 2) return 'expected exactly two bounds'
  const [lower = '', upper = ''] = bounds
  if (lower === MAXVALUE || !RANGE_BOUND.test(lower)) return 'lower bound fails the pattern'
  if (upper !== MAXVALUE && !RANGE_BOUND.test(upper)) return 'upper bound fails the pattern'
  return { name, lower, upper }
}

/** `name` in backquotes, for ClickHouse and Doris alike; throws unless it is an identifier. */
export function quoteName(name: string): string {
  if (!isIdentifier(name))
    throw new Error(`invalid identifier ${JSON.stringify(name.slice(0, 80))}`)
  return `\`${name}\``
}

/** `` `db`.`table` `` */
export function quoteTable(database: string, table: string): string {
  return `${quoteName(database)}.${quoteName(table)}`
}

/**
 * `text` between `quote` characters; throws unless it matches `pattern`. Every pattern here
 * excludes quotes and backslashes, so the literal cannot be closed early.
 */
export function quoteLiteral(text: string, pattern: RegExp, quote: "'" | '"'): string {
  if (!pattern.test(text) || text.includes(quote) || text.includes('\\')) {
    throw new Error(`invalid SQL literal ${JSON.stringify(text.slice(0, 80))}`)
  }
  return `${quote}${text}${quote}`
}
