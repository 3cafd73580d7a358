import { describe, expect, test } from 'bun:test'
import { Router } from '../../../src/route/router'

describe('Router', () => {
  test('a fixed route resolves without reading the message', () => {
    const r = new Router([{ topic: 'events', table: 'events' }], 'analytics')
    const route = r.routeOf('events')!
    expect(route.fixed).toBe(true)
    expect(r.resolve(route, {})).toEqual({
      ok: true,
      target: { database: 'analytics', table: 'events' },
    })
  })

  test('a template route uses the db key, and the default table when the key is missing', () => {
    const r = new Router(
      [
        {
          topic: 'events',
          table: 'events_${tenant}',
          database: '${region}_db',
          default_table: 'events_other',
          default_database: 'misc',
        },
      ],
      'default',
    )
    const route = r.routeOf('events')!
    expect(r.resolve(route, { tenant: 'a', region: 'eu' })).toEqual({
      ok: true,
      target: { database: 'eu_db', table: 'events_a' },
    })
    expect(r.resolve(route, {})).toEqual({
      ok: true,
      target: { database: 'misc', table: 'events_other' },
    })
  })

  test('a bad db key is a dead-letter reason, not an exception', () => {
    const r = new Router([{ topic: 'events', table: 'events_${tenant}' }], 'default')
    const res = r.resolve(r.routeOf('events')!, { tenant: 'x;drop' })
    expect(res).toMatchObject({ ok: false, reason: 'bad_db_key' })
    expect(r.resolve(r.routeOf('events')!, {})).toMatchObject({ ok: false, reason: 'bad_db_key' })
  })

  test('unknown topics have no route; pattern routes match by regex', () => {
    const r = new Router([{ topic: '^logs\\..*', table: 'logs' }], 'default')
    expect(r.routeOf('events')).toBeUndefined()
    expect(r.routeOf('logs.app')?.index).toBe(0)
  })

  test('a topic routed twice is refused with the route index', () => {
    expect(
      () =>
        new Router(
          [
            { topic: 'a', table: 'x' },
            { topic: 'a', table: 'y' },
          ],
          'd',
        ),
    ).toThrow('tables[1]')
  })
})
