/**
 * @module scripts/lib/ports
 * Loopback port checks for the test services: is a port free, pick a free one, does something
 * answer on one. Never binds anything beyond the moment of the check.
 */
import { createConnection, createServer } from 'node:net'

/** True when 127.0.0.1:`port` can be bound right now (0 asks the kernel for any free port). */
export function portIsFree(port: number): Promise<boolean> {
  return listenOnce(port).then((bound) => bound !== null)
}

/** A port the kernel says is free now; another process may still take it before it is used. */
export async function freePort(): Promise<number> {
  const bound = await listenOnce(0)
  if (bound === null) throw new Error('no free loopback port')
  return bound
}

/** `preferred` when it is free, else any free port. */
export async function preferredPort(preferred: number): Promise<number> {
  return (await portIsFree(preferred)) ? preferred : freePort()
}

/** True when a TCP connection to 127.0.0.1:`port` opens within `timeoutMs`. */
export function tcpAnswers(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

function listenOnce(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(null))
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      const address = server.address()
      const bound = typeof address === 'object' && address !== null ? address.port : null
      server.close(() => resolve(bound))
    })
  })
}
