/**
 * @module config/delivery
 * The `delivery:` section (SPEC §3, §6): guarantee, retry policy, backpressure and shutdown
 * deadline. Schema only; never decides anything at runtime.
 */

import * as v from 'valibot'
import { intAtLeast, mapping, RetrySchema } from './fragments'

const GUARANTEES = ['at_least_once', 'exactly_once'] as const

export const DeliverySchema = mapping({
  guarantee: v.optional(
    v.pipe(v.picklist(GUARANTEES), v.description('delivery guarantee (SPEC §6)')),
    'at_least_once',
  ),
  retry: v.optional(v.pipe(RetrySchema, v.description('retry of failed sink writes')), {}),
  max_inflight_bytes: v.optional(
    intAtLeast(1024, 'above this many unacknowledged bytes the consumer pauses'),
    268_435_456,
  ),
  shutdown_timeout_ms: v.optional(
    intAtLeast(1, 'deadline of a graceful stop or a revoke drain, in ms'),
    30_000,
  ),
})

export type DeliveryConfig = v.InferOutput<typeof DeliverySchema>
export type Guarantee = DeliveryConfig['guarantee']
