/**
 * @module deadletter/reason
 * The closed list of dead-letter reasons of SPEC §9; metric labels come only from here.
 */

export const DEAD_LETTER_REASONS = [
  'invalid_json',
  'not_object',
  'type_mismatch',
  'too_large',
  'bad_db_key',
  'unknown_table',
  'bad_batch_header',
  'sink_rejected',
] as const

export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number]
