/**
 * @module tests/support/doris-server/json-value
 * Lossless JSON for load bodies: numbers keep their source text, so BIGINT and DECIMAL values
 * beyond a double land exactly. Pure; never rounds a number through a double before a cast.
 */

/** A JSON number as it was written in the body. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

export type RawValue =
  | null
  | boolean
  | string
  | JsonNumber
  | RawValue[]
  | { [key: string]: RawValue }

type SourceReviver = (key: string, value: unknown, context: { source?: string }) => unknown

const keepNumberText: SourceReviver = (_key, value, context) =>
  typeof value === 'number' ? new JsonNumber(context.source ?? String(value)) : value

/** JSON.parse with every number kept as its text (Bun implements the reviver `source`). */
export function parseJsonLossless(text: string): RawValue {
  return JSON.parse(text, keepNumberText as Parameters<typeof JSON.parse>[1]) as RawValue
}

export function isJsonObject(v: RawValue | undefined): v is { [key: string]: RawValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber)
}

/** Compact JSON text of a raw value, numbers exactly as received. */
export function compactJson(v: RawValue): string {
  if (v instanceof JsonNumber) return v.text
  if (Array.isArray(v)) return `[${v.map(compactJson).join(',')}]`
  if (isJsonObject(v)) {
    const members = Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${compactJson(x)}`)
    return `{${members.join(',')}}`
  }
  return JSON.stringify(v)
}

/** The value as plain JS data (what a JSON column holds); numbers become JS numbers. */
export function plainJson(v: RawValue): unknown {
  if (v instanceof JsonNumber) return Number(v.text)
  if (Array.isArray(v)) return v.map(plainJson)
  if (isJsonObject(v)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plainJson(x)]))
  }
  return v
}
