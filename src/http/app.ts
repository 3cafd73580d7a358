/**
 * @module http/app
 * The Hono app of SPEC §7. It only reads state through the functions it is given, so tests call
 * `app.request()` without a socket. Never serves secrets: status comes from the pipeline's view
 * and config only through redactConfig.
 */
import { Hono } from 'hono'
import type { Registry } from 'prom-client'
import { statusPage } from './status-page'

export interface Readiness {
  readonly ready: boolean
  readonly reasons: readonly string[]
}

export interface HttpAppDeps {
  readiness(): Readiness
  status(): unknown
  metrics: Registry
  /** Writes a V8 heap snapshot and returns its path; the app deletes it after sending. */
  heapSnapshot(): Promise<{ path: string; remove(): Promise<void> }>
  /** When non-empty, /debug/* requires `Authorization: Bearer <token>`. */
  debugToken: string
}

export function createHttpApp(deps: HttpAppDeps): Hono {
  const app = new Hono()
  app.get('/health', (c) => c.json({ status: 'ok' }))
  app.get('/ready', (c) => {
    const r = deps.readiness()
    return r.ready
      ? c.json({ ready: true, reasons: [] })
      : c.json({ ready: false, reasons: r.reasons }, 503)
  })
  app.get('/metrics', async (c) => {
    const text = await deps.metrics.metrics()
    return c.body(text, 200, { 'Content-Type': deps.metrics.contentType })
  })
  app.get('/status', (c) => c.json(deps.status() as object))
  app.get('/', (c) => c.html(statusPage))
  app.use('/debug/*', async (c, next) => {
    if (deps.debugToken && c.req.header('Authorization') !== `Bearer ${deps.debugToken}`) {
      return c.json({ error: 'unauthorized' }, 401)
    }
    await next()
  })
  app.get('/debug/heap', async (c) => {
    const snap = await deps.heapSnapshot()
    const file = Bun.file(snap.path)
    const body = await file.arrayBuffer()
    await snap.remove()
    return c.body(body, 200, {
      'Content-Type': 'application/octet-stream',
      'Content-Disposition': `attachment; filename="sinker-${Date.now()}.heapsnapshot"`,
    })
  })
  app.notFound((c) => c.json({ error: 'not found' }, 404))
  return app
}
