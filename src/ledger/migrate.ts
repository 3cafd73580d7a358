/**
 * @module ledger/migrate
 * Brings a ledger database to the current schema at open, idempotently: versioned plain SQL, each
 * version applied in one transaction. Safe when several processes open one ledger at once; never
 * drops or rewrites recorded tasks.
 */
import type { Client } from '@libsql/client'

interface Migration {
  readonly version: number
  readonly statements: readonly string[]
}

/** Append only: a released version is never edited, so every ledger converges on one schema. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    statements: [
      `CREATE TABLE IF NOT EXISTS ddl_task (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        create_time INTEGER NOT NULL,
        update_time INTEGER NOT NULL,
        task_id TEXT NOT NULL,
        task_status TEXT NOT NULL CHECK (task_status IN ('Running', 'Succeed', 'Deprecated')),
        overwrite INTEGER NOT NULL,
        op_id TEXT NOT NULL,
        op_system TEXT NOT NULL,
        op_type TEXT NOT NULL,
        op_db TEXT NOT NULL,
        op_table TEXT NOT NULL,
        op_partition TEXT NOT NULL,
        claim_owner TEXT NOT NULL,
        lease_until INTEGER NOT NULL,
        claims INTEGER NOT NULL
      )`,
      'CREATE UNIQUE INDEX IF NOT EXISTS ddl_task_task_id ON ddl_task (task_id)',
      'CREATE INDEX IF NOT EXISTS ddl_task_op_id_status ON ddl_task (op_id, task_status)',
      'CREATE INDEX IF NOT EXISTS ddl_task_status ON ddl_task (task_status)',
    ],
  },
  {
    version: 2,
    statements: [
      `CREATE TABLE IF NOT EXISTS batch_manifest (
        label TEXT PRIMARY KEY,
        topic TEXT NOT NULL,
        partition_id INTEGER NOT NULL,
        first_offset INTEGER NOT NULL,
        last_offset INTEGER NOT NULL,
        row_count INTEGER NOT NULL,
        target_db TEXT NOT NULL,
        target_table TEXT NOT NULL,
        task_id TEXT,
        written INTEGER NOT NULL,
        create_time INTEGER NOT NULL,
        update_time INTEGER NOT NULL
      )`,
      'CREATE INDEX IF NOT EXISTS batch_manifest_partition ON batch_manifest (topic, partition_id, last_offset)',
    ],
  },
]

const VERSIONS_TABLE = `CREATE TABLE IF NOT EXISTS ledger_schema_version (
  version INTEGER PRIMARY KEY,
  applied_at INTEGER NOT NULL
)`

/** Applies every migration not yet recorded; returns the versions this call applied. */
export async function migrate(client: Client, now: number): Promise<number[]> {
  await client.execute(VERSIONS_TABLE)
  const applied = await appliedVersions(client)
  const done: number[] = []
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue
    // IF NOT EXISTS plus INSERT OR IGNORE: a process that raced us to the same version
    // commits first and our transaction becomes a no-op instead of an error.
    await client.batch(
      [
        ...m.statements,
        {
          sql: 'INSERT OR IGNORE INTO ledger_schema_version (version, applied_at) VALUES (?, ?)',
          args: [m.version, now],
        },
      ],
      'write',
    )
    done.push(m.version)
  }
  return done
}

async function appliedVersions(client: Client): Promise<Set<number>> {
  const rs = await client.execute('SELECT version FROM ledger_schema_version')
  return new Set(rs.rows.map((r) => Number(r.version)))
}
