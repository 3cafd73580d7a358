import { describe, expect, test } from 'bun:test'
import { ZoneCache, ZoneOffsets } from '../../../src/schema/time-zone'

const utc = (iso: string) => Date.parse(`${iso}Z`) / 1000

describe('ZoneOffsets', () => {
  test('UTC has offset zero everywhere', () => {
    const z = new ZoneOffsets('UTC')
    expect(z.offsetAt(0)).toBe(0)
    expect(z.toUtc(1_700_000_000)).toBe(1_700_000_000)
  })

  test('Europe/Berlin switches to summer time at 01:00 UTC on the last Sunday of March', () => {
    const z = new ZoneOffsets('Europe/Berlin')
    expect(z.offsetAt(utc('2024-03-31T00:59:59'))).toBe(3600)
    expect(z.offsetAt(utc('2024-03-31T01:00:00'))).toBe(7200)
    expect(z.offsetAt(utc('2024-10-27T00:59:59'))).toBe(7200)
    expect(z.offsetAt(utc('2024-10-27T01:00:00'))).toBe(3600)
  })

  test('a wall-clock time skipped by DST moves forward by the gap', () => {
    const z = new ZoneOffsets('Europe/Berlin')
    expect(z.toUtc(utc('2024-03-31T02:30:00'))).toBe(1_711_848_600)
    expect(z.toUtc(utc('2024-03-31T01:59:59'))).toBe(1_711_846_799)
    expect(z.toUtc(utc('2024-03-31T03:00:00'))).toBe(1_711_846_800)
    const ny = new ZoneOffsets('America/New_York')
    expect(ny.toUtc(utc('2024-03-10T02:30:00'))).toBe(1_710_055_800)
  })

  test('a wall-clock time repeated by DST takes its first occurrence', () => {
    const z = new ZoneOffsets('Europe/Berlin')
    expect(z.toUtc(utc('2024-10-27T02:30:00'))).toBe(1_729_989_000)
    expect(z.toUtc(utc('2024-10-27T03:00:00'))).toBe(1_729_994_400)
    const ny = new ZoneOffsets('America/New_York')
    expect(ny.toUtc(utc('2024-11-03T01:30:00'))).toBe(1_730_611_800)
  })

  test('historical offsets with seconds are honoured (Berlin local mean time)', () => {
    const z = new ZoneOffsets('Europe/Berlin')
    expect(z.offsetAt(utc('1850-01-01T00:00:00'))).toBe(53 * 60 + 28)
  })

  test('cached answers agree with Intl across a whole year, hour by hour', () => {
    const z = new ZoneOffsets('America/New_York')
    const fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: 'America/New_York',
      timeZoneName: 'longOffset',
    })
    const start = utc('2023-01-01T00:30:00')
    for (let t = start; t < start + 366 * 86_400; t += 3600) {
      const name = fmt.formatToParts(t * 1000).find((p) => p.type === 'timeZoneName')?.value
      expect(z.offsetAt(t)).toBe(name === 'GMT-04:00' ? -4 * 3600 : -5 * 3600)
    }
  })

  test('an unknown zone name throws RangeError', () => {
    expect(() => new ZoneOffsets('Mars/Olympus')).toThrow(RangeError)
  })

  test('ZoneCache returns one instance per name', () => {
    const cache = new ZoneCache()
    expect(cache.get('Asia/Tokyo')).toBe(cache.get('Asia/Tokyo'))
  })
})
