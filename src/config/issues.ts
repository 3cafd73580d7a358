/**
 * @module config/issues
 * Turns one valibot issue into one `path: message` line, e.g. `kafka.group_id: expected string,
 * received number`. Echoes a value only for enum-like keys, never free text, so no secret leaks.
 */

import * as v from 'valibot'

/** The path shown for an issue about the document itself. */
const ROOT_PATH = '(root)'

// Issues of these types list allowed literals, so the offending value is worth showing.
const ECHOES_VALUE = new Set(['picklist', 'literal', 'variant'])

export function formatIssue(issue: v.BaseIssue<unknown>): string {
  return `${v.getDotPath(issue) ?? ROOT_PATH}: ${issueMessage(issue)}`
}

function issueMessage(issue: v.BaseIssue<unknown>): string {
  if (issue.kind !== 'schema') {
    // Validation actions: ours carry a custom message; valibot's defaults start "Invalid ".
    if (!issue.message.startsWith('Invalid ')) return issue.message
    return `expected ${issue.expected ?? issue.type}, received ${issue.received}`
  }
  if (issue.type === 'custom') return `${issue.message}, received ${typeName(issue.input)}`
  const origin = issue.path?.at(-1)?.origin
  if (origin === 'key' && issue.expected === 'never') return 'unknown key'
  if (isObjectType(issue.type) && issue.received === 'undefined') return 'required'
  const received = ECHOES_VALUE.has(issue.type) ? issue.received : typeName(issue.input)
  return `expected ${bare(issue.expected ?? issue.type)}, received ${received}`
}

function isObjectType(type: string): boolean {
  return type === 'object' || type === 'strict_object' || type === 'loose_object'
}

function bare(expected: string): string {
  return expected.startsWith('(') && expected.endsWith(')') ? expected.slice(1, -1) : expected
}

function typeName(input: unknown): string {
  if (input === null) return 'null'
  if (Array.isArray(input)) return 'list'
  if (typeof input === 'object') return 'mapping'
  return typeof input
}
