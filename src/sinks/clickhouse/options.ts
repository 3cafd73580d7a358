/**
 * @module sinks/clickhouse/options
 * What the ClickHouse sink needs to run, already validated by config/: the wiring maps the YAML to
 * this. The password lives here only to be sent; it never goes into a log line or an error.
 */

export interface ClickHouseSinkOptions {
  /** Base URL of the HTTP interface, e.g. `http://127.0.0.1:8123` (a path prefix is kept). */
  readonly url: string
  readonly user: string
  readonly password: string
  /** The database of routes that name none. */
  readonly database: string
  readonly compression: 'none' | 'gzip'
  /** Upper bound of one HTTP request, from sending to the last byte of the answer. */
  readonly requestTimeoutMs: number
}
