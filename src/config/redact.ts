/**
 * @module config/redact
 * Builds the copy of a config that may be printed, logged or served (SPEC §3): secrets, secret-
 * looking librdkafka properties and URL credentials become `**REDACTED**`. Never reveals a Secret.
 */

import type { Config } from './schema'
import { REDACTED, Secret } from './secret'

/** `T` with every Secret replaced by the string it prints as. */
export type Redacted<T> = T extends Secret
  ? string
  : T extends readonly (infer Item)[]
    ? Redacted<Item>[]
    : T extends object
      ? { [K in keyof T]: Redacted<T[K]> }
      : T

// librdkafka properties that carry credentials (ssl.key.password, sasl.oauthbearer.client.secret,
// ssl.key.pem, sasl.oauthbearer.config, ...).
const SECRET_PROPERTY = /password|secret|token|key\.pem|oauthbearer\.config/i

// URL query parameters that carry credentials, e.g. libsql's `authToken`.
const SECRET_PARAM = /token|password|secret|key/i

export function redactConfig(cfg: Config): Redacted<Config> {
  const redacted = redactValue(cfg) as Redacted<Config>
  const rdkafka: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(cfg.kafka.rdkafka)) {
    rdkafka[key] = SECRET_PROPERTY.test(key) ? REDACTED : redactValue(value)
  }
  return { ...redacted, kafka: { ...redacted.kafka, rdkafka } } as Redacted<Config>
}

function redactValue(value: unknown): unknown {
  if (value instanceof Secret) return REDACTED
  if (typeof value === 'string') return redactUrl(value)
  if (Array.isArray(value)) return value.map(redactValue)
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactValue(item)]))
  }
  return value
}

/** Hides the password and credential parameters of a URL; other strings pass unchanged. */
export function redactUrl(text: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return text
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return text
  }
  let changed = false
  if (url.password !== '') {
    url.password = REDACTED
    changed = true
  }
  for (const key of [...url.searchParams.keys()]) {
    if (SECRET_PARAM.test(key)) {
      url.searchParams.set(key, REDACTED)
      changed = true
    }
  }
  return changed ? url.toString() : text
}
