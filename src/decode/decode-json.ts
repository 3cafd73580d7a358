/**
 * @module decode/decode-json
 * Turns one message's bytes into a JSON object, once per message on the hot path (SPEC §9:
 * bad UTF-8 and nesting deeper than 64 are invalid_json). Never throws, never rounds a number
 * that a double cannot hold: those become NumberText.
 */
import { isUtf8 } from 'node:buffer'
import { NumberText } from './number-text'

export { NumberText } from './number-text'

export type DecodeResult =
  | { readonly ok: true; readonly value: Record<string, unknown>; readonly text: string }
  | {
      readonly ok: false
      readonly reason: 'invalid_json' | 'not_object'
      readonly detail: string
    }

export const MAX_JSON_DEPTH = 64

const decoder = new TextDecoder()
const REPLACEMENT = '\uFFFD'
/**
 * A run of 16 digits or dots is the only way a number with more significant digits than a
 * double keeps can appear; strings match too, which costs only the slower exact parse.
 */
const LONG_DIGIT_RUN = /[0-9.]{16}/

/** Decodes bytes[start, end) as one JSON object. */
export function decodeJson(bytes: Uint8Array, start: number, end: number): DecodeResult {
  const text = decoder.decode(bytes.subarray(start, end))
  // The decoder replaces bad sequences with U+FFFD; only then is the exact check worth its cost.
  if (text.includes(REPLACEMENT) && !isUtf8(bytes.subarray(start, end))) {
    return { ok: false, reason: 'invalid_json', detail: 'bad UTF-8' }
  }
  return decodeJsonText(text)
}

/** Parses text already known to be valid UTF-16 from valid UTF-8 (e.g. an ASCII slice). */
export function decodeJsonText(text: string): DecodeResult {
  let value: unknown
  try {
    value = LONG_DIGIT_RUN.test(text) ? JSON.parse(text, keepExactNumbers) : JSON.parse(text)
  } catch (err) {
    return { ok: false, reason: 'invalid_json', detail: (err as Error).message }
  }
  if (isTooDeep(text)) {
    return { ok: false, reason: 'invalid_json', detail: `nesting deeper than ${MAX_JSON_DEPTH}` }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'not_object', detail: `a JSON ${jsonKind(value)}, not an object` }
  }
  return { ok: true, value: value as Record<string, unknown>, text }
}

function jsonKind(value: unknown): string {
  if (value === null) return 'null'
  return Array.isArray(value) ? 'array' : typeof value
}

type ReviverContext = { readonly source?: string }

/** JSON.parse reviver: numbers a double would change keep their text (reviver `context.source`). */
function keepExactNumbers(_key: string, value: unknown, context?: ReviverContext): unknown {
  if (typeof value !== 'number' || context?.source === undefined) return value
  return loosesDigits(context.source, value) ? new NumberText(context.source) : value
}

/** True when the number's text has more significant digits than a double keeps (15). */
export function loosesDigits(source: string, value: number): boolean {
  let digits = 0
  let leading = true
  let plainInteger = true
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i)
    if (c === 101 || c === 69) break // e/E: the exponent never costs precision
    if (c === 46) plainInteger = false
    if (c < 48 || c > 57) continue
    if (leading && c === 48) continue
    leading = false
    digits++
  }
  if (digits < 16) return false
  return !(plainInteger && Number.isSafeInteger(value))
}

/**
 * Nesting needs one `{` or `[` per level, so most texts are cleared by counting them with the
 * native indexOf; only a text with more than 64 of them is scanned with string awareness.
 */
function isTooDeep(text: string): boolean {
  if (text.length <= 2 * MAX_JSON_DEPTH) return false
  let opens = countUpTo(text, '{', MAX_JSON_DEPTH + 1)
  if (opens <= MAX_JSON_DEPTH) opens += countUpTo(text, '[', MAX_JSON_DEPTH + 1 - opens)
  return opens > MAX_JSON_DEPTH && maxDepth(text) > MAX_JSON_DEPTH
}

function countUpTo(text: string, char: string, limit: number): number {
  let count = 0
  let at = text.indexOf(char)
  while (at !== -1 && count < limit) {
    count++
    at = text.indexOf(char, at + 1)
  }
  return count
}

/** The deepest nesting of a valid JSON text, skipping brackets inside strings. */
function maxDepth(text: string): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92)
        i++ // backslash: skip the escaped character
      else if (c === 34) inString = false
    } else if (c === 34) inString = true
    else if (c === 123 || c === 91) deepest = Math.max(deepest, ++depth)
    else if (c === 125 || c === 93) depth--
  }
  return deepest
}
