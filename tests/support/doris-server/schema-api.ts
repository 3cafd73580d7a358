/**
 * @module tests/support/doris-server/schema-api
 * `GET /api/{db}/{table}/_schema` (reference §8): the base schema in table order, primitive type
 * names only, decimal precision/scale as strings, keysType. Never shows VARCHAR lengths.
 */
import { primitiveName } from './column-type'
import { feAuth } from './fe-auth'
import { feError, feOk } from './responses'
import type { RouteCall } from './router'

export function handleSchema(call: RouteCall): Response {
  const auth = feAuth(call)
  if (!auth.ok) return auth.response
  const [db, tableName] = call.params.slice(-2) as [string, string]
  const { store } = call.ctx.state
  if (!store.hasDatabase(db))
    return feError(`errCode = 2, detailMessage = Unknown database '${db}'`)
  const table = store.find(db, tableName)
  if (!table) return feError(`errCode = 2, detailMessage = Unknown table '${tableName}' in ${db}`)
  const properties = table.columns.map((c) => ({
    name: c.name,
    type: primitiveName(c.type),
    ...(c.type.kind === 'decimal'
      ? { precision: String(c.type.precision), scale: String(c.type.scale) }
      : {}),
    comment: c.comment,
    aggregation_type: '',
  }))
  return feOk({ status: 200, keysType: table.keysType, properties })
}
