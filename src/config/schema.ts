/**
 * @module config/schema
 * The whole configuration file (SPEC §3) as one valibot schema, composed from one schema per
 * top-level key. The `Config` type comes only from here; never redeclare it by hand.
 */

import * as v from 'valibot'
import { BatchSchema } from './batch'
import { DeadLetterSchema } from './dead-letter'
import { DeliverySchema } from './delivery'
import { mapping } from './fragments'
import { KafkaSchema } from './kafka'
import { LedgerSchema } from './ledger'
import { LogSchema } from './log'
import { ServerSchema } from './server'
import { SinkSchema } from './sink'
import { TablesSchema } from './tables'

export const ConfigSchema = mapping({
  kafka: v.pipe(KafkaSchema, v.description('the Kafka consumer')),
  sink: v.pipe(SinkSchema, v.description('where rows are written')),
  tables: TablesSchema,
  batch: v.optional(v.pipe(BatchSchema, v.description('per-target batch limits')), {}),
  delivery: v.optional(v.pipe(DeliverySchema, v.description('guarantees and retries')), {}),
  dead_letter: v.optional(
    v.pipe(DeadLetterSchema, v.description('where unmappable messages go; omit to drop')),
  ),
  ledger: v.optional(v.pipe(LedgerSchema, v.description('the batch-task ledger')), {}),
  server: v.optional(v.pipe(ServerSchema, v.description('the HTTP server')), {}),
  log: v.optional(v.pipe(LogSchema, v.description('logging')), {}),
})

export type Config = v.InferOutput<typeof ConfigSchema>
