/**
 * @module route/router
 * Resolves a message to its target (database, table) before any field is mapped (DESIGN point 1).
 * A route that cannot be resolved is a dead-letter reason, never an exception.
 */
import type { TargetRef } from '../schema/table-schema'
import { parseTemplate, resolveTemplate, type Template } from './template'

export interface RouteSpec {
  readonly topic: string
  readonly table: string
  readonly database?: string | undefined
  readonly default_table?: string | undefined
  readonly default_database?: string | undefined
}

export interface Route {
  readonly index: number
  readonly spec: RouteSpec
  readonly table: Template
  readonly database: Template
  readonly defaultTable: string | undefined
  readonly defaultDatabase: string | undefined
  /** True when both names are fixed: the target is known without reading the message. */
  readonly fixed: boolean
}

export type RouteResult =
  | { readonly ok: true; readonly target: TargetRef }
  | { readonly ok: false; readonly reason: 'bad_db_key'; readonly detail: string }

export class Router {
  private readonly byTopic = new Map<string, Route>()
  private readonly patterns: Array<{ re: RegExp; route: Route }> = []
  readonly routes: readonly Route[]

  /** Throws an Error naming `tables[i]` when a route is malformed or a topic is routed twice. */
  constructor(specs: readonly RouteSpec[], defaultDatabase: string) {
    this.routes = specs.map((spec, index) => {
      try {
        const table = parseTemplate(spec.table)
        const database = parseTemplate(spec.database ?? defaultDatabase)
        return {
          index,
          spec,
          table,
          database,
          defaultTable: spec.default_table,
          defaultDatabase: spec.default_database,
          fixed: table.fixed && database.fixed,
        }
      } catch (e) {
        throw new Error(`tables[${index}]: ${(e as Error).message}`)
      }
    })
    for (const r of this.routes) {
      if (r.spec.topic.startsWith('^')) {
        this.patterns.push({ re: new RegExp(r.spec.topic), route: r })
      } else if (this.byTopic.has(r.spec.topic)) {
        throw new Error(`tables[${r.index}].topic: topic ${r.spec.topic} is routed twice`)
      } else {
        this.byTopic.set(r.spec.topic, r)
      }
    }
  }

  /** The route of a topic, or undefined when no route takes it. Cached per topic name. */
  routeOf(topic: string): Route | undefined {
    const hit = this.byTopic.get(topic)
    if (hit) return hit
    const p = this.patterns.find((x) => x.re.test(topic))
    if (p) this.byTopic.set(topic, p.route)
    return p?.route
  }

  resolve(route: Route, obj: Record<string, unknown>): RouteResult {
    const table = resolveTemplate(route.table, obj)
    const database = resolveTemplate(route.database, obj)
    const t = table.ok ? table.name : table.missing ? route.defaultTable : undefined
    const d = database.ok ? database.name : database.missing ? route.defaultDatabase : undefined
    if (t === undefined)
      return { ok: false, reason: 'bad_db_key', detail: table.ok ? '' : table.detail }
    if (d === undefined) {
      return { ok: false, reason: 'bad_db_key', detail: database.ok ? '' : database.detail }
    }
    return { ok: true, target: { database: d, table: t } }
  }
}
