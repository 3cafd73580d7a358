import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createFileDeadLetter } from '../../../src/deadletter/file-dead-letter'
import type { DeadLetterInput } from '../../../src/deadletter/record'

const root = mkdtempSync(join(tmpdir(), 'sinker-dl-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

let files = 0
const freshPath = () => join(root, `case-${++files}`, 'nested', 'dead-letter.ndjson')
const live = () => new AbortController().signal

function record(detail: string, offset: number, value: Uint8Array | null = null): DeadLetterInput {
  return {
    reason: 'not_object',
    detail,
    topic: 'events',
    partition: 0,
    offset,
    timestamp: 1000,
    key: null,
    headers: [],
    value: value ?? new TextEncoder().encode(`[${offset}]`),
    now: 0,
  }
}

const readLines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line))

describe('createFileDeadLetter', () => {
  test('creates the directory and appends one ndjson line per record', async () => {
    const path = freshPath()
    const dl = createFileDeadLetter(path)
    await dl.write([record('a', 1), record('b', 2)], live())
    const lines = readLines(path)
    expect(lines.map((l) => [l.detail, l.offset, l.value, l.value_encoding])).toEqual([
      ['a', 1, '[1]', 'utf8'],
      ['b', 2, '[2]', 'utf8'],
    ])
    await dl.close()
  })

  test('records binary values as base64 that read back to the same bytes', async () => {
    const path = freshPath()
    const dl = createFileDeadLetter(path)
    const bytes = new Uint8Array([0, 0xff, 0xfe, 0x80, 10, 13])
    await dl.write([record('bin', 7, bytes)], live())
    await dl.close()
    const [line] = readLines(path)
    expect(line.value_encoding).toBe('base64')
    expect([...Buffer.from(line.value, 'base64')]).toEqual([...bytes])
  })

  test('concurrent writes land whole and in call order, never interleaved', async () => {
    const path = freshPath()
    const dl = createFileDeadLetter(path)
    const writes = Array.from({ length: 20 }, (_, w) =>
      dl.write(
        Array.from({ length: 50 }, (_, i) => record(`w${w}`, w * 1000 + i)),
        live(),
      ),
    )
    await Promise.all(writes)
    await dl.close()
    const lines = readLines(path)
    expect(lines.length).toBe(1000)
    lines.forEach((line, n) => {
      expect(line.detail).toBe(`w${Math.floor(n / 50)}`)
      expect(line.offset).toBe(Math.floor(n / 50) * 1000 + (n % 50))
    })
  })

  test('a write aborted while queued rejects and is not written', async () => {
    const path = freshPath()
    const dl = createFileDeadLetter(path)
    const first = dl.write([record('first', 1)], live())
    const controller = new AbortController()
    const second = dl.write([record('second', 2)], controller.signal).catch((err: Error) => err)
    controller.abort(new Error('deadline'))
    await first
    expect(((await second) as Error).message).toBe('deadline')
    await dl.close()
    expect(readLines(path).map((l) => l.detail)).toEqual(['first'])
  })

  test('appends to an existing file across instances', async () => {
    const path = freshPath()
    const one = createFileDeadLetter(path)
    await one.write([record('one', 1)], live())
    await one.close()
    const two = createFileDeadLetter(path)
    await two.write([record('two', 2)], live())
    await two.close()
    expect(readLines(path).map((l) => l.detail)).toEqual(['one', 'two'])
  })

  test('close waits for writes under way, is idempotent, and refuses later writes', async () => {
    const path = freshPath()
    const dl = createFileDeadLetter(path)
    const pending = dl.write([record('last', 1)], live())
    const closed = dl.close()
    expect(dl.close()).toBe(closed)
    await Promise.all([pending, closed])
    expect(readLines(path).map((l) => l.detail)).toEqual(['last'])
    await expect(dl.write([record('late', 2)], live())).rejects.toThrow('closed')
  })

  test('a write that cannot open the file rejects, and the next write tries again', async () => {
    const blocker = join(root, `blocker-${++files}`)
    const path = join(blocker, 'dead-letter.ndjson')
    await Bun.write(blocker, 'a file where the directory should be')
    const dl = createFileDeadLetter(path)
    await expect(dl.write([record('x', 1)], live())).rejects.toThrow()
    rmSync(blocker)
    await dl.write([record('y', 2)], live())
    await dl.close()
    expect(readLines(path).map((l) => l.detail)).toEqual(['y'])
  })
})
