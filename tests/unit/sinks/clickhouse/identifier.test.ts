import { describe, expect, test } from 'bun:test'
import {
  InvalidIdentifierError,
  isValidIdentifier,
  quoteIdentifier,
  quoteTarget,
} from '../../../../src/sinks/clickhouse/identifier'

describe('ClickHouse identifiers', () => {
  test('quotes names of letters, digits and underscores in backquotes', () => {
    expect(quoteIdentifier('events')).toBe('`events`')
    expect(quoteIdentifier('Events_2026')).toBe('`Events_2026`')
    expect(quoteIdentifier('123')).toBe('`123`')
    expect(quoteIdentifier('_')).toBe('`_`')
    expect(quoteTarget({ database: 'analytics', table: 'events_acme' })).toBe(
      '`analytics`.`events_acme`',
    )
  })

  test.each([
    ['a backquote that would close the quote', 'events` ; DROP TABLE x; --'],
    ['a single quote', "events'"],
    ['a double quote', 'events"'],
    ['a dot that would name another database', 'system.users'],
    ['a space', 'my events'],
    ['a semicolon', 'events;'],
    ['a comment', 'events--'],
    ['a newline', 'events\nDROP'],
    ['a NUL byte', 'events\u0000'],
    ['a backslash', 'events\\'],
    ['a non-ASCII letter', 'évents'],
    ['a look-alike letter', 'еvents'],
    ['an empty name', ''],
    ['a name longer than 128 characters', 'a'.repeat(129)],
    ['a format clause', 'events FORMAT TSV'],
  ])('rejects %s', (_name, value) => {
    expect(isValidIdentifier(value)).toBe(false)
    expect(() => quoteIdentifier(value)).toThrow(InvalidIdentifierError)
    expect(() => quoteTarget({ database: 'db', table: value })).toThrow(InvalidIdentifierError)
    expect(() => quoteTarget({ database: value, table: 't' })).toThrow(InvalidIdentifierError)
  })

  test('accepts a name of exactly 128 characters', () => {
    expect(isValidIdentifier('a'.repeat(128))).toBe(true)
  })
})
