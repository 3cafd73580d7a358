/**
 * @module source/packed-consume
 * Reads one batch through the addon's native consumePacked and views it as a PackedBatch, plus
 * the per-message accessors. Builds no object per message unless asked (headersOf); never drops
 * a consumed message, even when librdkafka reports an error in the same batch.
 */
import {
  FLAG_HAS_HEADERS,
  FLAG_NULL_KEY,
  FLAG_NULL_VALUE,
  type KafkaHeader,
  type PackedBatch,
} from './packed-batch'

export interface PackedConsumeOptions {
  /** How long librdkafka may wait to fill the batch (the call resolves in about this time). */
  readonly timeoutMs: number
  /** At most this many messages (5000 measured best). */
  readonly maxMessages: number
  /** A byte written after each value (10 = newline-joined body), or -1 for none. */
  readonly sep: number
}

/** A consumer error from librdkafka (`code` is its error code, e.g. -172 not connected). */
export class PackedConsumeError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message)
    this.name = 'PackedConsumeError'
  }
}

interface NativeError {
  readonly message: string
  readonly code: number
}

type NativeCallback = (
  err: NativeError | null,
  block: ArrayBuffer | null,
  n: number,
  vbytes: number,
  kbytes: number,
  hbytes: number,
  topics: string[],
) => void

interface NativeConsumer {
  setPackedCallback(cb: NativeCallback): void
  consumePacked(timeoutMs: number, maxMessages: number, sep: number): void
}

interface Pending {
  readonly sep: number
  resolve(batch: PackedBatch | null): void
  reject(error: unknown): void
}

/** Per message in the index: f64 offset, f64 timestamp, u32 x3 ends, i32 partition, u16, u8. */
const INDEX_BYTES_PER_MESSAGE = 35

// The call in flight per consumer (one at a time, so batches stay in order).
const inFlight = new WeakMap<object, Pending>()
// An error that arrived together with messages: the messages go out first, the error next call.
const deferred = new WeakMap<object, PackedConsumeError>()
// Consumers whose native side already has the dispatcher. Registered once per consumer: the
// addon keeps it in a V8 Global, and Bun 1.4 never frees one (native/README.md).
const dispatching = new WeakSet<object>()

/**
 * One batch from `consumer` (a KafkaConsumer from loadKafka()), or null when nothing arrived
 * within timeoutMs. Rejects with PackedConsumeError for a consumer error (never a timeout).
 * One call at a time per consumer, so batches stay in order.
 */
export function consumePacked(
  consumer: object,
  opts: PackedConsumeOptions,
): Promise<PackedBatch | null> {
  const pending = deferred.get(consumer)
  if (pending) {
    deferred.delete(consumer)
    return Promise.reject(pending)
  }
  if (inFlight.has(consumer)) {
    return Promise.reject(new Error('consumePacked: a call is already running on this consumer'))
  }
  const native = (consumer as { _client: NativeConsumer })._client
  return new Promise((resolve, reject) => {
    try {
      if (!dispatching.has(consumer)) {
        native.setPackedCallback((...args) => settle(consumer, args))
        dispatching.add(consumer)
      }
      inFlight.set(consumer, { sep: opts.sep, resolve, reject })
      native.consumePacked(opts.timeoutMs, opts.maxMessages, opts.sep)
    } catch (e) {
      inFlight.delete(consumer)
      reject(e)
    }
  })
}

/** The native side's one callback per consumer; must never throw (nothing would catch it). */
function settle(consumer: object, args: Parameters<NativeCallback>): void {
  const [err, block, n, vbytes, kbytes, hbytes, topics] = args
  const call = inFlight.get(consumer)
  if (!call) return
  inFlight.delete(consumer)
  const error = err ? new PackedConsumeError(err.message, err.code) : null
  if (!block) {
    if (error) call.reject(error)
    else call.resolve(null)
    return
  }
  try {
    const batch = decodePacked(block, n, vbytes, kbytes, hbytes, topics, call.sep)
    if (error) deferred.set(consumer, error)
    call.resolve(batch)
  } catch (e) {
    call.reject(e)
  }
}

/** Views a packed block (layout in packed-batch.ts) without copying. Pure. */
export function decodePacked(
  ab: ArrayBuffer,
  n: number,
  vbytes: number,
  kbytes: number,
  hbytes: number,
  topics: readonly string[],
  sep: number,
): PackedBatch {
  const index = Math.ceil((n * INDEX_BYTES_PER_MESSAGE) / 8) * 8
  if (ab.byteLength !== index + vbytes + kbytes + hbytes) {
    throw new RangeError(
      `packed batch of ${n} messages: ${ab.byteLength} bytes, expected ${index + vbytes + kbytes + hbytes}`,
    )
  }
  return {
    count: n,
    topics,
    offsets: new Float64Array(ab, 0, n),
    timestamps: new Float64Array(ab, 8 * n, n),
    valueEnd: new Uint32Array(ab, 16 * n, n),
    keyEnd: new Uint32Array(ab, 20 * n, n),
    headerEnd: new Uint32Array(ab, 24 * n, n),
    partitions: new Int32Array(ab, 28 * n, n),
    topicIndex: new Uint16Array(ab, 32 * n, n),
    flags: new Uint8Array(ab, 34 * n, n),
    values: new Uint8Array(ab, index, vbytes),
    keys: new Uint8Array(ab, index + vbytes, kbytes),
    headerBytes: new Uint8Array(ab, index + vbytes + kbytes, hbytes),
    sep,
  }
}

/** Message i's value (a view into the batch), or null for a null value. */
export function valueBytes(b: PackedBatch, i: number): Uint8Array | null {
  if (b.flags[i]! & FLAG_NULL_VALUE) return null
  const start = i === 0 ? 0 : b.valueEnd[i - 1]! + (b.sep >= 0 ? 1 : 0)
  return b.values.subarray(start, b.valueEnd[i])
}

/** Message i's key (a view into the batch), or null for a null key. */
export function keyBytes(b: PackedBatch, i: number): Uint8Array | null {
  if (b.flags[i]! & FLAG_NULL_KEY) return null
  const start = i === 0 ? 0 : b.keyEnd[i - 1]!
  return b.keys.subarray(start, b.keyEnd[i])
}

const utf8 = new TextDecoder()

/** Message i's headers in order (values are views into the batch); [] when it has none. */
export function headersOf(b: PackedBatch, i: number): KafkaHeader[] {
  if (!(b.flags[i]! & FLAG_HAS_HEADERS)) return []
  const bytes = b.headerBytes
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const end = b.headerEnd[i]!
  const headers: KafkaHeader[] = []
  for (let at = i === 0 ? 0 : b.headerEnd[i - 1]!; at < end; ) {
    const nameLength = view.getUint32(at, true)
    const name = utf8.decode(bytes.subarray(at + 4, at + 4 + nameLength))
    at += 4 + nameLength
    const valueLength = view.getInt32(at, true)
    at += 4
    const value = valueLength < 0 ? null : bytes.subarray(at, at + valueLength)
    at += Math.max(valueLength, 0)
    headers.push({ name, value })
  }
  return headers
}
