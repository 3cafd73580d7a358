/**
 * @module deadletter/file-dead-letter
 * The ndjson file dead letter (SPEC §9): appends one line per message and fsyncs before a write
 * resolves. Writes are serialized, so the lines of two writes never interleave.
 */
import { type FileHandle, mkdir, open } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { DeadLetter } from './dead-letter'
import { type DeadLetterInput, deadLetterLine } from './record'

export function createFileDeadLetter(path: string): DeadLetter {
  let handle: Promise<FileHandle> | undefined
  /** The last write queued: the next starts only after it settled. */
  let tail: Promise<void> = Promise.resolve()
  /** A failed write may have left half a line: the next one starts on a fresh line. */
  let torn = false
  let closing: Promise<void> | undefined

  const openFile = (): Promise<FileHandle> => {
    handle ??= openForAppend(path).catch((err: unknown) => {
      handle = undefined
      throw err
    })
    return handle
  }

  const append = async (text: string): Promise<void> => {
    const file = await openFile()
    try {
      await writeAll(file, Buffer.from(torn ? `\n${text}` : text))
      await file.sync()
      torn = false
    } catch (err) {
      torn = true
      throw err
    }
  }

  return {
    write(records: readonly DeadLetterInput[], signal: AbortSignal): Promise<void> {
      if (closing !== undefined) return Promise.reject(new Error(`dead letter ${path} is closed`))
      if (signal.aborted) return Promise.reject(signal.reason)
      if (records.length === 0) return Promise.resolve()
      const text = records.map(deadLetterLine).join('')
      const run = tail.then(() => {
        signal.throwIfAborted()
        return append(text)
      })
      tail = run.catch(() => undefined)
      return untilAborted(run, signal)
    },
    close(): Promise<void> {
      closing ??= tail.then(async () => {
        const file = await handle?.catch(() => undefined)
        handle = undefined
        await file?.close()
      })
      return closing
    },
  }
}

/** Opens for append, creating the directory; fsyncs the directory so a new file's entry lasts. */
async function openForAppend(path: string): Promise<FileHandle> {
  const dir = dirname(path)
  await mkdir(dir, { recursive: true })
  const file = await open(path, 'a')
  const dirHandle = await open(dir, 'r')
  try {
    await dirHandle.sync()
  } finally {
    await dirHandle.close()
  }
  return file
}

async function writeAll(file: FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0
  while (done < bytes.length) {
    const { bytesWritten } = await file.write(bytes, done, bytes.length - done)
    done += bytesWritten
  }
}

/**
 * Settles with `work`, or rejects with the signal's reason when it aborts first. A write still
 * under way then completes on its own: at worst a record is in the file twice after a replay.
 */
function untilAborted(work: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(
      () => {
        signal.removeEventListener('abort', onAbort)
        resolve()
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(err)
      },
    )
  })
}
