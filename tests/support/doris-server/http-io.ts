/**
 * @module tests/support/doris-server/http-io
 * The socket-level tricks: reading a body while counting its bytes (a client that goes away is a
 * result, never an exception), and closing a connection without a single byte of answer.
 */

/**
 * A response whose body stream fails before its first byte: Bun then resets the connection
 * without sending a status line, which is what a crashed server or a dropped link looks like.
 * `error()` without a reason keeps Bun from printing a stack for it.
 */
export function resetConnection(): Response {
  return new Response(
    new ReadableStream({
      start(controller) {
        controller.error()
      },
    }),
  )
}

export type BodyRead = { ok: true; bytes: Uint8Array } | { ok: false; received: number }

/** Reads the whole body; `ok: false` when the client closed or reset the connection midway. */
export async function readBody(req: Request): Promise<BodyRead> {
  if (!req.body) return { ok: true, bytes: new Uint8Array(0) }
  const chunks: Uint8Array[] = []
  let received = 0
  try {
    for await (const chunk of req.body) {
      chunks.push(chunk)
      received += chunk.byteLength
    }
  } catch {
    return { ok: false, received }
  }
  return { ok: true, bytes: Buffer.concat(chunks) }
}
