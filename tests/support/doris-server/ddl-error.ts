/**
 * @module tests/support/doris-server/ddl-error
 * The one error type of the SQL and DDL paths: a refused statement carrying Doris' detailMessage,
 * wrapped by the SQL API in its `Failed to execute sql` envelope. Never used for server bugs.
 */

/** A refused statement; `message` is Doris' detailMessage. */
export class DdlError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DdlError'
  }
}

export function syntaxError(detail: string): DdlError {
  return new DdlError(`Syntax error in line 1:\n${detail}`)
}

/** What the server does not emulate is refused by name, never guessed at. */
export function unsupported(what: string): DdlError {
  return new DdlError(`${what} is not supported by the Doris test server`)
}
