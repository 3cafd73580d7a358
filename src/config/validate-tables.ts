/**
 * @module config/validate-tables
 * Cross-field rules of `tables:` routes: subscribed topics, one route per topic, manual columns,
 * template-only defaults. Pure; never reads the target tables.
 */

import type { Config } from './schema'
import type { TableRoute } from './tables'
import { isTemplate } from './template-syntax'

export function validateTables(cfg: Config): string[] {
  return [
    ...cfg.tables.flatMap((route, i) => [
      ...validateRouteTopic(cfg, route, i),
      ...validateColumns(route, `tables.${i}`),
      ...validateDefaults(route, `tables.${i}`),
    ]),
    ...validateUnroutedTopics(cfg),
  ]
}

function validateRouteTopic(cfg: Config, route: TableRoute, i: number): string[] {
  const path = `tables.${i}.topic`
  const first = cfg.tables.findIndex((other) => other.topic === route.topic)
  if (first < i) return [`${path}: "${route.topic}" is already routed by tables.${first}`]
  const { topics, topic_pattern } = cfg.kafka
  if (topics && !topics.includes(route.topic))
    return [`${path}: "${route.topic}" is not in kafka.topics`]
  if (topic_pattern !== undefined && !new RegExp(topic_pattern).test(route.topic)) {
    return [`${path}: "${route.topic}" does not match kafka.topic_pattern`]
  }
  return []
}

/** A subscribed topic without a route would only ever dead-letter its messages. */
function validateUnroutedTopics(cfg: Config): string[] {
  const routed = new Set(cfg.tables.map((route) => route.topic))
  return (cfg.kafka.topics ?? []).flatMap((topic, i) =>
    routed.has(topic) ? [] : [`kafka.topics.${i}: "${topic}" has no route in tables`],
  )
}

function validateColumns(route: TableRoute, path: string): string[] {
  const issues: string[] = []
  if (route.schema === 'manual' && !route.columns?.length) {
    issues.push(`${path}.columns: required when schema is manual`)
  }
  if (route.schema === 'auto' && route.columns) {
    issues.push(`${path}.columns: only used when schema is manual`)
  }
  if (route.schema === 'manual' && route.dynamic_schema.enabled) {
    issues.push(`${path}.dynamic_schema.enabled: only used when schema is auto`)
  }
  const names = (route.columns ?? []).map((column) => column.name)
  names.forEach((name, j) => {
    if (names.indexOf(name) < j) issues.push(`${path}.columns.${j}.name: "${name}" appears twice`)
  })
  return issues
}

function validateDefaults(route: TableRoute, path: string): string[] {
  const issues: string[] = []
  if (route.default_table !== undefined && !isTemplate(route.table)) {
    issues.push(`${path}.default_table: only used when table is a template`)
  }
  if (route.default_database !== undefined && !isTemplate(route.database ?? '')) {
    issues.push(`${path}.default_database: only used when database is a template`)
  }
  return issues
}
