/**
 * @module config/template-syntax
 * Checks that a target name is a plain identifier or a well-formed `${a.b}` template whose
 * literal parts are identifier-safe (SPEC §9). Pure; never resolves a template against a message.
 */

const LITERAL = /^[A-Za-z0-9_]*$/
const FIELD = /^[A-Za-z0-9_-]+$/
const IDENTIFIER = /^[A-Za-z0-9_]{1,64}$/

export function isTemplate(name: string): boolean {
  return name.includes('${')
}

/** Why `name` is not a valid identifier or template, or null when it is. */
export function templateProblem(name: string): string | null {
  if (!isTemplate(name)) {
    return IDENTIFIER.test(name) ? null : 'expected a name of 1-64 characters [A-Za-z0-9_]'
  }
  let rest = name
  while (rest !== '') {
    const start = rest.indexOf('${')
    const literal = start === -1 ? rest : rest.slice(0, start)
    if (!LITERAL.test(literal)) return `template literal part "${literal}" is not [A-Za-z0-9_]`
    if (start === -1) return null
    const end = rest.indexOf('}', start)
    if (end === -1) return 'template has an unclosed field placeholder'
    const problem = fieldProblem(rest.slice(start + 2, end))
    if (problem) return problem
    rest = rest.slice(end + 1)
  }
  return null
}

function fieldProblem(path: string): string | null {
  if (path === '') return 'template has an empty field placeholder'
  const bad = path.split('.').find((segment) => !FIELD.test(segment))
  return bad === undefined ? null : `template field path "${path}" is not dotted field names`
}
