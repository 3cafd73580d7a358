/**
 * @module config/tables
 * The `tables:` section (SPEC §3, §9): one route per topic, naming a fixed or templated target,
 * its time zone and how its columns are known. Schema only; cross-field rules in config/validate.
 */

import * as v from 'valibot'
import { intAtLeast, mapping, NameSchema, RegexSchema } from './fragments'
import { templateProblem } from './template-syntax'

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/** A target name: an identifier, or a template such as `events_${tenant}` (SPEC §9). */
const TargetNameSchema = v.pipe(
  v.string(),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return
    const problem = templateProblem(dataset.value)
    if (problem) addIssue({ message: problem })
  }),
)

const IDENTIFIER = /^[A-Za-z0-9_]{1,64}$/

const IdentifierSchema = v.pipe(
  v.string(),
  v.regex(IDENTIFIER, 'expected a name of 1-64 characters [A-Za-z0-9_]'),
)

export const ColumnSchema = mapping({
  name: v.pipe(NameSchema, v.description('column name in the target table')),
  type: v.pipe(NameSchema, v.description("column type as the sink's dialect spells it")),
  source: v.optional(
    v.pipe(NameSchema, v.description('dotted path in the message; default: the column name')),
  ),
})

export const DynamicSchemaSchema = mapping({
  enabled: v.optional(
    v.pipe(v.boolean(), v.description('add a column when a message carries a new key')),
    false,
  ),
  max_columns: v.optional(intAtLeast(1, 'stop adding columns at this many'), 500),
  allow: v.optional(
    v.pipe(RegexSchema, v.description('only keys matching this regex become columns')),
    '^[a-z][a-z0-9_]{0,62}$',
  ),
})

export const TableRouteSchema = mapping({
  topic: v.pipe(NameSchema, v.description('messages of this topic take this route')),
  table: v.pipe(TargetNameSchema, v.description('target table; may be a template')),
  database: v.optional(
    v.pipe(
      TargetNameSchema,
      v.description("target database; may be a template; default: the sink's"),
    ),
  ),
  default_table: v.optional(
    v.pipe(IdentifierSchema, v.description("table for messages lacking the template's field")),
  ),
  default_database: v.optional(
    v.pipe(IdentifierSchema, v.description("database for messages lacking the template's field")),
  ),
  timezone: v.optional(
    v.pipe(
      v.string(),
      v.check(isTimeZone, 'expected an IANA time zone such as UTC or Europe/Berlin'),
      v.description('zone of date-times without an offset'),
    ),
    'UTC',
  ),
  schema: v.optional(
    v.pipe(
      v.picklist(['auto', 'manual']),
      v.description('auto: read from target; manual: columns'),
    ),
    'auto',
  ),
  columns: v.optional(
    v.pipe(v.array(ColumnSchema), v.description('the columns, in manual schema mode')),
  ),
  dynamic_schema: v.optional(
    v.pipe(DynamicSchemaSchema, v.description('add columns for new keys')),
    {},
  ),
})

export const TablesSchema = v.pipe(
  v.array(TableRouteSchema),
  v.minLength(1, 'expected at least one route'),
  v.description('routes from topics to target tables'),
)

export type TableRoute = v.InferOutput<typeof TableRouteSchema>
export type ColumnConfig = v.InferOutput<typeof ColumnSchema>
export type DynamicSchemaConfig = v.InferOutput<typeof DynamicSchemaSchema>
