/**
 * @module config/ledger
 * The `ledger:` section (SPEC §3, §5): where the libSQL ledger lives and how long one ledger or
 * DDL action may take. Schema only; never opens the database.
 */

import * as v from 'valibot'
import { intAtLeast, mapping } from './fragments'

const LEDGER_URL = /^(file:.+|(libsql|https?|wss?):\/\/.+|:memory:)$/

export const LedgerSchema = mapping({
  url: v.optional(
    v.pipe(
      v.string(),
      v.check(
        (url) => LEDGER_URL.test(url),
        'expected file:PATH, libsql://, http(s)://, ws(s):// or :memory:',
      ),
      v.description('libSQL database: a local file or a shared server'),
    ),
    'file:./data/ledger.db',
  ),
  action_timeout_ms: v.optional(
    intAtLeast(1, 'deadline of every ledger query and DDL action, in ms'),
    30_000,
  ),
})

export type LedgerConfig = v.InferOutput<typeof LedgerSchema>
