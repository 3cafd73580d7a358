/**
 * @module schema/fast/fast-encoder
 * The byte-level row encoder (DESIGN point 8): scans one message's bytes as a JSON object,
 * validating as it goes, and writes its ClickHouse JSONEachRow row straight into an output
 * buffer: the same row compileRowEncoder + decodeJson would build, byte for byte. Whenever that
 * cannot be proven cheaply it declines (-1), having committed nothing, and the caller takes the
 * slow path, which also decides dead-letter reasons. Never throws per message.
 */
import { dependsOnRouteZone, parseClickHouseType } from '../column-type'
import type { SchemaSnapshot } from '../table-schema'
import { ZoneCache } from '../time-zone'
import { compileConverter, isNullableType } from './compile-converter'
import { VALUE_SLACK } from './converter'
import { type FastRow, utf8 } from './fast-row'
import { newToken } from './json-scan'
import { KeyLevel } from './key-table'
import { MessageScan } from './message-scan'
import { quickSameOf } from './quick-same'
import { type FastColumn, writeRow } from './row-writer'

export const DECLINED = -1

export interface FastEncoderOptions {
  /** The route's IANA time zone for date-times without an offset. */
  readonly timezone: string
}

export interface FastEncoder {
  readonly version: number
  /** True when rows depend on the route's zone (Date, or DateTime without its own zone). */
  readonly usesRouteZone: boolean
  /** Room to reserve for the row of a message of `valueBytes` (declines if a row needs more). */
  maxRowBytes(valueBytes: number): number
  /** Writes the row of src[start, end) at out[pos]; returns where it ends, or DECLINED. */
  encode(src: Uint8Array, start: number, end: number, out: Uint8Array, pos: number): number
}

/** Throws as compileRowEncoder does for unknown types and time zones. */
export function compileFastEncoder(
  snapshot: SchemaSnapshot,
  opts: FastEncoderOptions,
): FastEncoder {
  const ctx = { timezone: opts.timezone, zones: new ZoneCache() }
  ctx.zones.get(opts.timezone)
  const root = new KeyLevel()
  let slots = 0
  const nextSlot = () => slots++
  const perSlot = new Map<number, number>()
  let usesRouteZone = false
  const columns: FastColumn[] = []
  for (const c of snapshot.columns) {
    if (c.defaultKind === 'MATERIALIZED' || c.defaultKind === 'ALIAS') continue
    const type = parseClickHouseType(c.type, c.name)
    usesRouteZone ||= dependsOnRouteZone(type)
    const source = c.source ?? c.name
    const slot = slotOf(root, source, nextSlot)
    perSlot.set(slot, (perSlot.get(slot) ?? 0) + 1)
    columns.push({
      key: utf8(`${JSON.stringify(c.name)}:`),
      nextKey: utf8(`,${JSON.stringify(c.name)}:`),
      slot,
      nullable: isNullableType(type),
      sameKey: source === c.name && !source.includes('.'),
      convert: compileConverter(type, ctx),
      ...quickSameOf(type),
    })
  }
  const fixed = columns.reduce((sum, c) => sum + c.nextKey.length + VALUE_SLACK, 2)
  const multiplicity = Math.max(1, ...perSlot.values())
  const scan = new MessageScan(root, slots)
  const row: FastRow = { src: new Uint8Array(0), out: new Uint8Array(0), pos: 0 }
  const state = { scan, token: newToken(), run: { start: -1, end: -1 } }
  return {
    version: snapshot.version,
    usesRouteZone,
    maxRowBytes: (valueBytes) => 2 * multiplicity * valueBytes + fixed,
    encode(src, start, end, out, pos) {
      if (!scan.scan(src, start, end)) return DECLINED
      row.src = src
      row.out = out
      row.pos = pos
      return writeRow(columns, state, row) ? row.pos : DECLINED
    },
  }
}

/** The slot of a (possibly dotted) source; a dotted source's flat spelling is declined. */
function slotOf(root: KeyLevel, source: string, nextSlot: () => number): number {
  const path = source.split('.')
  if (path.length > 1) root.entry(source, nextSlot, true)
  let level = root
  for (let k = 0; k < path.length - 1; k++) {
    const entry = level.entry(path[k]!, nextSlot)
    entry.child ??= new KeyLevel()
    level = entry.child
  }
  return level.entry(path[path.length - 1]!, nextSlot).slot
}
