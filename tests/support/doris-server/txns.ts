/**
 * @module tests/support/doris-server/txns
 * Load txns and the per-database label table (reference §5, §6): a label is taken while its txn runs
 * or once committed, free after an abort, forgotten by age or count; precommits expire. Never reads
 * time but from the injected Clock.
 */
import type { Clock } from '../../../src/core/clock'
import type { StoredRow } from './table-store'

export type TxnStatus = 'PREPARE' | 'PRECOMMITTED' | 'COMMITTED' | 'VISIBLE' | 'ABORTED'

export interface Txn {
  readonly id: number
  readonly db: string
  readonly table: string
  readonly label: string
  status: TxnStatus
  rows: number
  bodyHash: string
  /** Rows of a PRECOMMITTED txn, stored when it commits. */
  pending: StoredRow[]
  readonly beganAt: number
  finishedAt: number | null
}

export interface TxnOptions {
  /** `streaming_label_keep_max_second` (default 12 h). */
  readonly labelKeepMs: number
  /** `stream_load_default_precommit_timeout_second` (default 3600 s). */
  readonly precommitTimeoutMs: number
  /** `label_num_threshold` (default 2000; -1 = time only). */
  readonly labelNumThreshold: number
}

export const LABEL_PATTERN = /^[-_A-Za-z0-9:]{1,128}$/

/** ExistingJobStatus for a label in use (reference §4.3: PRECOMMITTED counts as RUNNING). */
export function existingJobStatus(t: Txn): string {
  return t.status === 'COMMITTED' || t.status === 'VISIBLE' ? 'FINISHED' : 'RUNNING'
}

const FINISHED: readonly TxnStatus[] = ['COMMITTED', 'VISIBLE', 'ABORTED']

export class TxnBook {
  readonly #byLabel = new Map<string, Map<string, Txn>>()
  readonly #byId = new Map<number, Txn>()
  #nextId = 1

  constructor(
    private readonly clock: Clock,
    private readonly opts: TxnOptions,
  ) {}

  /** Starts a txn under `label`, or returns the live txn that already holds it. */
  begin(
    db: string,
    table: string,
    label: string,
  ): { ok: true; txn: Txn } | { ok: false; existing: Txn } {
    this.sweep()
    const existing = this.find(db, label)
    if (existing && existing.status !== 'ABORTED') return { ok: false, existing }
    const txn: Txn = {
      id: this.#nextId++,
      db,
      table,
      label,
      status: 'PREPARE',
      rows: 0,
      bodyHash: '',
      pending: [],
      beganAt: this.clock.now(),
      finishedAt: null,
    }
    this.restore(txn)
    return { ok: true, txn }
  }

  /** Puts a txn back as it was (journal replay), or registers a new one. */
  restore(txn: Txn): void {
    const labels = this.#byLabel.get(txn.db) ?? new Map<string, Txn>()
    this.#byLabel.set(txn.db, labels)
    labels.set(txn.label, txn)
    this.#byId.set(txn.id, txn)
    this.#nextId = Math.max(this.#nextId, txn.id + 1)
  }

  setStatus(txn: Txn, status: TxnStatus): void {
    txn.status = status
    if (FINISHED.includes(status)) txn.finishedAt = this.clock.now()
    if (status === 'ABORTED' || status === 'VISIBLE' || status === 'COMMITTED') txn.pending = []
    this.#evictOverThreshold(txn.db)
  }

  find(db: string, label: string): Txn | undefined {
    return this.#byLabel.get(db)?.get(label)
  }

  findById(id: number): Txn | undefined {
    return this.#byId.get(id)
  }

  labels(db: string): Map<string, Txn> {
    this.sweep()
    return new Map(this.#byLabel.get(db) ?? [])
  }

  /** Forgets expired labels and aborts precommitted txns past their timeout; returns those. */
  sweep(): Txn[] {
    const now = this.clock.now()
    const aborted: Txn[] = []
    for (const txn of this.#byId.values()) {
      if (txn.status === 'PRECOMMITTED' && now - txn.beganAt > this.opts.precommitTimeoutMs) {
        this.setStatus(txn, 'ABORTED')
        aborted.push(txn)
      } else if (txn.finishedAt !== null && now - txn.finishedAt > this.opts.labelKeepMs) {
        this.#forget(txn)
      }
    }
    return aborted
  }

  #evictOverThreshold(db: string): void {
    if (this.opts.labelNumThreshold < 0) return
    const finished = [...(this.#byLabel.get(db)?.values() ?? [])]
      .filter((t) => t.finishedAt !== null)
      .sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0) || a.id - b.id)
    for (const t of finished.slice(0, Math.max(0, finished.length - this.opts.labelNumThreshold))) {
      this.#forget(t)
    }
  }

  #forget(txn: Txn): void {
    this.#byId.delete(txn.id)
    const labels = this.#byLabel.get(txn.db)
    if (labels?.get(txn.label) === txn) labels.delete(txn.label)
  }
}
