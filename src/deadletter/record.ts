/**
 * @module deadletter/record
 * The ndjson shape of one dead-lettered message (SPEC §9). Pure and lossless: bytes that are not
 * valid UTF-8 are written as base64, never mangled into replacement characters.
 */
import type { KafkaHeader } from '../source/packed-batch'
import type { DeadLetterReason } from './reason'

export interface DeadLetterInput {
  readonly reason: DeadLetterReason
  /** Names the column or the rule that failed. */
  readonly detail: string
  readonly topic: string
  readonly partition: number
  readonly offset: number
  /** The message timestamp, epoch ms; -1 when the broker gave none. */
  readonly timestamp: number
  readonly key: Uint8Array | null
  readonly headers: readonly KafkaHeader[]
  readonly value: Uint8Array | null
  /** When the message was dead-lettered, epoch ms from the caller's clock. */
  readonly now: number
}

/** Text when the bytes are valid UTF-8, else `{ base64 }`: the two cannot be confused. */
export type EncodedBytes = string | { readonly base64: string } | null

export interface DeadLetterRecord {
  readonly time: string
  readonly reason: DeadLetterReason
  readonly detail: string
  readonly topic: string
  readonly partition: number
  readonly offset: number
  readonly timestamp: number | null
  readonly key: EncodedBytes
  readonly headers: ReadonlyArray<{ readonly name: string; readonly value: EncodedBytes }>
  /** The value as text (value_encoding utf8) or base64 (value_encoding base64); null if none. */
  readonly value: string | null
  readonly value_encoding: 'utf8' | 'base64'
}

export function deadLetterRecord(input: DeadLetterInput): DeadLetterRecord {
  const text = input.value === null ? null : decodeUtf8(input.value)
  const binary = input.value !== null && text === null
  return {
    time: new Date(input.now).toISOString(),
    reason: input.reason,
    detail: input.detail,
    topic: input.topic,
    partition: input.partition,
    offset: input.offset,
    timestamp: input.timestamp < 0 ? null : input.timestamp,
    key: encodeBytes(input.key),
    headers: input.headers.map((h) => ({ name: h.name, value: encodeBytes(h.value) })),
    value: binary ? toBase64(input.value!) : text,
    value_encoding: binary ? 'base64' : 'utf8',
  }
}

/** One ndjson line, newline included. */
export function deadLetterLine(input: DeadLetterInput): string {
  return `${JSON.stringify(deadLetterRecord(input))}\n`
}

function encodeBytes(bytes: Uint8Array | null): EncodedBytes {
  if (bytes === null) return null
  return decodeUtf8(bytes) ?? { base64: toBase64(bytes) }
}

/** ignoreBOM keeps a leading BOM in the text: the record must hold the bytes as they were. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes)
  } catch {
    return null
  }
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}
