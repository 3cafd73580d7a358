import { describe, expect, test } from 'bun:test'
import { createDroppingDeadLetter } from '../../../src/deadletter/dead-letter'

describe('createDroppingDeadLetter', () => {
  test('resolves at once and keeps nothing', async () => {
    const dl = createDroppingDeadLetter()
    await dl.write([], new AbortController().signal)
    await dl.close()
    await dl.close()
  })

  test('still honours an aborted signal', async () => {
    const dl = createDroppingDeadLetter()
    await expect(dl.write([], AbortSignal.abort(new Error('stop')))).rejects.toThrow('stop')
  })
})
