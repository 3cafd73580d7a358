import { describe, expect, test } from 'bun:test'
import {
  capabilitiesOf,
  createVersionReader,
  parseClickHouseVersion,
  type VersionQuery,
} from '../../../../src/sinks/clickhouse/version'
import type { Verdict } from '../../../../src/sinks/sink'

const v = (text: string) => {
  const parsed = parseClickHouseVersion(text)
  if (!parsed) throw new Error(`unparsed ${text}`)
  return parsed
}
const never = new AbortController().signal

describe('parseClickHouseVersion', () => {
  test.each([
    ['18.16.1\n', 18, 16, 1, '18.16.1'],
    ['19.4.5.35', 19, 4, 5, '19.4.5.35'],
    ['24.8.4.13', 24, 8, 4, '24.8.4.13'],
    ['  25.3.1.2703\n', 25, 3, 1, '25.3.1.2703'],
    ['26.3.33.24-lts', 26, 3, 33, '26.3.33.24'],
  ])('reads %j', (text, major, minor, patch, shown) => {
    expect(parseClickHouseVersion(text)).toEqual({ major, minor, patch, text: shown })
  })

  test.each(['', 'Ok.', 'v18.16.1', '18.16', 'Code: 193, e.displayText()', 'eighteen'])(
    'answers null for %j',
    (text) => {
      expect(parseClickHouseVersion(text)).toBeNull()
    },
  )
})

describe('capabilitiesOf', () => {
  test('18.16 has only insert_sample_with_metadata among the newer features', () => {
    expect(capabilitiesOf(v('18.16.1'))).toEqual({
      insertDeduplicationToken: false,
      inputFormatDefaultsForOmittedFields: false,
      insertSampleWithMetadata: true,
      addColumnIfNotExists: false,
      nonReplicatedDedupWindow: false,
    })
  })

  test('versions before 18.16 have neither defaults setting', () => {
    const caps = capabilitiesOf(v('18.14.19'))
    expect(caps.insertSampleWithMetadata).toBe(false)
    expect(caps.inputFormatDefaultsForOmittedFields).toBe(false)
  })

  test('19.5 renamed insert_sample_with_metadata', () => {
    expect(capabilitiesOf(v('19.4.5.35')).insertSampleWithMetadata).toBe(true)
    expect(capabilitiesOf(v('19.4.5.35')).inputFormatDefaultsForOmittedFields).toBe(false)
    expect(capabilitiesOf(v('19.5.2.6')).insertSampleWithMetadata).toBe(false)
    expect(capabilitiesOf(v('19.5.2.6')).inputFormatDefaultsForOmittedFields).toBe(true)
  })

  test('ADD COLUMN IF NOT EXISTS from 19.4, dedup window from 21.5, dedup token from 22.2', () => {
    expect(capabilitiesOf(v('19.3.9')).addColumnIfNotExists).toBe(false)
    expect(capabilitiesOf(v('19.4.0')).addColumnIfNotExists).toBe(true)
    expect(capabilitiesOf(v('21.4.7')).nonReplicatedDedupWindow).toBe(false)
    expect(capabilitiesOf(v('21.5.1')).nonReplicatedDedupWindow).toBe(true)
    expect(capabilitiesOf(v('22.1.3')).insertDeduplicationToken).toBe(false)
    expect(capabilitiesOf(v('22.2.2')).insertDeduplicationToken).toBe(true)
    expect(Object.values(capabilitiesOf(v('24.8.4.13'))).filter(Boolean).length).toBe(4)
  })
})

describe('createVersionReader', () => {
  test('reads the version once and answers later calls from memory', async () => {
    let calls = 0
    const reader = createVersionReader(async () => {
      calls++
      return { ok: true, text: '18.16.1\n' }
    })
    const first = await reader.get(never)
    const second = await reader.get(never)
    expect(first).toEqual(second)
    expect(first.ok && first.info.version.text).toBe('18.16.1')
    expect(calls).toBe(1)
  })

  test('shares one read among concurrent callers', async () => {
    let calls = 0
    let answer: (value: { ok: true; text: string }) => void = () => {}
    const query: VersionQuery = () => {
      calls++
      return new Promise((resolve) => {
        answer = resolve
      })
    }
    const reader = createVersionReader(query)
    const both = Promise.all([reader.get(never), reader.get(never)])
    answer({ ok: true, text: '22.8.1' })
    const [a, b] = await both
    expect(a.ok && b.ok).toBe(true)
    expect(calls).toBe(1)
  })

  test('does not keep a failure, so the next call reads again', async () => {
    const denied: Verdict = {
      kind: 'retry',
      why: 'Code 193 WRONG_PASSWORD (HTTP 401): Wrong password',
    }
    const answers = [
      { ok: false as const, verdict: denied },
      { ok: true as const, text: '18.16.1' },
    ]
    const reader = createVersionReader(async () => answers.shift() ?? { ok: true, text: '0.0.0' })
    expect(await reader.get(never)).toEqual({ ok: false, verdict: denied })
    const second = await reader.get(never)
    expect(second.ok).toBe(true)
  })

  test('turns an unreadable version text into a retry verdict', async () => {
    const reader = createVersionReader(async () => ({ ok: true, text: '<html>proxy</html>' }))
    const result = await reader.get(never)
    expect(result.ok).toBe(false)
    expect(!result.ok && result.verdict.kind).toBe('retry')
  })
})
