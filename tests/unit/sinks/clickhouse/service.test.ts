import { afterEach, describe, expect, test } from 'bun:test'
import type { Clock } from '../../../../src/core/clock'
import { systemClock } from '../../../../src/core/clock'
import type { HttpRequest } from '../../../../src/sinks/clickhouse/request'
import { createClickHouseService, type FetchFn } from '../../../../src/sinks/clickhouse/service'

/**
 * A raw HTTP/1.1 server that answers the first request of each connection with keep-alive and
 * closes the connection, without an answer, when a second request arrives on it: what 18.16 does
 * to a pooled connection that was idle past its 3 s keep-alive timeout.
 */
function startResettingServer() {
  const state = { connections: 0, requests: 0, resets: 0 }
  const server = Bun.listen<{ buf: string; served: number }>({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      open(socket) {
        state.connections++
        socket.data = { buf: '', served: 0 }
      },
      data(socket, chunk) {
        socket.data.buf += chunk.toString()
        const end = socket.data.buf.indexOf('\r\n\r\n')
        if (end < 0) return
        const head = socket.data.buf.slice(0, end)
        const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0)
        if (socket.data.buf.length < end + 4 + length) return
        socket.data.buf = socket.data.buf.slice(end + 4 + length)
        state.requests++
        if (socket.data.served > 0) {
          state.resets++
          socket.terminate()
          return
        }
        socket.data.served++
        socket.write(
          'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\nKeep-Alive: timeout=3\r\n\r\nok',
        )
      },
    },
  })
  return { url: `http://127.0.0.1:${server.port}/`, state, stop: () => server.stop(true) }
}

const request = (url: string): HttpRequest => ({
  url,
  headers: { 'X-ClickHouse-User': 'u' },
  body: 'SELECT 1',
})
const never = new AbortController().signal

let cleanup: Array<() => void> = []
afterEach(() => {
  for (const fn of cleanup) fn()
  cleanup = []
})

describe('ClickHouse service', () => {
  test('a request that fails on a reused keep-alive connection is sent again at once on a new one', async () => {
    const server = startResettingServer()
    cleanup.push(server.stop)
    const service = createClickHouseService(
      { requestTimeoutMs: 5_000, secret: '' },
      { clock: systemClock },
    )
    cleanup.push(() => service.close())
    const first = await service.execute(request(server.url), never)
    const second = await service.execute(request(server.url), never)
    expect(first).toMatchObject({ kind: 'answer', status: 200, body: 'ok' })
    expect(second).toMatchObject({ kind: 'answer', status: 200, body: 'ok' })
    expect(server.state.resets).toBeGreaterThanOrEqual(1)
    expect(server.state.connections).toBeGreaterThanOrEqual(2)
  })

  test('the retry after a connection failure goes out once, without keep-alive', async () => {
    const calls: BunFetchRequestInit[] = []
    const fetch: FetchFn = async (_url, init) => {
      calls.push(init)
      if (calls.length === 1)
        throw Object.assign(new Error('socket closed'), { code: 'ECONNRESET' })
      return new Response('')
    }
    const service = createClickHouseService(
      { requestTimeoutMs: 5_000, secret: '' },
      { clock: systemClock, fetch },
    )
    const outcome = await service.execute(request('http://fake/'), never)
    expect(outcome).toMatchObject({ kind: 'answer', status: 200 })
    expect(calls.length).toBe(2)
    expect(calls[0]?.keepalive).toBeUndefined()
    expect(calls[1]?.keepalive).toBe(false)
  })

  test('a second connection failure is returned as a failure, not retried again', async () => {
    let calls = 0
    const fetch: FetchFn = async () => {
      calls++
      throw Object.assign(new Error('Unable to connect'), { code: 'ConnectionRefused' })
    }
    const service = createClickHouseService(
      { requestTimeoutMs: 5_000, secret: '' },
      { clock: systemClock, fetch },
    )
    const outcome = await service.execute(request('http://fake/'), never)
    expect(outcome).toEqual({
      kind: 'failure',
      message: 'ConnectionRefused: Unable to connect',
      timedOut: false,
    })
    expect(calls).toBe(2)
  })

  test('a server that never answers times out after requestTimeoutMs and is not retried', async () => {
    let received = 0
    const server = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: () => {
        received++
        return new Promise<Response>(() => {})
      },
    })
    cleanup.push(() => void server.stop(true))
    const service = createClickHouseService(
      { requestTimeoutMs: 300, secret: '' },
      { clock: systemClock },
    )
    cleanup.push(() => service.close())
    const started = performance.now()
    const outcome = await service.execute(request(`http://127.0.0.1:${server.port}/`), never)
    const elapsed = performance.now() - started
    expect(outcome.kind).toBe('failure')
    expect(outcome).toMatchObject({ timedOut: true })
    expect(outcome.kind === 'failure' && outcome.message).toContain('timed out after 300 ms')
    expect(elapsed).toBeGreaterThanOrEqual(250)
    expect(elapsed).toBeLessThan(3_000)
    expect(received).toBe(1)
  })

  test('the timeout is driven by the injected clock', async () => {
    let release: () => void = () => {}
    const clock: Clock = {
      now: () => 0,
      sleep: (_ms, signal) =>
        new Promise<void>((resolve, reject) => {
          release = resolve
          signal?.addEventListener('abort', () => reject(signal.reason), { once: true })
        }),
    }
    const fetch: FetchFn = (_url, init) =>
      new Promise<Response>((_, reject) =>
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason), { once: true }),
      )
    const service = createClickHouseService(
      { requestTimeoutMs: 60_000, secret: '' },
      { clock, fetch },
    )
    const pending = service.execute(request('http://fake/'), never)
    release()
    expect(await pending).toMatchObject({ kind: 'failure', timedOut: true })
  })

  test("the caller's abort ends the request and is not retried", async () => {
    let calls = 0
    const fetch: FetchFn = (_url, init) => {
      calls++
      return new Promise<Response>((_, reject) =>
        init.signal?.addEventListener('abort', () => reject(new Error('aborted by caller')), {
          once: true,
        }),
      )
    }
    const service = createClickHouseService(
      { requestTimeoutMs: 60_000, secret: '' },
      { clock: systemClock, fetch },
    )
    const caller = new AbortController()
    const pending = service.execute(request('http://fake/'), caller.signal)
    caller.abort()
    expect(await pending).toMatchObject({ kind: 'failure', timedOut: false })
    expect(calls).toBe(1)
  })

  test('the password never appears in an answer body or an error message', async () => {
    const secret = 's3cr3t-pw'
    let calls = 0
    const fetch: FetchFn = async () => {
      calls++
      if (calls <= 2) throw new Error(`cannot connect with ${secret}`)
      return new Response(`Code: 193, e.displayText() = DB::Exception: bad ${secret}`, {
        status: 401,
      })
    }
    const service = createClickHouseService(
      { requestTimeoutMs: 5_000, secret },
      { clock: systemClock, fetch },
    )
    const failed = await service.execute(request('http://fake/'), never)
    const answered = await service.execute(request('http://fake/'), never)
    expect(JSON.stringify([failed, answered])).not.toContain(secret)
    expect(JSON.stringify([failed, answered])).toContain('**REDACTED**')
  })

  test('the exception code header of newer servers is passed on', async () => {
    const fetch: FetchFn = async () =>
      new Response('Code: 241. DB::Exception: Memory limit', {
        status: 500,
        headers: { 'X-ClickHouse-Exception-Code': '241' },
      })
    const service = createClickHouseService(
      { requestTimeoutMs: 5_000, secret: '' },
      { clock: systemClock, fetch },
    )
    expect(await service.execute(request('http://fake/'), never)).toMatchObject({
      status: 500,
      exceptionCode: '241',
    })
  })
})
