import { describe, expect, test } from 'bun:test'
import { inspect } from 'node:util'
import { REDACTED, Secret } from '../../../src/config/secret'

describe('Secret', () => {
  test('reveals its value only through reveal()', () => {
    expect(new Secret('hunter2').reveal()).toBe('hunter2')
  })

  test('prints, serialises and inspects as **REDACTED**', () => {
    const secret = new Secret('hunter2')
    expect(REDACTED).toBe('**REDACTED**')
    expect(String(secret)).toBe(REDACTED)
    expect(`${secret}`).toBe(REDACTED)
    expect(JSON.stringify({ secret })).toBe(`{"secret":"${REDACTED}"}`)
    expect(inspect({ secret })).not.toContain('hunter2')
    expect(Bun.inspect({ secret })).not.toContain('hunter2')
  })

  test('has no enumerable property that holds the value', () => {
    const secret = new Secret('hunter2')
    expect(Object.values(secret)).toEqual([])
    expect({ ...secret }).toEqual({})
  })

  test('is empty only for the empty string', () => {
    expect(new Secret('').isEmpty()).toBe(true)
    expect(new Secret(' ').isEmpty()).toBe(false)
  })
})
