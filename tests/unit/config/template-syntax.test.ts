// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are sinker's own ${field} templates
import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { isTemplate, templateProblem } from '../../../src/config/template-syntax'

describe('templateProblem', () => {
  test('accepts plain identifiers of up to 64 characters', () => {
    expect(templateProblem('events')).toBeNull()
    expect(templateProblem('a'.repeat(64))).toBeNull()
    expect(templateProblem('a'.repeat(65))).not.toBeNull()
    expect(templateProblem('')).not.toBeNull()
    expect(templateProblem('bad-name')).not.toBeNull()
  })

  test('accepts well-formed templates with dotted field paths', () => {
    for (const name of [
      'events_${tenant}',
      '${tenant}',
      '${meta.region}_${tenant}_x',
      '${a}${b}',
    ]) {
      expect(templateProblem(name)).toBeNull()
      expect(isTemplate(name)).toBe(true)
    }
  })

  test('names the part of a template that is wrong', () => {
    expect(templateProblem('ev-${tenant}')).toBe('template literal part "ev-" is not [A-Za-z0-9_]')
    expect(templateProblem('ev_${tenant')).toBe('template has an unclosed field placeholder')
    expect(templateProblem('ev_${}')).toBe('template has an empty field placeholder')
    expect(templateProblem('ev_${a..b}')).toBe(
      'template field path "a..b" is not dotted field names',
    )
    expect(templateProblem('ev_${a b}')).toBe('template field path "a b" is not dotted field names')
    expect(templateProblem('ev_${a}}')).toBe('template literal part "}" is not [A-Za-z0-9_]')
  })

  test('accepts any template built from safe literals and field paths', () => {
    const literal = fc.stringMatching(/^[A-Za-z0-9_]{0,8}$/)
    const field = fc.array(fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/), {
      minLength: 1,
      maxLength: 3,
    })
    fc.assert(
      fc.property(
        fc.array(fc.tuple(literal, field), { minLength: 1, maxLength: 4 }),
        literal,
        (parts, tail) => {
          const name = parts.map(([lit, path]) => `${lit}\${${path.join('.')}}`).join('') + tail
          expect(templateProblem(name)).toBeNull()
        },
      ),
    )
  })
})
