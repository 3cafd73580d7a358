import { describe, expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHttpApp, type HttpAppDeps } from '../../../src/http/app'
import { createMetrics } from '../../../src/metrics/metrics'

function app(over: Partial<HttpAppDeps> = {}) {
  const metrics = createMetrics({ processMetrics: false })
  metrics.rowsWritten.inc({ table: 'db.events' }, 5)
  let removed = false
  const deps: HttpAppDeps = {
    readiness: () => ({ ready: true, reasons: [] }),
    status: () => ({ consumed: 1 }),
    metrics: metrics.registry,
    heapSnapshot: async () => {
      const path = join(tmpdir(), `heap-test-${process.pid}.heapsnapshot`)
      writeFileSync(path, '{"snapshot":{}}')
      return {
        path,
        remove: async () => {
          removed = true
        },
      }
    },
    debugToken: '',
    ...over,
  }
  return { app: createHttpApp(deps), wasRemoved: () => removed }
}

describe('HTTP routes', () => {
  test('/health answers ok', async () => {
    const res = await app().app.request('/health')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok' })
  })

  test('/ready is 503 with the reasons when not ready', async () => {
    const { app: a } = app({ readiness: () => ({ ready: false, reasons: ['sink: down'] }) })
    const res = await a.request('/ready')
    expect(res.status).toBe(503)
    expect(await res.json()).toEqual({ ready: false, reasons: ['sink: down'] })
  })

  test('/metrics serves the Prometheus text with sinker_ metrics', async () => {
    const res = await app().app.request('/metrics')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/plain')
    expect(await res.text()).toContain('sinker_rows_written_total{table="db.events"} 5')
  })

  test('/status serves the status JSON and / a page', async () => {
    const a = app().app
    expect(await (await a.request('/status')).json()).toEqual({ consumed: 1 })
    expect(await (await a.request('/')).text()).toContain('<title>sinker</title>')
  })

  test('/debug/heap needs the bearer token when one is set, and removes the file', async () => {
    const { app: a, wasRemoved } = app({ debugToken: 's3cret' })
    expect((await a.request('/debug/heap')).status).toBe(401)
    const res = await a.request('/debug/heap', { headers: { Authorization: 'Bearer s3cret' } })
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('{"snapshot":{}}')
    expect(wasRemoved()).toBe(true)
  })
})
