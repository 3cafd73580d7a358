/**
 * @module tests/support/tcp-proxy
 * A loopback TCP proxy that a test can take down and bring back up on the same port, to play a
 * sink (or a broker) that goes away and returns. Bytes a socket does not take at once are kept
 * and written on its next drain, in order: a large request body is never cut short.
 */
import type { Socket, TCPSocketListener } from 'bun'
import { freePort } from '../../scripts/lib/ports'

export interface TcpProxy {
  readonly port: number
  down(): void
  up(): void
  close(): void
}

interface Side {
  peer?: Socket<Side>
  /** Bytes from the client before the upstream connection was open. */
  pending: Uint8Array[]
  /** Bytes this socket has not taken yet, in order. */
  backlog: Uint8Array[]
  /** End this socket once its backlog is written (its peer closed). */
  ending: boolean
}

const newSide = (peer?: Socket<Side>): Side => ({
  ...(peer ? { peer } : {}),
  pending: [],
  backlog: [],
  ending: false,
})

/** Writes `chunk` to `to` after whatever it still holds; keeps what it does not take. */
function send(to: Socket<Side>, chunk: Uint8Array): void {
  if (to.data.backlog.length > 0) {
    to.data.backlog.push(new Uint8Array(chunk))
    return
  }
  const written = to.write(chunk)
  if (written < chunk.length) to.data.backlog.push(new Uint8Array(chunk.subarray(written)))
}

function drain(socket: Socket<Side>): void {
  const backlog = socket.data.backlog
  while (backlog.length > 0) {
    const head = backlog[0]!
    const written = socket.write(head)
    if (written < head.length) {
      backlog[0] = head.subarray(written)
      return
    }
    backlog.shift()
  }
  if (socket.data.ending) socket.end()
}

/** Ends `socket` now, or once its backlog is written. */
function endAfterFlush(socket: Socket<Side> | undefined): void {
  if (!socket) return
  if (socket.data.backlog.length === 0) socket.end()
  else socket.data.ending = true
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const port = await freePort()
  const open = new Set<Socket<Side>>()
  let listener: TCPSocketListener<Side> | undefined
  const listen = () => {
    listener = Bun.listen<Side>({
      hostname: '127.0.0.1',
      port,
      socket: {
        async open(client) {
          client.data = newSide()
          open.add(client)
          try {
            const upstream = await Bun.connect<Side>({
              hostname: '127.0.0.1',
              port: targetPort,
              socket: {
                data: (_s, chunk) => send(client, chunk),
                drain,
                close: () => endAfterFlush(client),
                error: () => endAfterFlush(client),
              },
            })
            upstream.data = newSide(client)
            open.add(upstream)
            client.data.peer = upstream
            for (const c of client.data.pending) send(upstream, c)
            client.data.pending = []
          } catch {
            client.end()
          }
        },
        data(client, chunk) {
          if (client.data.peer) send(client.data.peer, chunk)
          else client.data.pending.push(new Uint8Array(chunk))
        },
        drain,
        close(client) {
          endAfterFlush(client.data.peer)
          open.delete(client)
        },
        error(client) {
          endAfterFlush(client.data.peer)
        },
      },
    })
  }
  listen()
  const down = () => {
    listener?.stop(true)
    listener = undefined
    for (const s of open) s.end()
    open.clear()
  }
  return {
    port,
    down,
    up: () => {
      if (!listener) listen()
    },
    close: down,
  }
}
