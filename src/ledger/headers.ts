/**
 * @module ledger/headers
 * Parses the batch-task headers of one message (SPEC §5, §9) into a checked BatchTaskSpec. Pure.
 * Header values are untrusted: anything that fails a rule is `bad` (dead letter bad_batch_header)
 * and no value that did not pass a strict pattern ever leaves this module.
 */

import type { SinkKind } from '../sinks/sink'
import type { KafkaHeader } from '../source/packed-batch'
import { opIdOf } from './op-id'
import { isIdentifier, isPartitionName, parseRange } from './patterns'
import { type BatchTaskSpec, OP_TYPES, type OpType, type RangePartition } from './task'

export interface HeaderContext {
  readonly sinkType: SinkKind
  /** The database of the message's route, used when `op_db` is absent. */
  readonly defaultDatabase: string
  /** True when (db, table) is a fixed route's target or fits a template route of this sinker. */
  isRoutedTarget(database: string, table: string): boolean
}

export type HeaderParse =
  | { readonly kind: 'none' }
  | { readonly kind: 'task'; readonly task: BatchTaskSpec }
  | { readonly kind: 'bad'; readonly detail: string }

const NAMES = ['batch_id', 'op_type', 'op_db', 'op_table', 'op_partition', 'overwrite'] as const
type Name = (typeof NAMES)[number]
type Values = Partial<Record<Name, string>>

/** Bytes of one header value we decode at all; every valid value is far shorter. */
const MAX_VALUE_BYTES = 256
/** Printable ASCII without space: the id is shown by `sinker ledger` and bound as a parameter. */
const BATCH_ID = /^[\x21-\x7e]{1,128}$/

const utf8 = new TextDecoder('utf-8', { fatal: true })

class BadHeader extends Error {}

export function parseBatchHeaders(
  headers: readonly KafkaHeader[],
  ctx: HeaderContext,
): HeaderParse {
  try {
    const values = readValues(headers)
    if (values.batch_id === undefined) return { kind: 'none' }
    return { kind: 'task', task: buildSpec(values, values.batch_id, ctx) }
  } catch (e) {
    if (e instanceof BadHeader) return { kind: 'bad', detail: e.message }
    throw e
  }
}

function readValues(headers: readonly KafkaHeader[]): Values {
  const values: Values = {}
  for (const h of headers) {
    const name = NAMES.find((n) => n === h.name)
    if (name === undefined) continue
    // Two values for one name would let two readers of the message disagree on the task.
    if (values[name] !== undefined) throw new BadHeader(`header ${name} appears more than once`)
    values[name] = decode(name, h.value)
  }
  return values
}

function decode(name: Name, value: Uint8Array | null): string {
  if (value === null) throw new BadHeader(`header ${name} has no value`)
  if (value.byteLength > MAX_VALUE_BYTES) {
    throw new BadHeader(`header ${name} is longer than ${MAX_VALUE_BYTES} bytes`)
  }
  try {
    return utf8.decode(value)
  } catch {
    throw new BadHeader(`header ${name} is not UTF-8`)
  }
}

function buildSpec(values: Values, taskId: string, ctx: HeaderContext): BatchTaskSpec {
  if (!BATCH_ID.test(taskId)) throw new BadHeader('batch_id must be 1-128 printable characters')
  const opType = readOpType(values.op_type)
  const database = values.op_db ?? ctx.defaultDatabase
  const table = values.op_table
  if (table === undefined) throw new BadHeader('op_table is required with batch_id')
  if (!isIdentifier(database)) throw new BadHeader(`op_db ${show(database)} is not an identifier`)
  if (!isIdentifier(table)) throw new BadHeader(`op_table ${show(table)} is not an identifier`)
  if (!ctx.isRoutedTarget(database, table)) {
    throw new BadHeader(`${database}.${table} is not a table this sinker routes to`)
  }
  const partition = values.op_partition ?? ''
  const range = checkPartition(ctx.sinkType, opType, partition)
  const overwrite = readOverwrite(values.overwrite)
  const opId = opIdOf({ opSystem: ctx.sinkType, opType, database, table, partition })
  const target = { database, table }
  const base = { taskId, opSystem: ctx.sinkType, opType, target, partition, overwrite, opId }
  return range ? { ...base, range } : base
}

function readOpType(text: string | undefined): OpType {
  if (text === undefined) throw new BadHeader('op_type is required with batch_id')
  const opType = OP_TYPES.find((t) => t === text)
  if (opType === undefined) throw new BadHeader(`unknown op_type ${show(text)}`)
  return opType
}

function readOverwrite(text: string | undefined): boolean {
  if (text === undefined) return false
  const lower = text.toLowerCase()
  if (lower === 'true' || lower === 'false') return lower === 'true'
  throw new BadHeader(`overwrite must be true or false, not ${show(text)}`)
}

/** Checks op_partition for the op_type; returns the parsed range for add_range_partition. */
function checkPartition(sink: SinkKind, opType: OpType, partition: string): RangePartition | null {
  switch (opType) {
    case 'drop_partition':
      if (!isPartitionName(sink, partition)) throw badPartition(sink, partition)
      return null
    case 'truncate_table':
      // ClickHouse cannot truncate one partition; truncating the whole table instead would
      // destroy data the sender meant to keep.
      if (partition !== '' && sink === 'clickhouse') {
        throw new BadHeader('truncate_table on ClickHouse takes no op_partition')
      }
      if (partition !== '' && !isPartitionName(sink, partition)) throw badPartition(sink, partition)
      return null
    case 'add_range_partition':
      return rangeOf(sink, partition)
    case 'none':
      // Runs nothing, but the partition is still stored and shown: it must be a partition.
      if (partition !== '' && !isPartitionName(sink, partition)) rangeOf(sink, partition)
      return null
  }
}

function rangeOf(sink: SinkKind, partition: string): RangePartition {
  const range = parseRange(sink, partition)
  if (typeof range === 'string') throw new BadHeader(`op_partition ${show(partition)}: ${range}`)
  return range
}

function badPartition(sink: SinkKind, partition: string): BadHeader {
  const what = sink === 'clickhouse' ? 'a ClickHouse partition id' : 'a Doris partition name'
  return new BadHeader(`op_partition ${show(partition)} is not ${what}`)
}

/** A short, quoted excerpt: details go to logs and dead letters, never unbounded. */
function show(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)
}
