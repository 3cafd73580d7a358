/**
 * @module ledger/open
 * Opens the ledger named by `ledger.url` (a local file by default, or a libSQL server for several
 * processes), runs the migrations, and hands back the store with an idempotent close. The only
 * ledger module that creates connections or directories.
 */
import { mkdir } from 'node:fs/promises'
import { hostname } from 'node:os'
import { dirname } from 'node:path'
import { type Client, createClient } from '@libsql/client'
import type { Clock } from '../core/clock'
import { withDeadline } from '../core/deadline'
import type { ManifestStore } from '../delivery/manifest'
import { createLibsqlManifestStore } from './manifests'
import { migrate } from './migrate'
import { createLibsqlStore, type LedgerStore } from './store'

export interface LedgerOptions {
  readonly url: string
  readonly actionTimeoutMs: number
  readonly clock: Clock
  /** For a libSQL server. */
  readonly authToken?: string
}

export interface Ledger {
  readonly store: LedgerStore
  /** Exactly-once batch manifests (SPEC §6). */
  readonly manifests: ManifestStore
  readonly url: string
  /** Idempotent. */
  close(): Promise<void>
}

/**
 * A local file call is synchronous inside libsql and blocks the event loop while SQLite waits for
 * another process's lock, so that wait is kept short; a busy error is retried by the caller.
 */
const MAX_BUSY_WAIT_MS = 2000

export async function openLedger(opts: LedgerOptions): Promise<Ledger> {
  const path = localPath(opts.url)
  if (path !== null) await mkdir(dirname(path), { recursive: true })
  const client = createClient({
    url: opts.url,
    timeout: Math.min(MAX_BUSY_WAIT_MS, opts.actionTimeoutMs),
    ...(opts.authToken ? { authToken: opts.authToken } : {}),
  })
  try {
    await withDeadline('ledger open', opts.actionTimeoutMs, async () => {
      // WAL lets readers of other processes proceed while one process writes.
      if (path !== null) await client.execute('PRAGMA journal_mode = WAL')
      await migrate(client, opts.clock.now())
    })
  } catch (e) {
    client.close()
    throw e
  }
  return wrap(client, opts)
}

function wrap(client: Client, opts: LedgerOptions): Ledger {
  let closed = false
  return {
    store: createLibsqlStore(client, opts.actionTimeoutMs),
    manifests: createLibsqlManifestStore(client, opts.actionTimeoutMs),
    url: opts.url,
    close: async () => {
      if (closed) return
      closed = true
      client.close()
    },
  }
}

/** The file behind a `file:` URL, or null for memory and servers. */
export function localPath(url: string): string | null {
  if (!url.startsWith('file:')) return null
  const rest = url.slice('file:'.length).split('?')[0] ?? ''
  return rest.startsWith('//') ? rest.slice(2) : rest
}

/** A claim owner name that is unique per process start: `host:pid:nonce`. */
export function newOwnerId(): string {
  return `${hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`
}

/**
 * True when `owner` names a process on this host that no longer runs, so its claim can be taken
 * at once instead of after its lease. False whenever that is not certain.
 */
export function ownerIsGone(owner: string): boolean {
  const [host, pidText] = owner.split(':')
  const pid = Number(pidText)
  if (host !== hostname() || !Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) {
    return false
  }
  try {
    process.kill(pid, 0)
    return false
  } catch (e) {
    return (e as { code?: unknown }).code === 'ESRCH'
  }
}
