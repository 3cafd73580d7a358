/**
 * @module config/kafka
 * The `kafka:` section (SPEC §3): brokers, group, subscription, security and the librdkafka
 * passthrough. Schema only; cross-field rules live in config/validate.
 */

import * as v from 'valibot'
import { intAtLeast, mapping, NameSchema, RegexSchema, SecretSchema } from './fragments'

const SECURITY_PROTOCOLS = ['plaintext', 'ssl', 'sasl_plaintext', 'sasl_ssl'] as const
const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const

export const SaslSchema = mapping({
  mechanism: v.pipe(v.picklist(SASL_MECHANISMS), v.description('SASL mechanism')),
  username: v.pipe(NameSchema, v.description('SASL user name')),
  password: v.pipe(SecretSchema, v.description('SASL password')),
})

export const SecuritySchema = mapping({
  protocol: v.optional(
    v.pipe(v.picklist(SECURITY_PROTOCOLS), v.description('security.protocol of the connection')),
    'plaintext',
  ),
  sasl: v.optional(
    v.pipe(SaslSchema, v.description('SASL credentials; required by sasl_* protocols')),
  ),
})

/** A comma-separated string is accepted too, so `SINKER__KAFKA__BROKERS=a:9092,b:9092` works. */
const BrokersSchema = v.pipe(
  v.unknown(),
  v.transform((input) =>
    typeof input === 'string' ? input.split(',').map((broker) => broker.trim()) : input,
  ),
  v.array(NameSchema),
  v.minLength(1, 'expected at least one broker'),
)

const RdkafkaValueSchema = v.union([v.string(), v.number(), v.boolean()])

export const KafkaSchema = mapping({
  brokers: v.pipe(BrokersSchema, v.description('bootstrap brokers, host:port')),
  group_id: v.pipe(NameSchema, v.description('consumer group id')),
  client_id: v.optional(v.pipe(NameSchema, v.description('client id sent to brokers')), 'sinker'),
  topics: v.optional(
    v.pipe(
      v.array(NameSchema),
      v.minLength(1, 'expected at least one topic'),
      v.description('topics to subscribe to; or topic_pattern'),
    ),
  ),
  topic_pattern: v.optional(
    v.pipe(RegexSchema, v.description('regex of topics to subscribe to; or topics')),
  ),
  start_from: v.optional(
    v.pipe(
      v.picklist(['earliest', 'latest']),
      v.description('where a group without a committed offset starts'),
    ),
    'earliest',
  ),
  fetch_max_bytes: v.optional(intAtLeast(1024, 'fetch.max.bytes of the consumer'), 52_428_800),
  security: v.optional(v.pipe(SecuritySchema, v.description('transport security')), {}),
  rdkafka: v.optional(
    v.pipe(
      v.record(v.string(), RdkafkaValueSchema),
      v.description('librdkafka properties passed through verbatim'),
    ),
    {},
  ),
})

export type KafkaConfig = v.InferOutput<typeof KafkaSchema>
export type SecurityConfig = v.InferOutput<typeof SecuritySchema>
export type SaslConfig = v.InferOutput<typeof SaslSchema>
