/**
 * @module ledger/op-id
 * The stable identity of a batch task's action (SPEC §5): a hash of (sink type, op_type, op_db,
 * op_table, op_partition). Its format never changes between versions, or overwrite would miss the
 * tasks recorded by an older build.
 */
import { createHash } from 'node:crypto'
import type { SinkKind } from '../sinks/sink'
import type { OpType } from './task'

export interface OpIdParts {
  readonly opSystem: SinkKind
  readonly opType: OpType
  readonly database: string
  readonly table: string
  readonly partition: string
}

/** 32 hex digits of SHA-256 over the parts joined by NUL, which no validated part contains. */
export function opIdOf(parts: OpIdParts): string {
  const text = [parts.opSystem, parts.opType, parts.database, parts.table, parts.partition].join(
    '\u0000',
  )
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 32)
}
