/**
 * @module config/log
 * The `log:` section (SPEC §3): level and output format of the structured log.
 */

import * as v from 'valibot'
import { mapping } from './fragments'

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const

export const LogSchema = mapping({
  level: v.optional(v.pipe(v.picklist(LOG_LEVELS), v.description('lowest level logged')), 'info'),
  format: v.optional(
    v.pipe(v.picklist(['json', 'pretty']), v.description('json lines or human-readable')),
    'json',
  ),
})

export type LogConfig = v.InferOutput<typeof LogSchema>
export type LogLevel = LogConfig['level']
