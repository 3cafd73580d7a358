import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import {
  FLAG_HAS_HEADERS,
  FLAG_NULL_KEY,
  FLAG_NULL_VALUE,
  type KafkaHeader,
} from '../../../src/source/packed-batch'
import {
  consumePacked,
  decodePacked,
  headersOf,
  keyBytes,
  PackedConsumeError,
  valueBytes,
} from '../../../src/source/packed-consume'

interface Msg {
  topic: string
  partition: number
  offset: number
  timestamp: number
  value: Uint8Array | null
  key: Uint8Array | null
  headers: KafkaHeader[]
}

interface Encoded {
  ab: ArrayBuffer
  n: number
  vbytes: number
  kbytes: number
  hbytes: number
  topics: string[]
}

const enc = new TextEncoder()
const dec = new TextDecoder()
const text = (s: string) => enc.encode(s)

function msg(over: Partial<Msg> = {}): Msg {
  return {
    topic: 'events',
    partition: 0,
    offset: 0,
    timestamp: 1_700_000_000_000,
    value: text('{"a":1}'),
    key: null,
    headers: [],
    ...over,
  }
}

/** Writes messages the way native/src/packed-consume.cc does (the layout in packed-batch.ts). */
function encode(msgs: Msg[], sep: number): Encoded {
  const n = msgs.length
  const topics = [...new Set(msgs.map((m) => m.topic))]
  const headerChunks = msgs.map((m) => m.headers.map(headerChunk))
  const vbytes = msgs.reduce((s, m) => s + (m.value?.length ?? 0) + (sep >= 0 ? 1 : 0), 0)
  const kbytes = msgs.reduce((s, m) => s + (m.key?.length ?? 0), 0)
  const hbytes = headerChunks.flat().reduce((s, c) => s + c.length, 0)
  const index = Math.ceil((n * 35) / 8) * 8
  const ab = new ArrayBuffer(index + vbytes + kbytes + hbytes)
  const view = new DataView(ab)
  const bytes = new Uint8Array(ab)
  let v = index
  let k = index + vbytes
  let h = index + vbytes + kbytes
  msgs.forEach((m, i) => {
    let flags = 0
    view.setFloat64(8 * i, m.offset, true)
    view.setFloat64(8 * n + 8 * i, m.timestamp, true)
    if (m.value) bytes.set(m.value, v)
    else flags |= FLAG_NULL_VALUE
    v += m.value?.length ?? 0
    view.setUint32(16 * n + 4 * i, v - index, true)
    if (sep >= 0) bytes[v++] = sep
    if (m.key) bytes.set(m.key, k)
    else flags |= FLAG_NULL_KEY
    k += m.key?.length ?? 0
    view.setUint32(20 * n + 4 * i, k - index - vbytes, true)
    for (const chunk of headerChunks[i]!) {
      bytes.set(chunk, h)
      h += chunk.length
    }
    if (m.headers.length > 0) flags |= FLAG_HAS_HEADERS
    view.setUint32(24 * n + 4 * i, h - index - vbytes - kbytes, true)
    view.setInt32(28 * n + 4 * i, m.partition, true)
    view.setUint16(32 * n + 2 * i, topics.indexOf(m.topic), true)
    view.setUint8(34 * n + i, flags)
  })
  return { ab, n, vbytes, kbytes, hbytes, topics }
}

function headerChunk(hdr: KafkaHeader): Uint8Array {
  const name = text(hdr.name)
  const value = hdr.value ?? new Uint8Array(0)
  const chunk = new Uint8Array(8 + name.length + value.length)
  const view = new DataView(chunk.buffer)
  view.setUint32(0, name.length, true)
  chunk.set(name, 4)
  view.setInt32(4 + name.length, hdr.value ? hdr.value.length : -1, true)
  chunk.set(value, 8 + name.length)
  return chunk
}

function roundTrip(msgs: Msg[], sep: number) {
  const e = encode(msgs, sep)
  return decodePacked(e.ab, e.n, e.vbytes, e.kbytes, e.hbytes, e.topics, sep)
}

function expectSame(msgs: Msg[], sep: number): void {
  const b = roundTrip(msgs, sep)
  expect(b.count).toBe(msgs.length)
  msgs.forEach((m, i) => {
    expect(b.topics[b.topicIndex[i]!]).toBe(m.topic)
    expect(b.partitions[i]).toBe(m.partition)
    expect(b.offsets[i]).toBe(m.offset)
    expect(b.timestamps[i]).toBe(m.timestamp)
    expect(valueBytes(b, i)).toEqual(m.value)
    expect(keyBytes(b, i)).toEqual(m.key)
    expect(headersOf(b, i)).toEqual(m.headers)
  })
}

describe('decodePacked', () => {
  test('reads back offsets, timestamps, partitions, values and keys of each message', () => {
    expectSame(
      [
        msg({ offset: 41, partition: 3, key: text('k1') }),
        msg({ offset: 2 ** 53 - 1, partition: 0, timestamp: -1, value: text('{"b":"ü"}') }),
      ],
      -1,
    )
  })

  test('tells a null value from an empty one, and a null key from an empty one', () => {
    const msgs = [
      msg({ value: null, key: text('') }),
      msg({ value: new Uint8Array(0), key: null }),
      msg({ value: text('x'), key: text('k') }),
    ]
    const b = roundTrip(msgs, 10)
    expect(valueBytes(b, 0)).toBeNull()
    expect(valueBytes(b, 1)).toEqual(new Uint8Array(0))
    expect(keyBytes(b, 0)).toEqual(new Uint8Array(0))
    expect(keyBytes(b, 1)).toBeNull()
    expectSame(msgs, 10)
  })

  test('with a separator the value region is already the joined body', () => {
    const msgs = [msg({ value: text('{"a":1}') }), msg({ value: text('{"a":2}') })]
    for (const sep of [10, 44]) {
      const b = roundTrip(msgs, sep)
      const joiner = String.fromCharCode(sep)
      expect(dec.decode(b.values)).toBe(`{"a":1}${joiner}{"a":2}${joiner}`)
      expect(dec.decode(valueBytes(b, 1)!)).toBe('{"a":2}')
    }
  })

  test('a null value still takes its separator byte, so later values stay aligned', () => {
    const msgs = [msg({ value: text('a') }), msg({ value: null }), msg({ value: text('c') })]
    const b = roundTrip(msgs, 10)
    expect(dec.decode(b.values)).toBe('a\n\nc\n')
    expect(dec.decode(valueBytes(b, 2)!)).toBe('c')
  })

  test('maps each message to its own topic when a batch spans several', () => {
    expectSame([msg({ topic: 'a' }), msg({ topic: 'b.c' }), msg({ topic: 'a', offset: 1 })], 10)
  })

  test('reads headers in order, with null values, empty values and UTF-8 names', () => {
    const headers = [
      { name: 'batch_id', value: text('b-1') },
      { name: 'op_partition', value: null },
      { name: 'empty', value: new Uint8Array(0) },
      { name: 'é名', value: text('ü') },
      { name: 'batch_id', value: text('dup') },
    ]
    const b = roundTrip([msg(), msg({ headers }), msg()], 10)
    expect(headersOf(b, 0)).toEqual([])
    expect(headersOf(b, 1)).toEqual(headers)
    expect(headersOf(b, 2)).toEqual([])
    expect(b.flags[1]! & FLAG_HAS_HEADERS).toBe(FLAG_HAS_HEADERS)
  })

  test('views the block without copying it', () => {
    const e = encode([msg({ value: text('abc') })], -1)
    const b = decodePacked(e.ab, e.n, e.vbytes, e.kbytes, e.hbytes, e.topics, -1)
    expect(valueBytes(b, 0)!.buffer).toBe(e.ab)
  })

  test('an empty block decodes to an empty batch', () => {
    const b = decodePacked(new ArrayBuffer(0), 0, 0, 0, 0, [], 10)
    expect(b.count).toBe(0)
    expect(b.values.length).toBe(0)
  })

  test('refuses a block whose size does not match the counts it came with', () => {
    const e = encode([msg()], 10)
    expect(() => decodePacked(e.ab, e.n, e.vbytes + 1, e.kbytes, e.hbytes, e.topics, 10)).toThrow(
      RangeError,
    )
  })

  test('round-trips any batch of messages', () => {
    const bytes = fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null })
    const header = fc.record({ name: fc.string({ maxLength: 12 }), value: bytes })
    const message = fc.record({
      topic: fc.constantFrom('t1', 't2', 'ü.t3'),
      partition: fc.integer({ min: 0, max: 1000 }),
      offset: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      timestamp: fc.integer({ min: -1, max: 4_102_444_800_000 }),
      value: bytes,
      key: bytes,
      headers: fc.array(header, { maxLength: 4 }),
    })
    fc.assert(
      fc.property(fc.array(message, { maxLength: 30 }), fc.constantFrom(-1, 10, 44), (msgs, sep) =>
        expectSame(msgs, sep),
      ),
    )
  })
})

type NativeArgs = [
  { message: string; code: number } | null,
  ArrayBuffer | null,
  number,
  number,
  number,
  number,
  string[],
]

/** A consumer whose native consumePacked answers with the queued replies, in order. */
function fakeConsumer(replies: NativeArgs[]) {
  const calls: unknown[][] = []
  let callback: ((...a: NativeArgs) => void) | undefined
  let registrations = 0
  const client = {
    setPackedCallback(cb: (...a: NativeArgs) => void) {
      callback = cb
      registrations++
    },
    consumePacked(...args: unknown[]) {
      calls.push(args)
      const reply = replies.shift()
      if (!reply) throw new TypeError('consumePacked(timeoutMs, maxMessages, sep)')
      queueMicrotask(() => callback?.(...reply))
    },
  }
  return { consumer: { _client: client }, calls, registrations: () => registrations }
}

function batchReply(msgs: Msg[], err: NativeArgs[0] = null): NativeArgs {
  const e = encode(msgs, 10)
  return [err, e.ab, e.n, e.vbytes, e.kbytes, e.hbytes, e.topics]
}

const opts = { timeoutMs: 100, maxMessages: 5000, sep: 10 }

describe('consumePacked', () => {
  test('passes the options to the native call and decodes the batch it returns', async () => {
    const { consumer, calls } = fakeConsumer([batchReply([msg({ offset: 7 })])])
    const b = await consumePacked(consumer, opts)
    expect(calls).toEqual([[100, 5000, 10]])
    expect(b?.count).toBe(1)
    expect(b?.offsets[0]).toBe(7)
  })

  test('registers its native callback once per consumer, however many calls it makes', async () => {
    const { consumer, registrations } = fakeConsumer([
      batchReply([msg()]),
      [null, null, 0, 0, 0, 0, []],
      batchReply([msg()]),
    ])
    for (let i = 0; i < 3; i++) await consumePacked(consumer, opts)
    expect(registrations()).toBe(1)
  })

  test('resolves null when nothing arrived', async () => {
    const { consumer } = fakeConsumer([[null, null, 0, 0, 0, 0, []]])
    expect(await consumePacked(consumer, opts)).toBeNull()
  })

  test('rejects with the librdkafka code when the consumer reports an error', async () => {
    const { consumer } = fakeConsumer([
      [{ message: 'KafkaConsumer is not connected', code: -172 }, null, 0, 0, 0, 0, []],
    ])
    const err = await consumePacked(consumer, opts).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PackedConsumeError)
    expect((err as PackedConsumeError).code).toBe(-172)
  })

  test('an error that came with messages is raised on the next call, after the messages', async () => {
    const error = { message: 'Broker: Unknown topic or partition', code: 3 }
    const { consumer, calls } = fakeConsumer([batchReply([msg(), msg({ offset: 1 })], error)])
    const b = await consumePacked(consumer, opts)
    expect(b?.count).toBe(2)
    const err = await consumePacked(consumer, opts).catch((e: unknown) => e)
    expect((err as PackedConsumeError).code).toBe(3)
    expect(calls.length).toBe(1)
  })

  test('refuses a second call on a consumer while one is running, and allows it after', async () => {
    const { consumer } = fakeConsumer([batchReply([msg()]), batchReply([msg()])])
    const first = consumePacked(consumer, opts)
    await expect(consumePacked(consumer, opts)).rejects.toThrow('already running')
    await first
    expect((await consumePacked(consumer, opts))?.count).toBe(1)
  })

  test('a native call that throws rejects and leaves the consumer usable', async () => {
    const replies: NativeArgs[] = []
    const { consumer } = fakeConsumer(replies)
    await expect(consumePacked(consumer, opts)).rejects.toThrow(TypeError)
    replies.push([null, null, 0, 0, 0, 0, []])
    expect(await consumePacked(consumer, opts)).toBeNull()
  })

  test('a block that does not match its counts rejects instead of throwing in the callback', async () => {
    const [, ab, n, vbytes, kbytes, hbytes, topics] = batchReply([msg()])
    const { consumer } = fakeConsumer([[null, ab, n, vbytes + 1, kbytes, hbytes, topics]])
    await expect(consumePacked(consumer, opts)).rejects.toThrow(RangeError)
  })
})
