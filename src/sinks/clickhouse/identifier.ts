/**
 * @module sinks/clickhouse/identifier
 * Checks database and table names against a strict pattern and quotes them for SQL. A name that
 * fails the pattern never reaches a statement (18.16 has no `{name:Identifier}` parameters).
 */
import type { TargetRef } from '../../schema/table-schema'

/** Letters, digits and underscore only: no quoting character can ever appear inside. */
export const IDENTIFIER_PATTERN = /^[A-Za-z0-9_]{1,128}$/

export class InvalidIdentifierError extends Error {
  constructor(readonly identifier: string) {
    super(`invalid ClickHouse identifier ${JSON.stringify(identifier.slice(0, 80))}`)
    this.name = 'InvalidIdentifierError'
  }
}

export function isValidIdentifier(name: string): boolean {
  return IDENTIFIER_PATTERN.test(name)
}

/** `name` in backquotes; throws InvalidIdentifierError unless it matches IDENTIFIER_PATTERN. */
export function quoteIdentifier(name: string): string {
  if (!isValidIdentifier(name)) throw new InvalidIdentifierError(name)
  return `\`${name}\``
}

/** `` `db`.`table` `` for a statement. */
export function quoteTarget(target: TargetRef): string {
  return `${quoteIdentifier(target.database)}.${quoteIdentifier(target.table)}`
}
