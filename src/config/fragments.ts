/**
 * @module config/fragments
 * Schema pieces shared by several config sections: secrets, retry policy, URLs, regexes,
 * host:port. Pure validation only; never reads files, the clock or the environment.
 */

import * as v from 'valibot'
import { Secret } from './secret'

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

// valibot's object schemas accept arrays (an array is an object), which turns a YAML list typed
// where a mapping belongs into a cascade of "unknown key 0" issues; this check comes first.
const MappingSchema = v.custom<Record<string, unknown>>(isMapping, 'expected a mapping')

/** A `v.strictObject` that reports a list or scalar in its place as one issue. */
export function mapping<const TEntries extends v.ObjectEntries>(entries: TEntries) {
  return v.pipe(MappingSchema, v.strictObject(entries))
}

/** Wraps any object-like schema (a variant) in the same mapping check. */
export function asMapping<const TSchema extends v.GenericSchema<Record<string, unknown>>>(
  schema: TSchema,
) {
  return v.pipe(MappingSchema, schema)
}

/** A secret string; parses into a `Secret` so it can never be printed by accident. */
export const SecretSchema = v.pipe(
  v.string(),
  v.transform((text) => new Secret(text)),
  v.description('a secret; shown everywhere as **REDACTED**'),
)

/** An integer of at least `min` (counts, bytes, milliseconds). */
export function intAtLeast(min: number, description: string) {
  return v.pipe(v.number(), v.integer(), v.minValue(min), v.description(description))
}

export const RetrySchema = mapping({
  max_attempts: v.optional(intAtLeast(0, 'attempts per batch before exit 1; 0 = no limit'), 0),
  initial_backoff_ms: v.optional(intAtLeast(1, 'first backoff, in ms (full jitter)'), 500),
  max_backoff_ms: v.optional(intAtLeast(1, 'backoff cap, in ms'), 30_000),
})

export type RetryConfig = v.InferOutput<typeof RetrySchema>

/** A non-empty string without surrounding blanks: names, topics, users. */
export const NameSchema = v.pipe(
  v.string(),
  v.minLength(1, 'expected a non-empty string'),
  v.check((text) => text.trim() === text, 'expected no leading or trailing blanks'),
)

export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text)
    return url.protocol === 'http:' || url.protocol === 'https:'
  } catch {
    return false
  }
}

export const HttpUrlSchema = v.pipe(
  v.string(),
  v.check(isHttpUrl, 'expected an http:// or https:// URL'),
)

export function isValidRegex(text: string): boolean {
  try {
    new RegExp(text)
    return true
  } catch {
    return false
  }
}

export const RegexSchema = v.pipe(
  v.string(),
  v.check(isValidRegex, 'expected a valid regular expression'),
)

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/

/** Splits `host:port` (IPv6 in brackets); null when malformed or the port is out of range. */
export function parseHostPort(text: string): { host: string; port: number } | null {
  const match = HOST_PORT.exec(text)
  if (!match) return null
  const port = Number(match[2])
  if (port > 65_535) return null
  return { host: (match[1] ?? '').replace(/^\[|\]$/g, ''), port }
}

export const HostPortSchema = v.pipe(
  v.string(),
  v.check((text) => parseHostPort(text) !== null, 'expected host:port, port 0-65535'),
)
