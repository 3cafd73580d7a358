/**
 * @module sinks/clickhouse/version
 * Reads `SELECT version()` once per sink and derives what the server can do, so newer settings
 * and statements are used only where they exist. Never sends a setting the server lacks: an
 * unknown setting fails the whole INSERT (Code 115).
 */
import type { Verdict } from '../sink'

export interface ClickHouseVersion {
  readonly major: number
  readonly minor: number
  readonly patch: number
  /** As the server printed it, e.g. `18.16.1` or `24.8.4.13`. */
  readonly text: string
}

export interface ClickHouseCapabilities {
  /** `insert_deduplication_token` setting (22.2, PR #32304). */
  readonly insertDeduplicationToken: boolean
  /** `input_format_defaults_for_omitted_fields` (19.5: renamed from the setting below, #4771). */
  readonly inputFormatDefaultsForOmittedFields: boolean
  /** `insert_sample_with_metadata`: the same feature under its 18.16 to 19.4 name. */
  readonly insertSampleWithMetadata: boolean
  /** `ADD COLUMN IF NOT EXISTS` (19.1, PR #3900; broken in 19.3, issue #4565, so from 19.4). */
  readonly addColumnIfNotExists: boolean
  /** MergeTree `non_replicated_deduplication_window` (PR #22514, April 2021, so from 21.5). */
  readonly nonReplicatedDedupWindow: boolean
}

export interface ServerInfo {
  readonly version: ClickHouseVersion
  readonly capabilities: ClickHouseCapabilities
}

const VERSION_TEXT = /^\s*(\d+)\.(\d+)\.(\d+)(?:\.\d+)*/

export function parseClickHouseVersion(text: string): ClickHouseVersion | null {
  const match = VERSION_TEXT.exec(text)
  if (!match) return null
  return {
    major: Number(match[1]),
    minor: Number(match[2]),
    patch: Number(match[3]),
    text: match[0].trim(),
  }
}

export function versionAtLeast(v: ClickHouseVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor)
}

export function capabilitiesOf(v: ClickHouseVersion): ClickHouseCapabilities {
  return {
    insertDeduplicationToken: versionAtLeast(v, 22, 2),
    inputFormatDefaultsForOmittedFields: versionAtLeast(v, 19, 5),
    insertSampleWithMetadata: versionAtLeast(v, 18, 16) && !versionAtLeast(v, 19, 5),
    addColumnIfNotExists: versionAtLeast(v, 19, 4),
    nonReplicatedDedupWindow: versionAtLeast(v, 21, 5),
  }
}

export type VersionQuery = (
  signal: AbortSignal,
) => Promise<{ ok: true; text: string } | { ok: false; verdict: Verdict }>

export type ServerInfoResult = { ok: true; info: ServerInfo } | { ok: false; verdict: Verdict }

export interface VersionReader {
  /** The cached answer, or one read shared by concurrent callers; a failure is not cached. */
  get(signal: AbortSignal): Promise<ServerInfoResult>
}

export function createVersionReader(query: VersionQuery): VersionReader {
  let cached: ServerInfo | undefined
  let pending: Promise<ServerInfoResult> | undefined
  const read = async (signal: AbortSignal): Promise<ServerInfoResult> => {
    const answer = await query(signal)
    if (!answer.ok) return answer
    const version = parseClickHouseVersion(answer.text)
    if (!version) {
      const why = `SELECT version() answered ${JSON.stringify(answer.text.slice(0, 80))}`
      return { ok: false, verdict: { kind: 'retry', why } }
    }
    cached = { version, capabilities: capabilitiesOf(version) }
    return { ok: true, info: cached }
  }
  return {
    get(signal) {
      if (cached) return Promise.resolve({ ok: true, info: cached })
      pending ??= read(signal).finally(() => {
        pending = undefined
      })
      return pending
    },
  }
}
