/**
 * @module tests/unit/schema/native/reference
 * What the native run encoder is held to: per message, the JS fast encoder's row, else the slow
 * path's (decodeJson + compileRowEncoder), else null (the message is refused, so the native side
 * must decline it). Also packs messages as a packed batch's value region. Test support only.
 */
import { decodeJson } from '../../../../src/decode/decode-json'
import { compileFastEncoder, DECLINED } from '../../../../src/schema/fast/fast-encoder'
import { compileNativeEncoder } from '../../../../src/schema/native/native-encoder'
import { compileRowEncoder } from '../../../../src/schema/row-encoder'
import type { RunEncoder, RunInput } from '../../../../src/schema/run-encoder'
import type { ColumnDef, SchemaSnapshot } from '../../../../src/schema/table-schema'

export const snapshot = (columns: ColumnDef[]): SchemaSnapshot => ({
  target: { database: 'db', table: 't' },
  version: 3,
  columns,
})

const encoder = new TextEncoder()

export interface Reference {
  /** The JS fast encoder's row (no newline), or null when it declines. */
  readonly fast: Uint8Array | null
  /** The slow path's row, or null when it refuses the message. */
  readonly slow: Uint8Array | null
}

export interface Encoders {
  readonly native: RunEncoder
  reference(bytes: Uint8Array): Reference
}

/** Compiled once per schema and zone and reused, as the pipeline does. */
const compiled = new Map<string, Encoders>()

export function encoders(columns: ColumnDef[], timezone: string): Encoders {
  const key = `${timezone} ${JSON.stringify(columns)}`
  let pair = compiled.get(key)
  if (pair === undefined) {
    pair = compile(columns, timezone)
    compiled.set(key, pair)
  }
  return pair
}

function compile(columns: ColumnDef[], timezone: string): Encoders {
  const snap = snapshot(columns)
  const native = compileNativeEncoder(snap, { timezone })
  if (native === null) throw new Error('rowcodec.node did not load: run scripts/build-addon')
  const fast = compileFastEncoder(snap, { timezone })
  const slow = compileRowEncoder(snap, { timezone })
  const fastRow = (bytes: Uint8Array) => {
    const out = new Uint8Array(fast.maxRowBytes(bytes.length) + 16)
    const end = fast.encode(bytes, 0, bytes.length, out, 0)
    return end === DECLINED ? null : out.slice(0, end)
  }
  const slowRow = (bytes: Uint8Array) => {
    const d = decodeJson(bytes, 0, bytes.length)
    if (!d.ok) return null
    let text: unknown
    try {
      text = slow.encode(d.value)
    } catch (err) {
      // Far-off epochs in a zone with rules make ZoneOffsets throw (Intl refuses the date):
      // a refusal as far as the native side is concerned.
      if (err instanceof RangeError) return null
      throw err
    }
    return typeof text === 'string' ? encoder.encode(text) : null
  }
  return { native, reference: (bytes) => ({ fast: fastRow(bytes), slow: slowRow(bytes) }) }
}

/** Messages back to back, each followed by `sep` when sep >= 0, as a packed batch holds them. */
export function pack(messages: readonly Uint8Array[], sep: number, flags?: Uint8Array): RunInput {
  const gap = sep >= 0 ? 1 : 0
  const values = new Uint8Array(messages.reduce((n, m) => n + m.length + gap, 0))
  const valueEnd = new Uint32Array(messages.length)
  let p = 0
  messages.forEach((m, i) => {
    values.set(m, p)
    p += m.length
    valueEnd[i] = p
    if (gap) values[p++] = sep
  })
  return { values, valueEnd, flags: flags ?? new Uint8Array(messages.length), sep }
}
