import { describe, expect, test } from 'bun:test'
import { NumberText } from '../../../src/decode/number-text'
import { ok, problem } from './coerce-helper'

const JAN1 = 1_704_067_200 // 2024-01-01T00:00:00Z

describe('DateTime columns', () => {
  test('read RFC 3339 / ISO 8601 text in every accepted form and write epoch seconds', () => {
    for (const v of [
      '2024-01-01T00:00:00Z',
      '2024-01-01 00:00:00',
      '2024-01-01',
      '2024-01-01T01:00:00+01:00',
      '2023-12-31T19:00:00-0500',
      '2024-01-01T00:00:00.999Z',
      ' 2024-01-01T00:00Z ',
    ]) {
      expect(ok('DateTime', v)).toBe(String(JAN1))
    }
  })

  test('numbers are epoch seconds below 1e11 and epoch milliseconds from 1e11', () => {
    expect(ok('DateTime', JAN1)).toBe(String(JAN1))
    expect(ok('DateTime', JAN1 * 1000)).toBe(String(JAN1))
    expect(ok('DateTime', JAN1 + 0.75)).toBe(String(JAN1))
    expect(ok('DateTime', 1e11)).toBe('100000000')
    expect(problem('DateTime', 99_999_999_999)).toBe('out of range for DateTime')
    expect(ok('DateTime', String(JAN1))).toBe(String(JAN1))
    expect(ok('DateTime', new NumberText('1704067200000.000000000001'))).toBe(String(JAN1))
  })

  test('range is 1970-01-01 00:00:00 to 2106-02-07 06:28:15 UTC; nothing wraps', () => {
    expect(ok('DateTime', 0)).toBe('0')
    expect(ok('DateTime', '2106-02-07T06:28:15Z')).toBe('4294967295')
    expect(problem('DateTime', '2106-02-07T06:28:16Z')).toBe('out of range for DateTime')
    expect(problem('DateTime', '1969-12-31T23:59:59Z')).toBe('out of range for DateTime')
    expect(problem('DateTime', -1)).toBe('out of range for DateTime')
  })

  test('text without an offset is in the route zone, across DST in both directions', () => {
    expect(ok('DateTime', '2024-03-31 02:30:00', 'Europe/Berlin')).toBe('1711848600')
    expect(ok('DateTime', '2024-03-31 03:00:00', 'Europe/Berlin')).toBe('1711846800')
    expect(ok('DateTime', '2024-10-27 02:30:00', 'Europe/Berlin')).toBe('1729989000')
    expect(ok('DateTime', '2024-03-10 02:30:00', 'America/New_York')).toBe('1710055800')
    expect(ok('DateTime', '2024-11-03 01:30:00', 'America/New_York')).toBe('1730611800')
    expect(ok('DateTime', '2024-11-03T01:30:00-05:00', 'America/New_York')).toBe('1730615400')
  })

  test("the column's own zone wins over the route's", () => {
    expect(ok("DateTime('Asia/Tokyo')", '2024-01-01 09:00:00', 'Europe/Berlin')).toBe(String(JAN1))
    expect(ok("DateTime('Asia/Tokyo')", '2024-01-01T00:00:00Z', 'Europe/Berlin')).toBe(String(JAN1))
  })

  test('refuses text that is not a date and values of other kinds', () => {
    for (const v of ['tomorrow', '2024-02-30', '', '01/02/2024', true, {}, [JAN1]]) {
      expect(problem('DateTime', v)).toContain('not a date-time')
    }
  })
})

describe('Date and Date32 columns', () => {
  test('write "YYYY-MM-DD" and take leap days', () => {
    expect(ok('Date', '2024-02-29')).toBe('"2024-02-29"')
    expect(ok('Date', '2024-02-29 23:59:59')).toBe('"2024-02-29"')
    expect(problem('Date', '2023-02-29')).toContain('not a date-time')
  })

  test('an instant becomes its date in the route zone; wall-clock text keeps its date', () => {
    expect(ok('Date', '2024-02-29T23:30:00Z', 'Europe/Berlin')).toBe('"2024-03-01"')
    expect(ok('Date', 1_709_249_400, 'Europe/Berlin')).toBe('"2024-03-01"')
    expect(ok('Date', 1_709_249_400, 'UTC')).toBe('"2024-02-29"')
    expect(ok('Date', '2024-02-29 23:30:00', 'Europe/Berlin')).toBe('"2024-02-29"')
  })

  test('Date spans 1970-01-01..2149-06-06, Date32 1900-01-01..2299-12-31', () => {
    expect(ok('Date', '1970-01-01')).toBe('"1970-01-01"')
    expect(ok('Date', '2149-06-06')).toBe('"2149-06-06"')
    expect(problem('Date', '1969-12-31')).toBe('out of range for Date')
    expect(problem('Date', '2149-06-07')).toBe('out of range for Date')
    expect(ok('Date32', '1900-01-01')).toBe('"1900-01-01"')
    expect(ok('Date32', '2299-12-31')).toBe('"2299-12-31"')
    expect(problem('Date32', '1899-12-31')).toBe('out of range for Date32')
    expect(problem('Date32', '2300-01-01')).toBe('out of range for Date32')
  })
})

describe('DateTime64 columns', () => {
  test('write zero-padded epoch seconds with exactly p fraction digits, truncating', () => {
    expect(ok('DateTime64(3)', '2024-01-01T00:00:00.123456Z')).toBe(`"${JAN1}.123"`)
    expect(ok('DateTime64(3)', JAN1 * 1000 + 123)).toBe(`"${JAN1}.123"`)
    expect(ok('DateTime64(6)', 1_704_067_200.123456)).toBe(`"${JAN1}.123456"`)
    expect(ok('DateTime64(9)', new NumberText('1704067200.123456789'))).toBe(`"${JAN1}.123456789"`)
    expect(ok('DateTime64(0)', '2024-01-01T00:00:00.9Z')).toBe(`"${JAN1}"`)
    expect(ok('DateTime64(3)', 1000)).toBe('"0000001000.000"')
  })

  test('instants before 1970 are written as wall-clock text in the column zone, else UTC', () => {
    expect(ok('DateTime64(1)', '1960-01-01T00:00:00.5Z')).toBe('"1960-01-01 00:00:00.5"')
    expect(ok("DateTime64(1, 'Asia/Tokyo')", '1960-01-01T00:00:00.5Z')).toBe(
      '"1960-01-01 09:00:00.5"',
    )
    expect(ok('DateTime64(3)', -1.5)).toBe('"1969-12-31 23:59:58.500"')
  })

  test('range is 1900-01-01 to 2299-12-31 (narrower for precision 9)', () => {
    expect(ok('DateTime64(3)', '1900-01-01T00:00:00Z')).toBe('"1900-01-01 00:00:00.000"')
    expect(problem('DateTime64(3)', '1899-12-31T23:59:59Z')).toBe('out of range for DateTime64(3)')
    expect(ok('DateTime64(3)', '2299-12-31T23:59:59Z')).toBe('"2299-12-31 23:59:59.000"')
    expect(problem('DateTime64(3)', '2300-01-01T00:00:00Z')).toBe('out of range for DateTime64(3)')
    expect(problem('DateTime64(9)', '2263-01-01T00:00:00Z')).toBe('out of range for DateTime64(9)')
  })

  test('text without an offset is in the column zone', () => {
    expect(ok("DateTime64(3, 'Europe/Berlin')", '2024-01-01 01:00:00.250')).toBe(`"${JAN1}.250"`)
  })
})
