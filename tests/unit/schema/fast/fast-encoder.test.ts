import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { decodeJson } from '../../../../src/decode/decode-json'
import {
  compileFastEncoder,
  DECLINED,
  type FastEncoder,
} from '../../../../src/schema/fast/fast-encoder'
import { compileRowEncoder, type RowEncoder } from '../../../../src/schema/row-encoder'
import type { ColumnDef, SchemaSnapshot } from '../../../../src/schema/table-schema'
import { ALL_TYPES, anyValue, eventText } from './fast-schema'

const snapshot = (columns: ColumnDef[]): SchemaSnapshot => ({
  target: { database: 'db', table: 't' },
  version: 3,
  columns,
})

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Encoders are compiled once per schema and zone and reused, as the pipeline does. */
const compiled = new Map<string, { slow: RowEncoder; fast: FastEncoder }>()

function encoders(columns: ColumnDef[], zone: string): { slow: RowEncoder; fast: FastEncoder } {
  const key = `${zone} ${JSON.stringify(columns)}`
  let pair = compiled.get(key)
  if (pair === undefined) {
    pair = {
      slow: compileRowEncoder(snapshot(columns), { timezone: zone }),
      fast: compileFastEncoder(snapshot(columns), { timezone: zone }),
    }
    compiled.set(key, pair)
  }
  return pair
}

/** The slow path's row as UTF-8 bytes, or null when it refuses the message. */
function slowRow(columns: ColumnDef[], zone: string, bytes: Uint8Array): Uint8Array | null {
  const d = decodeJson(bytes, 0, bytes.length)
  if (!d.ok) return null
  const row = encoders(columns, zone).slow.encode(d.value)
  return typeof row === 'string' ? encoder.encode(row) : null
}

/** The fast path's row, written at a non-zero position of a dirty buffer; null if declined. */
function fastRow(columns: ColumnDef[], zone: string, bytes: Uint8Array): Uint8Array | null {
  const { fast } = encoders(columns, zone)
  const src = new Uint8Array(bytes.length + 7).fill(0x7b)
  src.set(bytes, 3)
  const out = new Uint8Array(fast.maxRowBytes(bytes.length) + 5).fill(0x2c)
  const end = fast.encode(src, 3, 3 + bytes.length, out, 5)
  return end === DECLINED ? null : out.slice(5, end)
}

/** Bytes of an event, sometimes damaged: truncated, bad UTF-8, a BOM, trailing garbage. */
const eventBytes = fc.tuple(eventText, fc.integer({ min: 0, max: 12 })).map(([text, damage]) => {
  const bytes = encoder.encode(text)
  if (damage === 1) return bytes.subarray(0, Math.max(0, bytes.length - 3))
  if (damage === 2) return Uint8Array.from([...bytes.subarray(0, 4), 0xff, ...bytes.subarray(4)])
  if (damage === 3) return Uint8Array.from([0xef, 0xbb, 0xbf, ...bytes])
  if (damage === 4) return encoder.encode(`${text} x`)
  if (damage === 5) return encoder.encode(`[${text}]`)
  return bytes
})

const zone = fc.constantFrom('UTC', 'Europe/Berlin', 'America/Sao_Paulo', 'Asia/Kolkata')

describe('compileFastEncoder', () => {
  test('either declines or writes byte for byte the slow path row, for random events', () => {
    let accepted = 0
    let total = 0
    fc.assert(
      fc.property(eventBytes, zone, (bytes, tz) => {
        total++
        const fast = fastRow(ALL_TYPES, tz, bytes)
        if (fast === null) return
        accepted++
        const slow = slowRow(ALL_TYPES, tz, bytes)
        expect(slow === null ? null : decoder.decode(slow)).toBe(decoder.decode(fast))
        expect(slow).toEqual(fast)
      }),
      { numRuns: 10_000 },
    )
    // The property is only worth something if the fast path takes a fair share of them.
    expect(accepted / total).toBeGreaterThan(0.05)
  }, 60_000)

  test('each column type alone: declines or agrees, for single values of every kind', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL_TYPES.filter((c) => !c.source)),
        anyValue,
        zone,
        (col, value, tz) => {
          const bytes = encoder.encode(`{"${col.name}":${value}}`)
          const fast = fastRow([col], tz, bytes)
          if (fast === null) return
          const slow = slowRow([col], tz, bytes)
          expect(slow === null ? null : decoder.decode(slow)).toBe(decoder.decode(fast))
        },
      ),
      { numRuns: 30_000 },
    )
  }, 60_000)
})
