/**
 * @module ledger/routed-target
 * Builds the `isRoutedTarget(db, table)` check of ledger/headers from the router's routes (SPEC
 * §9): a fixed route's target, or a name that fits a template route with each `${…}` standing for
 * `[A-Za-z0-9_]{1,64}`. Pure; never resolves a template against a message.
 */
import type { Route } from '../route/router'
import type { Template } from '../route/template'

const FIELD = '[A-Za-z0-9_]{1,64}'

export function routedTargetPredicate(
  routes: readonly Route[],
): (database: string, table: string) => boolean {
  const matchers = routes.map((r) => ({ db: matcherOf(r.database), table: matcherOf(r.table) }))
  return (database, table) => matchers.some((m) => m.db.test(database) && m.table.test(table))
}

/** Literal parts hold only [A-Za-z0-9_] (checked at parse), so they need no escaping. */
function matcherOf(t: Template): RegExp {
  const body = t.parts.map((p) => ('literal' in p ? p.literal : FIELD)).join('')
  return new RegExp(`^${body}$`)
}
