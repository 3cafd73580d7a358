/**
 * @module config/validate
 * Cross-field rules the schema cannot express (SPEC §3), as `path: message` lines in the same
 * dotted path style as schema issues. Pure: it reads only the parsed config, never I/O.
 */

import type { KafkaConfig } from './kafka'
import type { Config } from './schema'
import { validateTables } from './validate-tables'

// librdkafka properties sinker sets itself; a passthrough value would silently fight the
// first-class key, or (auto commit) break the commit-after-write guarantee of SPEC §1.5.
const MANAGED_RDKAFKA: Record<string, string> = {
  'bootstrap.servers': 'use kafka.brokers',
  'metadata.broker.list': 'use kafka.brokers',
  'group.id': 'use kafka.group_id',
  'client.id': 'use kafka.client_id',
  'auto.offset.reset': 'use kafka.start_from',
  'fetch.max.bytes': 'use kafka.fetch_max_bytes',
  'security.protocol': 'use kafka.security.protocol',
  'sasl.mechanism': 'use kafka.security.sasl',
  'sasl.mechanisms': 'use kafka.security.sasl',
  'sasl.username': 'use kafka.security.sasl',
  'sasl.password': 'use kafka.security.sasl',
  'enable.auto.commit': 'offsets are committed by sinker only after a write',
  'enable.auto.offset.store': 'offsets are committed by sinker only after a write',
}

/** Every cross-field problem of `cfg`; empty when the config is coherent. */
export function validateConfig(cfg: Config): string[] {
  return [
    ...validateSubscription(cfg.kafka),
    ...validateSecurity(cfg.kafka),
    ...validateRdkafka(cfg.kafka),
    ...validateTables(cfg),
    ...validateDelivery(cfg),
    ...validateDeadLetter(cfg),
  ]
}

function validateSubscription(kafka: KafkaConfig): string[] {
  if (kafka.topics && kafka.topic_pattern !== undefined) {
    return ['kafka.topic_pattern: set either kafka.topics or kafka.topic_pattern, not both']
  }
  if (!kafka.topics && kafka.topic_pattern === undefined) {
    return ['kafka.topics: required (or kafka.topic_pattern)']
  }
  const topics = kafka.topics ?? []
  return topics.flatMap((topic, i) =>
    topics.indexOf(topic) < i ? [`kafka.topics.${i}: "${topic}" is listed twice`] : [],
  )
}

function validateSecurity(kafka: KafkaConfig): string[] {
  const { protocol, sasl } = kafka.security
  const usesSasl = protocol === 'sasl_plaintext' || protocol === 'sasl_ssl'
  if (usesSasl && !sasl) return [`kafka.security.sasl: required when protocol is ${protocol}`]
  if (!usesSasl && sasl) {
    return ['kafka.security.sasl: only used with protocol sasl_plaintext or sasl_ssl']
  }
  return []
}

function validateRdkafka(kafka: KafkaConfig): string[] {
  return Object.keys(kafka.rdkafka).flatMap((key) => {
    const why = Object.hasOwn(MANAGED_RDKAFKA, key) ? MANAGED_RDKAFKA[key] : undefined
    return why ? [`kafka.rdkafka.${key}: set by sinker; ${why}`] : []
  })
}

function validateDelivery(cfg: Config): string[] {
  const issues: string[] = []
  const { retry, max_inflight_bytes } = cfg.delivery
  if (retry.initial_backoff_ms > retry.max_backoff_ms) {
    issues.push(
      `delivery.retry.initial_backoff_ms: must not exceed delivery.retry.max_backoff_ms (${retry.max_backoff_ms})`,
    )
  }
  // Below one full batch the consumer would pause before any batch could fill by bytes.
  if (max_inflight_bytes < cfg.batch.max_bytes) {
    issues.push(
      `delivery.max_inflight_bytes: must be at least batch.max_bytes (${cfg.batch.max_bytes})`,
    )
  }
  return issues
}

function validateDeadLetter(cfg: Config): string[] {
  const deadLetter = cfg.dead_letter
  if (!deadLetter) return []
  const { topic, file } = deadLetter
  if ((topic === undefined) === (file === undefined)) {
    return ['dead_letter: set exactly one of dead_letter.topic, dead_letter.file']
  }
  if (topic !== undefined && isConsumed(cfg.kafka, topic)) {
    return [`dead_letter.topic: "${topic}" is also consumed by kafka, which would loop`]
  }
  return []
}

/** Whether the consumer's subscription covers `topic`. */
function isConsumed(kafka: KafkaConfig, topic: string): boolean {
  if (kafka.topics) return kafka.topics.includes(topic)
  return kafka.topic_pattern !== undefined && new RegExp(kafka.topic_pattern).test(topic)
}
