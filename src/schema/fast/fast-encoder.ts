/**
 * @module schema/fast/fast-encoder
 * The byte-level row encoder (DESIGN point 8): scans one message's bytes as a JSON object,
 * validating as it goes, and writes its ClickHouse JSONEachRow row straight into an output
 * buffer: the same row compileRowEncoder + decodeJson would build, byte for byte. Whenever that
 * cannot be proven cheaply it declines (-1), having committed nothing, and the caller takes the
 * slow path, which also decides dead-letter reasons. Never throws per message.
 */
import type { ColumnType } from '../column-type'
import { parseClickHouseType } from '../column-type'
import type { SchemaSnapshot } from '../table-schema'
import { ZoneCache } from '../time-zone'
import { compileConverter, isNullableType } from './compile-converter'
import { type Converter, VALUE_SLACK } from './converter'
import { type FastRow, utf8, writeBytes } from './fast-row'
import { KIND_NULL, newToken, type Token } from './json-scan'
import { KeyLevel } from './key-table'
import { MessageScan } from './message-scan'

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

interface FastColumn {
  readonly key: Uint8Array
  readonly nextKey: Uint8Array
  readonly slot: number
  readonly nullable: boolean
  readonly convert: Converter
}

const NULL_BYTES = utf8('null')

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
      convert: compileConverter(type, ctx),
    })
  }
  const fixed = columns.reduce((sum, c) => sum + c.nextKey.length + VALUE_SLACK, 2)
  const multiplicity = Math.max(1, ...perSlot.values())
  const scan = new MessageScan(root, slots)
  const row: FastRow = { src: new Uint8Array(0), out: new Uint8Array(0), pos: 0 }
  const token = newToken()
  return {
    version: snapshot.version,
    usesRouteZone,
    maxRowBytes: (valueBytes) => 2 * multiplicity * valueBytes + fixed,
    encode(src, start, end, out, pos) {
      if (!scan.scan(src, start, end)) return DECLINED
      row.src = src
      row.out = out
      row.pos = pos
      return writeRow(columns, scan, token, row) ? row.pos : DECLINED
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

function dependsOnRouteZone(type: ColumnType): boolean {
  switch (type.kind) {
    case 'date':
      return true
    case 'datetime':
    case 'datetime64':
      return type.timezone === null
    case 'nullable':
    case 'low_cardinality':
      return dependsOnRouteZone(type.inner)
    case 'array':
      return dependsOnRouteZone(type.element)
    case 'map':
      return dependsOnRouteZone(type.key) || dependsOnRouteZone(type.value)
    default:
      return false
  }
}

/** Columns in schema order; a missing or null value is left out, or null when Nullable. */
function writeRow(
  columns: readonly FastColumn[],
  scan: MessageScan,
  token: Token,
  row: FastRow,
): boolean {
  const out = row.out
  out[row.pos++] = 0x7b
  let first = true
  for (let k = 0; k < columns.length; k++) {
    const col = columns[k]!
    const present = scan.load(col.slot, token)
    if (!present || token.kind === KIND_NULL) {
      if (!col.nullable) continue
      if (row.pos + col.nextKey.length + 4 > out.length) return false
      writeBytes(row, first ? col.key : col.nextKey)
      writeBytes(row, NULL_BYTES)
    } else {
      if (row.pos + col.nextKey.length + 2 * (token.end - token.start) + VALUE_SLACK > out.length) {
        return false
      }
      writeBytes(row, first ? col.key : col.nextKey)
      if (!col.convert(token, row)) return false
    }
    first = false
  }
  if (row.pos + 1 > out.length) return false
  out[row.pos++] = 0x7d
  return true
}
