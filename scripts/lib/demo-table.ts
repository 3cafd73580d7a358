/**
 * @module scripts/lib/demo-table
 * The ClickHouse table the demo and the bench write the generated events into: one column per
 * event field, with a nested object kept as JSON text. Works on 18.16 and newer.
 */
export const DEMO_TABLE_COLUMNS = `
  id UInt64,
  ts DateTime,
  user_id UInt32,
  session UUID,
  event String,
  url String,
  country FixedString(2),
  amount Decimal(12, 2),
  duration_ms UInt32,
  tags Array(String),
  meta String
`

export function createDemoTableSql(database: string, table: string): string[] {
  return [
    `CREATE DATABASE IF NOT EXISTS ${database}`,
    `DROP TABLE IF EXISTS ${database}.${table}`,
    `CREATE TABLE ${database}.${table} (${DEMO_TABLE_COLUMNS}) ENGINE = MergeTree() PARTITION BY toYYYYMMDD(ts) ORDER BY (ts, id)`,
  ]
}

/** The same table for the Doris test server (Doris type names). */
export const DORIS_DEMO_COLUMNS = [
  { name: 'id', type: 'BIGINT', nullable: false },
  { name: 'ts', type: 'DATETIME' },
  { name: 'user_id', type: 'INT' },
  { name: 'session', type: 'VARCHAR(36)' },
  { name: 'event', type: 'VARCHAR(32)' },
  { name: 'url', type: 'STRING' },
  { name: 'country', type: 'CHAR(2)' },
  { name: 'amount', type: 'DECIMAL(12,2)' },
  { name: 'duration_ms', type: 'INT' },
  { name: 'tags', type: 'ARRAY<STRING>' },
  { name: 'meta', type: 'STRING' },
]
