/**
 * @module config/load
 * Reads the YAML config file, applies `SINKER__` environment overrides, validates the result
 * (schema, then cross-field rules) and returns a Config, or throws one ConfigError listing every
 * problem as `path: message`. Reads only the file it is given; never touches process.env.
 */

import { readFileSync } from 'node:fs'
import * as v from 'valibot'
import { LineCounter, parseDocument } from 'yaml'
import { ConfigError } from '../errors'
import { applyEnvOverrides } from './env-overrides'
import { formatIssue } from './issues'
import { type Config, ConfigSchema } from './schema'
import { validateConfig } from './validate'

export interface LoadConfigOptions {
  readonly path: string
  readonly env: Record<string, string | undefined>
  readonly readFile?: (path: string) => string
}

export function loadConfig(opts: LoadConfigOptions): Config {
  const text = readConfigText(opts.path, opts.readFile ?? ((p) => readFileSync(p, 'utf8')))
  const raw = parseYamlText(text, opts.path)
  const overridden = applyEnvOverrides(raw, opts.env)
  if (overridden.issues.length > 0) throw new ConfigError(overridden.issues)
  try {
    return parseConfig(overridden.value)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    throw new ConfigError(error.issues.map((line) => withSource(line, overridden.sources)))
  }
}

/** Validates an already-read raw object: schema first, then the cross-field rules. */
export function parseConfig(raw: unknown): Config {
  const result = v.safeParse(ConfigSchema, raw, { abortPipeEarly: true })
  if (!result.success) throw new ConfigError(result.issues.map(formatIssue))
  const problems = validateConfig(result.output)
  if (problems.length > 0) throw new ConfigError(problems)
  return result.output
}

function readConfigText(path: string, readFile: (path: string) => string): string {
  try {
    return readFile(path)
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code
    if (code === 'ENOENT') throw new ConfigError([`${path}: config file not found`])
    const reason = error instanceof Error ? error.message : String(error)
    throw new ConfigError([`${path}: cannot read config file: ${reason}`])
  }
}

function parseYamlText(text: string, path: string): unknown {
  const lineCounter = new LineCounter()
  // Merge keys let an operator share route settings through anchors (`<<: *defaults`).
  const doc = parseDocument(text, { lineCounter, merge: true, prettyErrors: false })
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0])
        return `${path}:${line}:${col}: YAML syntax error: ${error.message.split('\n')[0]}`
      }),
    )
  }
  try {
    return doc.toJS({ maxAliasCount: 100 })
  } catch (error) {
    // Only alias expansion can fail here; the cap stops a "billion laughs" document.
    const reason = error instanceof Error ? error.message : String(error)
    throw new ConfigError([`${path}: YAML error: ${reason}`])
  }
}

/** Names the environment variable behind a problem, since the file alone would mislead. */
function withSource(line: string, sources: ReadonlyMap<string, string>): string {
  const path = line.slice(0, line.indexOf(': '))
  for (const [prefix, name] of sources) {
    if (path === prefix || path.startsWith(`${prefix}.`)) return `${line} (set by ${name})`
  }
  return line
}
