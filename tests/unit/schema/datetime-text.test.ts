import { describe, expect, test } from 'bun:test'
import {
  daysFromCivil,
  formatDays,
  formatWall,
  type ParsedDateTime,
  parseDateTimeText,
} from '../../../src/schema/datetime-text'

function parse(text: string): ParsedDateTime | null {
  const out: ParsedDateTime = { wall: 0, nanos: 0, offset: null, dateOnly: false }
  return parseDateTimeText(text, out) ? out : null
}

describe('parseDateTimeText', () => {
  test('reads a bare date as midnight', () => {
    expect(parse('2024-02-29')).toEqual({
      wall: 1_709_164_800,
      nanos: 0,
      offset: null,
      dateOnly: true,
    })
  })

  test('reads date-times with T or a space, with or without seconds and fractions', () => {
    expect(parse('2024-01-01T00:00:00')?.wall).toBe(1_704_067_200)
    expect(parse('2024-01-01 10:20:30')?.wall).toBe(1_704_067_200 + 37_230)
    expect(parse('2024-01-01t10:20')?.wall).toBe(1_704_067_200 + 37_200)
    expect(parse('2024-01-01 00:00:00.5')?.nanos).toBe(500_000_000)
    expect(parse('2024-01-01 00:00:00,123456789')?.nanos).toBe(123_456_789)
    expect(parse('2024-01-01 00:00:00.1234567891')?.nanos).toBe(123_456_789)
  })

  test('reads Z and numeric offsets in all three spellings', () => {
    expect(parse('2024-01-01T00:00:00Z')?.offset).toBe(0)
    expect(parse('2024-01-01T00:00:00+05:30')?.offset).toBe(19_800)
    expect(parse('2024-01-01T00:00:00-0800')?.offset).toBe(-28_800)
    expect(parse('2024-01-01T00:00:00+01')?.offset).toBe(3600)
    expect(parse('2024-01-01T00:00:00.25-03:00')).toEqual({
      wall: 1_704_067_200,
      nanos: 250_000_000,
      offset: -10_800,
      dateOnly: false,
    })
  })

  test('knows leap years', () => {
    expect(parse('2000-02-29')).not.toBeNull()
    expect(parse('2023-02-29')).toBeNull()
    expect(parse('2100-02-29')).toBeNull()
  })

  test('refuses malformed or impossible text', () => {
    for (const t of [
      '',
      '2024',
      '2024/01/01',
      '2024-1-01',
      '2024-13-01',
      '2024-00-10',
      '2024-04-31',
      '2024-01-01T24:00:00',
      '2024-01-01T23:60',
      '2024-01-01T23:59:60',
      '2024-01-01T10',
      '2024-01-01X10:00',
      '2024-01-01T10:00:00.',
      '2024-01-01T10:00:00+25:00',
      '2024-01-01T10:00:00 UTC',
      '2024-01-01T10:00:00Zjunk',
    ]) {
      expect(parse(t)).toBeNull()
    }
  })
})

describe('civil calendar', () => {
  test('daysFromCivil and formatDays are inverse over four centuries', () => {
    for (let d = daysFromCivil(1900, 1, 1); d <= daysFromCivil(2300, 1, 1); d += 17) {
      const text = formatDays(d)
      expect(
        daysFromCivil(Number(text.slice(0, 4)), Number(text.slice(5, 7)), Number(text.slice(8))),
      ).toBe(d)
      expect(new Date(d * 86_400_000).toISOString().slice(0, 10)).toBe(text)
    }
  })

  test('formatWall prints negative instants correctly', () => {
    expect(formatWall(-1)).toBe('1969-12-31 23:59:59')
    expect(formatWall(0)).toBe('1970-01-01 00:00:00')
  })
})
