/**
 * @module config/sink
 * The `sink:` section (SPEC §3): which sink, and its connection. Only the chosen sink's section
 * is required, and it gets the SPEC defaults when omitted; the other is validated if present.
 */

import * as v from 'valibot'
import {
  asMapping,
  HttpUrlSchema,
  intAtLeast,
  mapping,
  NameSchema,
  SecretSchema,
} from './fragments'

const requestTimeout = () =>
  v.optional(intAtLeast(1, 'deadline of one HTTP request to the sink, in ms'), 30_000)

/** The keys both sinks share: who we are to the server and the default database. */
const access = (system: string, defaults: { user: string; database: string }) => ({
  user: v.optional(v.pipe(NameSchema, v.description(`${system} user`)), defaults.user),
  password: v.optional(v.pipe(SecretSchema, v.description(`${system} password`)), ''),
  database: v.optional(
    v.pipe(NameSchema, v.description('database of routes that name none')),
    defaults.database,
  ),
  request_timeout_ms: requestTimeout(),
})

export const ClickHouseSchema = mapping({
  url: v.optional(
    v.pipe(HttpUrlSchema, v.description('ClickHouse HTTP interface')),
    'http://127.0.0.1:8123',
  ),
  ...access('ClickHouse', { user: 'default', database: 'default' }),
  compression: v.optional(
    v.pipe(v.picklist(['none', 'gzip']), v.description('request body compression')),
    'none',
  ),
})

export const DorisSchema = mapping({
  fe_urls: v.optional(
    v.pipe(
      v.array(HttpUrlSchema),
      v.minLength(1, 'expected at least one FE URL'),
      v.description('frontends that take Stream Load and redirect to a backend'),
    ),
    ['http://127.0.0.1:8030'],
  ),
  ...access('Doris', { user: 'root', database: 'demo' }),
  format: v.optional(
    v.pipe(v.picklist(['json', 'csv']), v.description('Stream Load body format')),
    'json',
  ),
})

const sinkType = <const T extends string>(type: T) =>
  v.pipe(v.literal(type), v.description('which sink writes the rows'))

const ClickHouseSection = v.pipe(ClickHouseSchema, v.description('the ClickHouse HTTP sink'))
const DorisSection = v.pipe(DorisSchema, v.description('the Doris Stream Load sink'))

export const SinkSchema = asMapping(
  v.variant('type', [
    v.strictObject({
      type: sinkType('clickhouse'),
      clickhouse: v.optional(ClickHouseSection, {}),
      doris: v.optional(DorisSection),
    }),
    v.strictObject({
      type: sinkType('doris'),
      doris: v.optional(DorisSection, {}),
      clickhouse: v.optional(ClickHouseSection),
    }),
  ]),
)

export type SinkType = SinkConfig['type']
export type SinkConfig = v.InferOutput<typeof SinkSchema>
export type ClickHouseConfig = v.InferOutput<typeof ClickHouseSchema>
export type DorisConfig = v.InferOutput<typeof DorisSchema>
