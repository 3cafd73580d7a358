/**
 * @module sinks/doris/options
 * What the Doris sink needs to run, already validated by config/: the wiring maps the YAML to
 * this. The password lives here only to be sent; it never goes into a log line or an error.
 */

export interface DorisSinkOptions {
  /** FE base URLs, e.g. `http://127.0.0.1:8030`; loads rotate over them. */
  readonly feUrls: readonly string[]
  readonly user: string
  readonly password: string
  /** The database of routes that name none; also where DDL and the probe run. */
  readonly database: string
  /** Stream Load body: the batch's json lines as they are, or CSV made from them. */
  readonly format: 'json' | 'csv'
  /** Upper bound of one HTTP request, from sending to the last byte of the answer. */
  readonly requestTimeoutMs: number
  /** The load's `timezone` header (default UTC); rows already carry wall-clock text. */
  readonly timezone?: string
}
