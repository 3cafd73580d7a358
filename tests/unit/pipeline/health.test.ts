import { expect, test } from 'bun:test'
import { Health } from '../../../src/pipeline/health'

test('problems are listed until cleared or expired', async () => {
  let now = 0
  const h = new Health({ now: () => now, sleep: async () => undefined })
  h.set('sink', 'down')
  h.set('kafka', 'transport', 1000)
  expect(h.reasons()).toEqual(['sink: down', 'kafka: transport'])
  now = 1000
  expect(h.has('kafka')).toBe(false)
  h.set('sink', null)
  expect(h.reasons()).toEqual([])
})
