/**
 * @module tests/unit/config/raw-config
 * Raw (pre-validation) config objects for the config tests: a minimal valid one and a full one
 * with every optional object present. Each call returns a fresh copy the test may change.
 */

import { parseConfig } from '../../../src/config/load'
import { ConfigError } from '../../../src/errors'

export type Raw = Record<string, unknown>

export function minimalRaw(): Raw {
  return {
    kafka: { brokers: ['127.0.0.1:9092'], group_id: 'sinker', topics: ['events'] },
    sink: { type: 'clickhouse' },
    tables: [{ topic: 'events', table: 'events' }],
  }
}

export function fullRaw(): Raw {
  return {
    kafka: {
      brokers: ['127.0.0.1:9092'],
      group_id: 'sinker',
      client_id: 'c1',
      topics: ['events'],
      start_from: 'latest',
      fetch_max_bytes: 1_048_576,
      security: {
        protocol: 'sasl_ssl',
        sasl: { mechanism: 'SCRAM-SHA-512', username: 'u', password: 'kafka-pw' },
      },
      rdkafka: {
        'session.timeout.ms': 6000,
        'ssl.ca.location': '/ca.pem',
        'socket.nagle.disable': true,
      },
    },
    sink: {
      type: 'doris',
      clickhouse: { url: 'http://ch:8123', password: 'ch-pw' },
      doris: { fe_urls: ['http://fe:8030'], user: 'root', password: 'doris-pw', database: 'd' },
    },
    tables: [
      {
        topic: 'events',
        table: 'events',
        schema: 'manual',
        columns: [
          { name: 'id', type: 'UInt64' },
          { name: 'ts', type: 'DateTime', source: 'meta.time' },
        ],
        dynamic_schema: { enabled: false },
      },
    ],
    batch: { max_rows: 10, max_bytes: 2048, max_interval_ms: 100 },
    delivery: { guarantee: 'exactly_once', retry: { max_attempts: 3 }, max_inflight_bytes: 4096 },
    dead_letter: { file: './dlq.ndjson' },
    ledger: { url: 'file:/tmp/ledger.db', action_timeout_ms: 1000 },
    server: { listen: '0.0.0.0:9091', debug_token: 'debug-tok' },
    log: { level: 'debug', format: 'pretty' },
  }
}

/** The `path: message` lines a raw config fails with; empty when it is valid. */
export function issuesOf(raw: unknown): string[] {
  try {
    parseConfig(raw)
    return []
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues]
    throw error
  }
}

/** Sets (or with `undefined`, deletes) the value at a dotted path such as `tables.0.schema`. */
export function setAt(raw: Raw, path: string, value: unknown): Raw {
  const keys = path.split('.')
  const last = keys.pop() ?? ''
  let node = raw as Record<string, unknown>
  for (const key of keys) node = node[key] as Record<string, unknown>
  if (value === undefined) delete node[last]
  else node[last] = value
  return raw
}

/** The value at a dotted path. */
export function getAt(value: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], value)
}
