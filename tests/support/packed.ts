/**
 * @module tests/support/packed
 * Builds PackedBatch values in memory for tests of the pipeline, without Kafka: the same typed
 * arrays the native packed consume fills.
 */
import {
  FLAG_HAS_HEADERS,
  FLAG_NULL_KEY,
  FLAG_NULL_VALUE,
  type PackedBatch,
} from '../../src/source/packed-batch'

export interface TestMessage {
  topic: string
  partition: number
  offset: number
  value: string | Uint8Array | null
  key?: string | null
  headers?: Record<string, string>
  timestamp?: number
}

const enc = new TextEncoder()

export function packBatch(messages: readonly TestMessage[], sep = 10): PackedBatch {
  const n = messages.length
  const topics: string[] = []
  const values: number[] = []
  const keys: number[] = []
  const headerBytes: number[] = []
  const b = {
    offsets: new Float64Array(n),
    timestamps: new Float64Array(n),
    partitions: new Int32Array(n),
    topicIndex: new Uint16Array(n),
    flags: new Uint8Array(n),
    valueEnd: new Uint32Array(n),
    keyEnd: new Uint32Array(n),
    headerEnd: new Uint32Array(n),
  }
  messages.forEach((m, i) => {
    let ti = topics.indexOf(m.topic)
    if (ti < 0) ti = topics.push(m.topic) - 1
    b.topicIndex[i] = ti
    b.offsets[i] = m.offset
    b.partitions[i] = m.partition
    b.timestamps[i] = m.timestamp ?? 1_700_000_000_000
    let flags = 0
    if (m.value === null) flags |= FLAG_NULL_VALUE
    else values.push(...(typeof m.value === 'string' ? enc.encode(m.value) : m.value))
    b.valueEnd[i] = values.length
    if (sep >= 0) values.push(sep)
    if (m.key === undefined || m.key === null) flags |= FLAG_NULL_KEY
    else keys.push(...enc.encode(m.key))
    b.keyEnd[i] = keys.length
    if (m.headers && Object.keys(m.headers).length > 0) {
      flags |= FLAG_HAS_HEADERS
      for (const [name, value] of Object.entries(m.headers)) {
        const nb = enc.encode(name)
        const vb = enc.encode(value)
        headerBytes.push(...u32(nb.length), ...nb, ...u32(vb.length), ...vb)
      }
    }
    b.headerEnd[i] = headerBytes.length
    b.flags[i] = flags
  })
  return {
    count: n,
    topics,
    ...b,
    values: Uint8Array.from(values),
    keys: Uint8Array.from(keys),
    headerBytes: Uint8Array.from(headerBytes),
    sep,
  }
}

function u32(x: number): number[] {
  return [x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, (x >>> 24) & 0xff]
}
