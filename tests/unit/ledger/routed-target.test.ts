import { describe, expect, test } from 'bun:test'
import { routedTargetPredicate } from '../../../src/ledger/routed-target'
import { Router } from '../../../src/route/router'

const router = new Router(
  [
    { topic: 'events', table: 'events' },
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a sinker table template, not JS
    { topic: 'orders', table: 'orders_${tenant}', database: 'sales' },
  ],
  'analytics',
)
const routed = routedTargetPredicate(router.routes)

describe('routedTargetPredicate', () => {
  test("accepts a fixed route's target, with the default database", () => {
    expect(routed('analytics', 'events')).toBe(true)
    expect(routed('sales', 'events')).toBe(false)
  })

  test('accepts names that fit a template route and nothing else', () => {
    expect(routed('sales', 'orders_acme')).toBe(true)
    expect(routed('sales', 'orders_')).toBe(false)
    expect(routed('sales', 'orders_a.b')).toBe(false)
    expect(routed('sales', "orders_x'; DROP TABLE t")).toBe(false)
    expect(routed('analytics', 'orders_acme')).toBe(false)
  })
})
