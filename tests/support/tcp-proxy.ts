/**
 * @module tests/support/tcp-proxy
 * A loopback TCP proxy that a test can take down and bring back up on the same port, to play a
 * sink (or a broker) that goes away and returns.
 */
import type { Socket, TCPSocketListener } from 'bun'
import { freePort } from '../../scripts/lib/ports'

export interface TcpProxy {
  readonly port: number
  down(): void
  up(): void
  close(): void
}

type Side = { peer?: Socket<Side>; pending: Uint8Array[] }

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
          client.data = { pending: [] }
          open.add(client)
          try {
            const upstream = await Bun.connect<Side>({
              hostname: '127.0.0.1',
              port: targetPort,
              socket: {
                data: (_s, chunk) => void client.write(chunk),
                close: () => void client.end(),
                error: () => void client.end(),
              },
            })
            upstream.data = { peer: client, pending: [] }
            open.add(upstream)
            client.data.peer = upstream
            for (const c of client.data.pending) upstream.write(c)
            client.data.pending = []
          } catch {
            client.end()
          }
        },
        data(client, chunk) {
          if (client.data.peer) client.data.peer.write(chunk)
          else client.data.pending.push(new Uint8Array(chunk))
        },
        close(client) {
          client.data.peer?.end()
          open.delete(client)
        },
        error(client) {
          client.data.peer?.end()
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
