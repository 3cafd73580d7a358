/**
 * @module http/server
 * Binds the Hono app to `server.listen` with Bun.serve. The only file of http/ that opens a socket.
 */
import type { Hono } from 'hono'

export interface HttpServer {
  readonly url: string
  close(): Promise<void>
}

export function parseListen(listen: string): { hostname: string; port: number } {
  const i = listen.lastIndexOf(':')
  const host = listen.slice(0, i).replace(/^\[(.*)\]$/, '$1')
  return { hostname: host || '127.0.0.1', port: Number(listen.slice(i + 1)) }
}

export function startHttpServer(app: Hono, listen: string): HttpServer {
  const { hostname, port } = parseListen(listen)
  const server = Bun.serve({ hostname, port, fetch: app.fetch, idleTimeout: 30 })
  let closed: Promise<void> | undefined
  return {
    url: `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${server.port}`,
    close: () => {
      closed ??= server.stop(true)
      return closed
    },
  }
}
