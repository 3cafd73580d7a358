/**
 * @module ledger/manifests
 * The libSQL ManifestStore: exactly-once batch manifests in the ledger's `batch_manifest` table.
 * Recording is an insert that yields to an existing label, so a replay or a second process
 * recording the same batch changes nothing; every call has a deadline.
 */
import type { Client } from '@libsql/client'
import { and, asc, eq, lt, or } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/libsql'
import { withDeadline } from '../core/deadline'
import type { Manifest, ManifestStore } from '../delivery/manifest'
import { type BatchManifestRow, batchManifest } from './schema'

export function createLibsqlManifestStore(client: Client, timeoutMs: number): ManifestStore {
  const db = drizzle(client)
  const bounded = <T>(what: string, work: () => Promise<T>) =>
    withDeadline(`ledger ${what}`, timeoutMs, () => work())
  return {
    record: (m, now) =>
      bounded('record manifest', async () => {
        await db
          .insert(batchManifest)
          .values({
            label: m.label,
            topic: m.topic,
            partition: m.partition,
            firstOffset: m.firstOffset,
            lastOffset: m.lastOffset,
            rowCount: m.rows,
            targetDb: m.target.database,
            targetTable: m.target.table,
            taskId: m.task ?? null,
            written: m.written,
            createTime: now,
            updateTime: now,
          })
          .onConflictDoNothing({ target: batchManifest.label })
      }),
    markWritten: (label, now) =>
      bounded('mark manifest written', async () => {
        await db
          .update(batchManifest)
          .set({ written: true, updateTime: now })
          .where(eq(batchManifest.label, label))
      }),
    forPartitions: (partitions) =>
      bounded('read manifests', async () => {
        if (partitions.length === 0) return []
        const rows = await db
          .select()
          .from(batchManifest)
          .where(
            or(
              ...partitions.map((p) =>
                and(eq(batchManifest.topic, p.topic), eq(batchManifest.partition, p.partition)),
              ),
            ),
          )
          .orderBy(
            asc(batchManifest.topic),
            asc(batchManifest.partition),
            asc(batchManifest.firstOffset),
          )
        return rows.map(toManifest)
      }),
    prune: (topic, partition, committed) =>
      bounded('prune manifests', async () => {
        const gone = await db
          .delete(batchManifest)
          .where(
            and(
              eq(batchManifest.topic, topic),
              eq(batchManifest.partition, partition),
              lt(batchManifest.lastOffset, committed),
            ),
          )
          .returning({ label: batchManifest.label })
        return gone.length
      }),
  }
}

function toManifest(row: BatchManifestRow): Manifest {
  return {
    label: row.label,
    target: { database: row.targetDb, table: row.targetTable },
    task: row.taskId ?? undefined,
    topic: row.topic,
    partition: row.partition,
    firstOffset: row.firstOffset,
    lastOffset: row.lastOffset,
    rows: row.rowCount,
    written: row.written,
  }
}
