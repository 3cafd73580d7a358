/**
 * Which ClickHouse tables can drop a replayed batch (SPEC §6): Replicated*MergeTree on any
 * version, MergeTree with non_replicated_deduplication_window > 0 only where the server has it.
 */
import { expect, test } from 'bun:test'
import { dedupCheck } from '../../../src/sinks/clickhouse/dedup'
import { capabilitiesOf, parseClickHouseVersion } from '../../../src/sinks/clickhouse/version'

const server = (text: string) => {
  const version = parseClickHouseVersion(text)!
  return { version, capabilities: capabilitiesOf(version) }
}
const old = server('18.16.1')
const recent = server('24.8.4.13')

test('Replicated*MergeTree deduplicates on every version', () => {
  for (const engine of ['ReplicatedMergeTree', 'ReplicatedReplacingMergeTree']) {
    expect(dedupCheck({ engine, engineFull: engine }, old).ok).toBe(true)
    expect(dedupCheck({ engine, engineFull: engine }, recent).ok).toBe(true)
  }
})

test('MergeTree needs the window setting and a server that has it', () => {
  const withWindow = {
    engine: 'MergeTree',
    engineFull:
      'MergeTree ORDER BY id SETTINGS non_replicated_deduplication_window = 100, index_granularity = 8192',
  }
  const zero = {
    engine: 'MergeTree',
    engineFull: 'MergeTree ORDER BY id SETTINGS non_replicated_deduplication_window = 0',
  }
  const plain = { engine: 'MergeTree', engineFull: 'MergeTree ORDER BY id' }
  expect(dedupCheck(withWindow, recent)).toEqual({
    ok: true,
    detail: 'MergeTree with non_replicated_deduplication_window = 100',
  })
  expect(dedupCheck(zero, recent).ok).toBe(false)
  expect(dedupCheck(plain, recent).detail).toContain('set non_replicated_deduplication_window')
  expect(dedupCheck(withWindow, old).ok).toBe(false)
  expect(dedupCheck(plain, old).detail).toContain('18.16.1')
})

test('other engines never deduplicate', () => {
  for (const engine of ['Log', 'Memory', 'Distributed', 'Buffer', '']) {
    expect(dedupCheck({ engine, engineFull: engine }, recent).ok).toBe(false)
  }
})
