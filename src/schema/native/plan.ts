/**
 * @module schema/native/plan
 * Compiles a schema snapshot into the plan the native row encoder (native/rowcodec) runs: the
 * key levels a message's keys are matched against (slots, dotted prefixes, flat dotted keys
 * that decline), the columns in order with their `"name":` bytes, and each column's type as a
 * small prefix program. Mirrors compileFastEncoder's layout exactly, so both scan alike. Pure.
 * Layout (little-endian u32 unless noted; bytes = u32 length + bytes):
 *   magic "RCP1", slots, levels L, L x (entries E, E x (key bytes, slot, declines, child|-1)),
 *   columns C, C x (key bytes, slot, nullable, type).
 *   type = kind, then per kind: INT bits signed max-digits min-digits; DECIMAL precision scale;
 *   STRING max-bytes (i64, -1: none); IP version; ENUM n, n x (value, name, quoted name);
 *   DATE/DATETIME/DT64 wide|precision utc min max (i64 days or seconds);
 *   NULLABLE type; ARRAY element-nullable type.
 */
import { type ColumnType, dependsOnRouteZone, parseClickHouseType } from '../column-type'
import { DAY_SECONDS, daysFromCivil } from '../datetime-text'
import { isNullableType } from '../fast/compile-converter'
import type { SchemaSnapshot } from '../table-schema'
import { ZoneOffsets } from '../time-zone'

const MAGIC = 0x31504352
/** Keys per level the native key table holds (as fast/key-table's). */
const MAX_LEVEL_ENTRIES = 256

const T_INT = 1
const T_FLOAT = 2
const T_DECIMAL = 3
const T_BOOL = 4
const T_STRING = 5
const T_UUID = 6
const T_IP = 7
const T_ENUM = 8
const T_DATE = 9
const T_DATETIME = 10
const T_DT64 = 11
const T_NULLABLE = 12
const T_ARRAY = 13
const T_DECLINE = 14

/** The zone names ZoneOffsets treats as UTC: wall-clock text in them needs no zone rules. */
const UTC_NAMES = new Set(['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT'])

const DATE_MAX = 65_535
const DATE32_MIN = daysFromCivil(1900, 1, 1)
const DATE32_MAX = daysFromCivil(2299, 12, 31)
const DATETIME_MAX = 4_294_967_295
const DT64_MIN = DATE32_MIN * DAY_SECONDS
const DT64_MAX = (DATE32_MAX + 1) * DAY_SECONDS - 1

export interface Plan {
  readonly bytes: Uint8Array
  /** True when rows depend on the route's zone (Date, or DateTime without its own zone). */
  readonly usesRouteZone: boolean
}

interface Level {
  readonly entries: Array<{ key: Uint8Array; slot: number; declines: boolean; child: Level | null }>
  readonly byKey: Map<string, number>
  index: number
}

class PlanWriter {
  private buf = new Uint8Array(1024)
  private view = new DataView(this.buf.buffer)
  private n = 0

  u32(v: number): void {
    this.room(4)
    this.view.setUint32(this.n, v >>> 0, true)
    this.n += 4
  }

  i64(v: number): void {
    this.room(8)
    this.view.setBigInt64(this.n, BigInt(v), true)
    this.n += 8
  }

  bytes(b: Uint8Array): void {
    this.u32(b.length)
    this.room(b.length)
    this.buf.set(b, this.n)
    this.n += b.length
  }

  done(): Uint8Array {
    return this.buf.slice(0, this.n)
  }

  private room(k: number): void {
    if (this.n + k <= this.buf.length) return
    const next = new Uint8Array(Math.max(2 * this.buf.length, this.n + k))
    next.set(this.buf)
    this.buf = next
    this.view = new DataView(next.buffer)
  }
}

const utf8 = (text: string) => new TextEncoder().encode(text)

/**
 * The plan of `snapshot` for route zone `timezone`, or null when it has more keys on one level
 * than the native key table holds. Throws as compileFastEncoder does for unknown types and zones.
 */
export function compilePlan(snapshot: SchemaSnapshot, timezone: string): Plan | null {
  new ZoneOffsets(timezone)
  const root = newLevel()
  let slots = 0
  const nextSlot = () => slots++
  let usesRouteZone = false
  const columns: Array<{ key: Uint8Array; slot: number; type: ColumnType }> = []
  for (const c of snapshot.columns) {
    if (c.defaultKind === 'MATERIALIZED' || c.defaultKind === 'ALIAS') continue
    const type = parseClickHouseType(c.type, c.name)
    checkZones(type)
    usesRouteZone ||= dependsOnRouteZone(type)
    const slot = slotOf(root, c.source ?? c.name, nextSlot)
    columns.push({ key: utf8(`${JSON.stringify(c.name)}:`), slot, type })
  }
  const levels = numberLevels(root)
  if (levels.some((l) => l.entries.length > MAX_LEVEL_ENTRIES)) return null
  const w = new PlanWriter()
  w.u32(MAGIC)
  w.u32(slots)
  w.u32(levels.length)
  for (const level of levels) {
    w.u32(level.entries.length)
    for (const e of level.entries) {
      w.bytes(e.key)
      w.u32(e.slot)
      w.u32(e.declines ? 1 : 0)
      w.u32(e.child === null ? -1 : e.child.index)
    }
  }
  w.u32(columns.length)
  for (const c of columns) {
    w.bytes(c.key)
    w.u32(c.slot)
    w.u32(isNullableType(c.type) ? 1 : 0)
    writeType(w, c.type, timezone)
  }
  return { bytes: w.done(), usesRouteZone }
}

function newLevel(): Level {
  return { entries: [], byKey: new Map(), index: -1 }
}

function entryOf(level: Level, key: string, nextSlot: () => number, declines = false) {
  const at = level.byKey.get(key)
  if (at !== undefined) return level.entries[at]!
  const entry = { key: utf8(key), slot: nextSlot(), declines, child: null }
  level.byKey.set(key, level.entries.length)
  level.entries.push(entry)
  return entry
}

/** fast-encoder's slotOf: a dotted source's flat spelling is an entry that declines. */
function slotOf(root: Level, source: string, nextSlot: () => number): number {
  const path = source.split('.')
  if (path.length > 1) entryOf(root, source, nextSlot, true)
  let level = root
  for (let k = 0; k < path.length - 1; k++) {
    const entry = entryOf(level, path[k]!, nextSlot)
    entry.child ??= newLevel()
    level = entry.child
  }
  return entryOf(level, path[path.length - 1]!, nextSlot).slot
}

/** All levels, root first, each given its index. */
function numberLevels(root: Level): Level[] {
  const levels: Level[] = []
  const visit = (level: Level) => {
    level.index = levels.length
    levels.push(level)
    for (const e of level.entries) if (e.child !== null) visit(e.child)
  }
  visit(root)
  return levels
}

function checkZones(type: ColumnType): void {
  if ((type.kind === 'datetime' || type.kind === 'datetime64') && type.timezone !== null) {
    new ZoneOffsets(type.timezone)
  }
  if (type.kind === 'nullable' || type.kind === 'low_cardinality') checkZones(type.inner)
  if (type.kind === 'array') checkZones(type.element)
}

function writeType(w: PlanWriter, type: ColumnType, timezone: string): void {
  switch (type.kind) {
    case 'int': {
      const max = type.signed ? 2n ** BigInt(type.bits - 1) - 1n : 2n ** BigInt(type.bits) - 1n
      w.u32(T_INT)
      w.u32(type.bits)
      w.u32(type.signed ? 1 : 0)
      w.bytes(utf8(String(max)))
      w.bytes(utf8(type.signed ? String(2n ** BigInt(type.bits - 1)) : '0'))
      return
    }
    case 'float':
      w.u32(T_FLOAT)
      return
    case 'decimal':
      w.u32(T_DECIMAL)
      w.u32(type.precision)
      w.u32(type.scale)
      return
    case 'bool':
      w.u32(T_BOOL)
      return
    case 'string':
    case 'json':
    case 'fixed_string':
      w.u32(T_STRING)
      w.i64(
        type.kind === 'fixed_string'
          ? type.bytes
          : type.kind === 'json'
            ? -1
            : (type.maxBytes ?? -1),
      )
      return
    case 'uuid':
      w.u32(T_UUID)
      return
    case 'ip':
      w.u32(T_IP)
      w.u32(type.version)
      return
    case 'enum':
      w.u32(T_ENUM)
      w.u32(type.members.length)
      for (const m of type.members) {
        w.u32(m.value)
        w.bytes(utf8(m.name))
        w.bytes(utf8(JSON.stringify(m.name)))
      }
      return
    case 'date':
      w.u32(T_DATE)
      w.u32(type.wide ? 1 : 0)
      w.u32(UTC_NAMES.has(timezone) ? 1 : 0)
      w.i64(type.wide ? DATE32_MIN : 0)
      w.i64(type.wide ? DATE32_MAX : DATE_MAX)
      return
    case 'datetime':
    case 'datetime64': {
      const utc = UTC_NAMES.has(type.timezone ?? timezone) ? 1 : 0
      const precision = type.kind === 'datetime64' ? type.precision : 0
      const [min, max] = type.kind === 'datetime64' ? dt64Range(precision) : [0, DATETIME_MAX]
      w.u32(type.kind === 'datetime64' ? T_DT64 : T_DATETIME)
      w.u32(precision)
      w.u32(utc)
      w.i64(min)
      w.i64(max)
      return
    }
    case 'low_cardinality':
      writeType(w, type.inner, timezone)
      return
    case 'nullable':
      w.u32(T_NULLABLE)
      writeType(w, type.inner, timezone)
      return
    case 'array':
      w.u32(T_ARRAY)
      w.u32(isNullableType(type.element) ? 1 : 0)
      writeType(w, type.element, timezone)
      return
    case 'map':
      // As the JS fast path: a row holding a Map value is left to the slow path.
      w.u32(T_DECLINE)
      return
  }
}

/** convert-time's DateTime64 range for `precision`: the ticks must fit an Int64. */
function dt64Range(precision: number): [number, number] {
  const ticks = 2 ** 63 / 10 ** precision
  return [Math.max(DT64_MIN, -Math.floor(ticks)), Math.min(DT64_MAX, Math.floor(ticks) - 1)]
}
