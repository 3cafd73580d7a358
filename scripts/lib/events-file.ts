/**
 * @module scripts/lib/events-file
 * Writes generated events to .cache/events/ once per (count, junk, seed, tenants) and reuses the
 * file afterwards, so demo and bench runs do not pay for generation twice.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type EventOptions, type EventsSummary, eventsText } from './events'
import { CACHE_DIR } from './repo-paths'

export async function generateEventsFile(
  opts: EventOptions,
): Promise<{ path: string; summary: EventsSummary }> {
  const dir = join(CACHE_DIR, 'events')
  mkdirSync(dir, { recursive: true })
  const name = `events-${opts.count}-j${opts.junkEvery ?? 0}-s${opts.seed ?? 1}-t${opts.tenants ?? 0}`
  const path = join(dir, `${name}.ndjson`)
  const meta = join(dir, `${name}.json`)
  if (existsSync(path) && existsSync(meta)) {
    const summary = JSON.parse(readFileSync(meta, 'utf8')) as EventsSummary
    // Files cached before per-tenant totals existed are written again.
    if ((opts.tenants ?? 0) === 0 || summary.perTenant) return { path, summary }
  }
  const { text, summary } = eventsText(opts)
  writeFileSync(path, text)
  writeFileSync(meta, JSON.stringify(summary))
  return { path, summary }
}
