import { describe, expect, test } from 'bun:test'
import { GcPacer } from '../../../src/core/gc-pacer'

describe('GcPacer', () => {
  test('collects once per `everyBytes` consumed, counting from the last collection', () => {
    let collections = 0
    const pacer = new GcPacer(100, () => collections++)
    pacer.consumed(60)
    expect(collections).toBe(0)
    pacer.consumed(60)
    expect(collections).toBe(1)
    pacer.consumed(99)
    expect(collections).toBe(1)
    pacer.consumed(1)
    expect(collections).toBe(2)
  })
})
