import { describe, expect, test } from 'bun:test'
import {
  type DeadLetterInput,
  deadLetterLine,
  deadLetterRecord,
} from '../../../src/deadletter/record'

const utf8 = (text: string) => new TextEncoder().encode(text)

function input(extra: Partial<DeadLetterInput> = {}): DeadLetterInput {
  return {
    reason: 'type_mismatch',
    detail: 'column id: expected UInt64',
    topic: 'events',
    partition: 3,
    offset: 42,
    timestamp: 1_764_000_000_000,
    key: utf8('user-1'),
    headers: [{ name: 'batch_id', value: utf8('b1') }],
    value: utf8('{"id":"x"}'),
    now: Date.UTC(2026, 10, 23, 12, 0, 0),
    ...extra,
  }
}

describe('deadLetterRecord', () => {
  test('has the SPEC §9 fields in order, with UTF-8 text kept as text', () => {
    const record = deadLetterRecord(input())
    expect(Object.keys(record)).toEqual([
      'time',
      'reason',
      'detail',
      'topic',
      'partition',
      'offset',
      'timestamp',
      'key',
      'headers',
      'value',
      'value_encoding',
    ])
    expect(record).toEqual({
      time: '2026-11-23T12:00:00.000Z',
      reason: 'type_mismatch',
      detail: 'column id: expected UInt64',
      topic: 'events',
      partition: 3,
      offset: 42,
      timestamp: 1_764_000_000_000,
      key: 'user-1',
      headers: [{ name: 'batch_id', value: 'b1' }],
      value: '{"id":"x"}',
      value_encoding: 'utf8',
    })
  })

  test('writes a value that is not UTF-8 as base64 that decodes to the same bytes', () => {
    const bytes = new Uint8Array([0xff, 0xfe, 0x7b, 0x00, 0xc3])
    const record = deadLetterRecord(input({ reason: 'invalid_json', value: bytes }))
    expect(record.value_encoding).toBe('base64')
    expect([...Buffer.from(record.value!, 'base64')]).toEqual([...bytes])
  })

  test('base64-encodes a slice of a larger buffer from its own offset', () => {
    const region = new Uint8Array([1, 2, 0xff, 0x80, 3])
    const record = deadLetterRecord(input({ value: region.subarray(2, 4) }))
    expect(record.value).toBe(Buffer.from([0xff, 0x80]).toString('base64'))
  })

  test('marks binary keys and header values as base64 objects, and keeps nulls', () => {
    const record = deadLetterRecord(
      input({
        key: new Uint8Array([0x80]),
        headers: [
          { name: 'bin', value: new Uint8Array([0xc0, 0xaf]) },
          { name: 'none', value: null },
        ],
        value: null,
        timestamp: -1,
      }),
    )
    expect(record.key).toEqual({ base64: 'gA==' })
    expect(record.headers).toEqual([
      { name: 'bin', value: { base64: 'wK8=' } },
      { name: 'none', value: null },
    ])
    expect(record.value).toBeNull()
    expect(record.value_encoding).toBe('utf8')
    expect(record.timestamp).toBeNull()
  })

  test('keeps a leading byte order mark and multi-byte text exactly', () => {
    const record = deadLetterRecord(input({ value: utf8('\ufeff{"a":"é😀"}') }))
    expect(record.value).toBe('\ufeff{"a":"é😀"}')
  })

  test('a line is one JSON object and a newline', () => {
    const line = deadLetterLine(input({ detail: 'a\nb' }))
    expect(line.endsWith('\n')).toBe(true)
    expect(line.slice(0, -1).includes('\n')).toBe(false)
    expect(JSON.parse(line).detail).toBe('a\nb')
  })
})
