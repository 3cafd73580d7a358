/**
 * @module config/env-overrides
 * Applies `SINKER__A__B=value` environment overrides to the raw YAML object before validation
 * (SPEC §3). Pure: returns a new object and never mutates its input or reads process.env itself.
 */

import { parse as parseYaml } from 'yaml'

const ENV_PREFIX = 'SINKER__'

// Secrets are opaque text, taken verbatim: read as YAML, `0123` would become a number and
// `p #x` would lose its tail to a comment.
const SECRET_KEYS = new Set(['password', 'debug_token'])

export interface EnvOverrideResult {
  readonly value: unknown
  /** Dotted config path set by each variable, e.g. `kafka.group_id` → `SINKER__KAFKA__GROUP_ID`. */
  readonly sources: ReadonlyMap<string, string>
  /** `NAME: message` lines for variables that could not be applied. */
  readonly issues: readonly string[]
}

type Container = Record<string, unknown> | unknown[]

/** The config path a variable addresses, or a message saying why it addresses none. */
export function envPath(name: string): string[] | string {
  const segments = name.slice(ENV_PREFIX.length).toLowerCase().split('__')
  if (segments.some((segment) => segment === '')) return 'empty path segment'
  const rdkafka = segments[0] === 'kafka' && segments[1] === 'rdkafka'
  if (!rdkafka) return segments
  if (segments.length !== 3) return 'expected exactly one property name below kafka.rdkafka'
  // librdkafka property names use dots, which an environment variable name cannot carry.
  return ['kafka', 'rdkafka', (segments[2] ?? '').replaceAll('_', '.')]
}

/** Applies every `SINKER__` variable of `env` to a copy of `raw`, shortest path first. */
export function applyEnvOverrides(
  raw: unknown,
  env: Record<string, string | undefined>,
): EnvOverrideResult {
  const names = Object.keys(env)
    .filter((name) => name.startsWith(ENV_PREFIX) && env[name] !== undefined)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
  if (names.length === 0) return { value: raw, sources: new Map(), issues: [] }
  if (raw !== null && raw !== undefined && !isMapping(raw)) {
    return { value: raw, sources: new Map(), issues: [] }
  }
  const root = isMapping(raw) ? structuredClone(raw) : {}
  const sources = new Map<string, string>()
  const issues: string[] = []
  for (const name of names) {
    const problem = applyOne(root, name, env[name] ?? '')
    if (typeof problem === 'string') issues.push(`${name}: ${problem}`)
    else sources.set(problem.join('.'), name)
  }
  return { value: root, sources, issues }
}

function applyOne(root: Record<string, unknown>, name: string, text: string): string[] | string {
  const path = envPath(name)
  if (typeof path === 'string') return path
  const value = parseValue(text, path.at(-1) ?? '')
  if (value instanceof Error) return `value is not a YAML scalar or flow list: ${value.message}`
  const problem = setPath(root, path, value)
  return problem ?? path
}

function parseValue(text: string, key: string): unknown {
  if (SECRET_KEYS.has(key)) return text
  try {
    return parseYaml(text)
  } catch (error) {
    return error instanceof Error ? new Error(firstLine(error.message)) : new Error(String(error))
  }
}

/** Sets `value` at `path`, creating mappings (or lists, before an index) on the way. */
function setPath(root: Record<string, unknown>, path: string[], value: unknown): string | null {
  let container: Container = root
  for (const [i, segment] of path.entries()) {
    const last = i === path.length - 1
    const next = path[i + 1]
    const child = last ? value : (childOf(container, segment) ?? emptyFor(next))
    if (!last && !isContainer(child)) {
      return `${path.slice(0, i + 1).join('.')} is not a mapping or list`
    }
    const problem = assign(container, segment, child)
    if (problem) return `${path.slice(0, i + 1).join('.')}: ${problem}`
    if (!last) container = child as Container
  }
  return null
}

function assign(container: Container, segment: string, child: unknown): string | null {
  if (!Array.isArray(container)) {
    container[segment] = child
    return null
  }
  if (!/^\d+$/.test(segment)) return 'expected a list index'
  const index = Number(segment)
  if (index > container.length) {
    return `index ${index} is past the end of a list of ${container.length}`
  }
  container[index] = child
  return null
}

function childOf(container: Container, segment: string): unknown {
  if (Array.isArray(container)) {
    return /^\d+$/.test(segment) ? container[Number(segment)] : undefined
  }
  return Object.hasOwn(container, segment) ? container[segment] : undefined
}

function emptyFor(next: string | undefined): Container {
  return next !== undefined && /^\d+$/.test(next) ? [] : {}
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text
}
