/**
 * @module config/batch
 * The `batch:` section (SPEC §3): when a per-target batch is flushed. Every limit is required
 * to be positive, so a batch can never grow without bound.
 */

import * as v from 'valibot'
import { intAtLeast, mapping } from './fragments'

export const BatchSchema = mapping({
  max_rows: v.optional(intAtLeast(1, 'flush after this many rows'), 100_000),
  max_bytes: v.optional(intAtLeast(1024, 'flush after this many bytes'), 52_428_800),
  max_interval_ms: v.optional(intAtLeast(10, 'flush a batch this old, in ms'), 5_000),
})

export type BatchConfig = v.InferOutput<typeof BatchSchema>
