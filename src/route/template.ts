/**
 * @module route/template
 * `${path}` templates of table and database names (SPEC §9 "Templates"). Parsing happens once at
 * start; resolving reads fields of the decoded message and validates the result as an identifier,
 * so no message text ever reaches SQL unvalidated.
 */
import { NumberText } from '../decode/number-text'

const IDENT = /^[A-Za-z0-9_]{1,64}$/
const PLACEHOLDER = /\$\{([^}]*)\}/g
/** An integer a double cannot hold, kept as its JSON text by the decoder (NumberText). */
const INTEGER_TEXT = /^-?[0-9]+$/

type Part = { readonly literal: string } | { readonly path: readonly string[] }

export interface Template {
  readonly text: string
  readonly parts: readonly Part[]
  /** True when the template holds no placeholder (a fixed name). */
  readonly fixed: boolean
}

export type Resolved =
  | { readonly ok: true; readonly name: string }
  | { readonly ok: false; readonly missing: boolean; readonly detail: string }

/** Parses a template; throws with a reason when it is malformed. */
export function parseTemplate(text: string): Template {
  const parts: Part[] = []
  let last = 0
  for (const m of text.matchAll(PLACEHOLDER)) {
    const path = (m[1] ?? '').split('.')
    if (path.some((p) => p.length === 0)) throw new Error(`empty field name in "${m[0]}"`)
    if (m.index > last) parts.push({ literal: text.slice(last, m.index) })
    parts.push({ path })
    last = m.index + m[0].length
  }
  if (last < text.length) parts.push({ literal: text.slice(last) })
  for (const p of parts) {
    if ('literal' in p && !/^[A-Za-z0-9_]*$/.test(p.literal)) {
      throw new Error(`"${text}" may hold only letters, digits, _ and \${field} placeholders`)
    }
  }
  const fixed = parts.every((p) => 'literal' in p)
  if (fixed && !IDENT.test(text)) throw new Error(`"${text}" is not a valid identifier`)
  return { text, parts, fixed }
}

/** Reads a dotted path from a decoded message. */
export function readPath(obj: Record<string, unknown>, path: readonly string[]): unknown {
  let v: unknown = obj
  for (const key of path) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined
    v = (v as Record<string, unknown>)[key]
  }
  return v
}

/** The field's text when it may name a target: a non-empty string or an integer (SPEC §9). */
function keyText(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v
  if (typeof v === 'number') return Number.isSafeInteger(v) ? String(v) : undefined
  // Beyond 2^53 an integer is named by its exact digits, never by a rounded double.
  if (v instanceof NumberText && INTEGER_TEXT.test(v.text)) return v.text
  return undefined
}

export function resolveTemplate(t: Template, obj: Record<string, unknown>): Resolved {
  if (t.fixed) return { ok: true, name: t.text }
  let name = ''
  for (const p of t.parts) {
    if ('literal' in p) {
      name += p.literal
      continue
    }
    const v = readPath(obj, p.path)
    if (v === undefined || v === null) {
      return { ok: false, missing: true, detail: `field ${p.path.join('.')} is missing` }
    }
    const text = keyText(v)
    if (text === undefined) {
      return {
        ok: false,
        missing: false,
        detail: `field ${p.path.join('.')} must be a non-empty string or an integer`,
      }
    }
    name += text
  }
  if (!IDENT.test(name)) {
    return {
      ok: false,
      missing: false,
      detail: `resolved name ${JSON.stringify(name.slice(0, 80))} is not a valid identifier`,
    }
  }
  return { ok: true, name }
}
