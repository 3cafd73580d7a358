/**
 * @module delivery/replay-plan
 * Which re-read messages belong to a manifest stored before a crash (SPEC §6 exactly_once), and
 * when such a batch is whole again. Pure: the pipeline loads manifests when partitions are
 * assigned, asks `place` for each row, and dispatches what `progress` completes.
 *
 * The rules, per partition (a manifest holds one partition's rows of one target and batch task):
 * - A manifest whose range ends below the first offset read again is committed: forgotten.
 * - One whose first offset lies below it had that offset acknowledged, and a batch's rows are
 *   acknowledged together, so it was written: settled.
 * - A settled (or stored-as-written) manifest's rows are acknowledged and never sent again.
 * - An unwritten one gathers its rows and is sent with its stored label once the partition has
 *   been read past its last offset. Rows outside every manifest form new batches.
 */
import type { Manifest } from './manifest'

export type Placement =
  /** Not part of any manifest: batch it as usual. */
  | { readonly kind: 'new' }
  /** Part of a batch already written: acknowledge it, never send it again. */
  | { readonly kind: 'settled'; readonly label: string }
  /** Part of an unwritten manifest: gathered here until the batch is whole. */
  | { readonly kind: 'replay'; readonly label: string }

export interface GatheredRow {
  readonly row: string
  readonly topic: string
  readonly partition: number
  readonly offset: number
}

/** A manifest whose partition was read past its last offset, with the rows found again. */
export interface CompletedReplay {
  readonly manifest: Manifest
  readonly rows: readonly GatheredRow[]
  /** The schema version of the last gathered row (the batch's version). */
  readonly version: number
}

interface Entry {
  readonly manifest: Manifest
  readonly key: string
  settled: boolean
  readonly rows: GatheredRow[]
  version: number
}

interface PartitionPlan {
  /** By first offset. */
  entries: Entry[]
  started: boolean
  /** The highest offset read so far (enter). */
  read: number
}

const NEW: Placement = Object.freeze({ kind: 'new' })
const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`

export class ReplayPlan {
  private readonly parts = new Map<string, PartitionPlan>()

  /**
   * The stored manifests of partitions just assigned (those listed in `partitions`), replacing
   * whatever was known of them. `targetKey` names a target as routing does.
   */
  load(
    partitions: readonly { topic: string; partition: number }[],
    manifests: readonly Manifest[],
    targetKey: (m: Manifest) => string,
  ): void {
    for (const p of partitions) this.parts.delete(tpKey(p.topic, p.partition))
    for (const m of manifests) {
      const k = tpKey(m.topic, m.partition)
      let plan = this.parts.get(k)
      if (plan === undefined) {
        plan = { entries: [], started: false, read: -1 }
        this.parts.set(k, plan)
      }
      plan.entries.push({
        manifest: m,
        key: targetKey(m),
        settled: m.written,
        rows: [],
        version: 0,
      })
    }
    for (const plan of this.parts.values()) {
      plan.entries.sort((a, b) => a.manifest.firstOffset - b.manifest.firstOffset)
    }
  }

  /** Revoked: gathered rows are dropped (the tracker forgets their offsets too). */
  forget(topic: string, partition: number): void {
    this.parts.delete(tpKey(topic, partition))
  }

  /**
   * A message of the partition was read (before it is placed or dead-lettered): the first one
   * after assignment tells what was committed (see the module rules).
   */
  enter(topic: string, partition: number, offset: number): void {
    const plan = this.parts.get(tpKey(topic, partition))
    if (plan === undefined) return
    this.start(plan, offset)
    if (offset > plan.read) plan.read = offset
  }

  /** The highest offset of the partition read so far; -1 before any (or without manifests). */
  lastRead(topic: string, partition: number): number {
    return this.parts.get(tpKey(topic, partition))?.read ?? -1
  }

  /** True while the partition has manifests to settle or replay: only then ask place(). */
  has(topic: string, partition: number): boolean {
    return this.parts.has(tpKey(topic, partition))
  }

  /** Where the row of `targetKey` / `task` read at this offset goes. */
  place(
    targetKey: string,
    task: string | undefined,
    topic: string,
    partition: number,
    offset: number,
  ): Placement {
    const plan = this.parts.get(tpKey(topic, partition))
    if (plan === undefined) return NEW
    for (const e of plan.entries) {
      const m = e.manifest
      if (m.firstOffset > offset) break
      if (offset > m.lastOffset || e.key !== targetKey || m.task !== task) continue
      return e.settled ? { kind: 'settled', label: m.label } : { kind: 'replay', label: m.label }
    }
    return NEW
  }

  /** Keeps a row placed as `replay` in its manifest's batch. */
  gather(label: string, row: GatheredRow, version: number): void {
    const plan = this.parts.get(tpKey(row.topic, row.partition))
    const e = plan?.entries.find((x) => x.manifest.label === label)
    if (e === undefined || e.settled) throw new Error(`no unwritten manifest ${label}`)
    e.rows.push(row)
    e.version = version
  }

  /**
   * The partition was read up to and including `offset`: manifests that end there or before are
   * done. Returns the unwritten ones with their gathered rows, to be sent with their labels.
   */
  progress(topic: string, partition: number, offset: number): CompletedReplay[] {
    const k = tpKey(topic, partition)
    const plan = this.parts.get(k)
    if (plan === undefined) return []
    this.start(plan, offset)
    const done: CompletedReplay[] = []
    plan.entries = plan.entries.filter((e) => {
      if (e.manifest.lastOffset > offset) return true
      if (!e.settled && e.rows.length > 0) {
        done.push({ manifest: e.manifest, rows: e.rows, version: e.version })
      }
      return false
    })
    if (plan.entries.length === 0) this.parts.delete(k)
    return done
  }

  /** Manifests still waiting, for /status and tests. */
  pending(): number {
    let n = 0
    for (const plan of this.parts.values()) n += plan.entries.length
    return n
  }

  private start(plan: PartitionPlan, offset: number): void {
    if (plan.started) return
    plan.started = true
    plan.entries = plan.entries.filter((e) => e.manifest.lastOffset >= offset)
    for (const e of plan.entries) if (e.manifest.firstOffset < offset) e.settled = true
  }
}
