/**
 * @module config/dead-letter
 * The `dead_letter:` section (SPEC §3, §9): a Kafka topic or an ndjson file. Exactly one of the
 * two is checked in config/validate; omitting the section means count and drop.
 */

import * as v from 'valibot'
import { mapping, NameSchema } from './fragments'

export const DeadLetterSchema = mapping({
  topic: v.optional(v.pipe(NameSchema, v.description('Kafka topic for dead letters'))),
  file: v.optional(v.pipe(NameSchema, v.description('ndjson file for dead letters'))),
})

export type DeadLetterConfig = v.InferOutput<typeof DeadLetterSchema>
