import { describe, expect, test } from 'bun:test'
import { describeTable, parseDescribe } from '../../../../src/sinks/clickhouse/schema'
import type { HttpOutcome, QueryFn } from '../../../../src/sinks/clickhouse/service'

const never = new AbortController().signal
const answer = (status: number, body: string): HttpOutcome => ({
  kind: 'answer',
  status,
  body,
  exceptionCode: null,
})
const fixed =
  (outcome: HttpOutcome, seen: string[] = []): QueryFn =>
  async (sql) => {
    seen.push(sql)
    return outcome
  }

/** What 18.16.1 answered to DESCRIBE TABLE ... FORMAT JSON (fields trimmed to the point). */
const DESCRIBE_18_16 = JSON.stringify({
  meta: [{ name: 'name', type: 'String' }],
  data: [
    {
      name: 'id',
      type: 'UInt64',
      default_type: '',
      default_expression: '',
      comment_expression: '',
    },
    {
      name: 'd',
      type: 'Date',
      default_type: 'DEFAULT',
      default_expression: 'today()',
      comment_expression: '',
    },
    {
      name: 'n',
      type: 'Nullable(Int32)',
      default_type: '',
      default_expression: '',
      comment_expression: '',
    },
    {
      name: 'm',
      type: 'UInt64',
      default_type: 'MATERIALIZED',
      default_expression: 'id * 2',
      comment_expression: '',
    },
    {
      name: 'a',
      type: 'UInt64',
      default_type: 'ALIAS',
      default_expression: 'id',
      comment_expression: '',
    },
  ],
  rows: 5,
})

describe('parseDescribe', () => {
  test('reads name, type and default kind of an 18.16 answer in column order', () => {
    expect(parseDescribe(DESCRIBE_18_16)).toEqual([
      { name: 'id', type: 'UInt64', defaultKind: '' },
      { name: 'd', type: 'Date', defaultKind: 'DEFAULT' },
      { name: 'n', type: 'Nullable(Int32)', defaultKind: '' },
      { name: 'm', type: 'UInt64', defaultKind: 'MATERIALIZED' },
      { name: 'a', type: 'UInt64', defaultKind: 'ALIAS' },
    ])
  })

  test('reads newer answers with more fields, EPHEMERAL as DEFAULT and unknown kinds as never written', () => {
    const body = JSON.stringify({
      data: [
        {
          name: 'x',
          type: "DateTime64(3, 'UTC')",
          default_type: 'EPHEMERAL',
          codec_expression: '',
          ttl_expression: '',
        },
        { name: 'y', type: 'String', default_type: 'SOMETHING_NEW', codec_expression: 'ZSTD(1)' },
      ],
    })
    expect(parseDescribe(body)).toEqual([
      { name: 'x', type: "DateTime64(3, 'UTC')", defaultKind: 'DEFAULT' },
      { name: 'y', type: 'String', defaultKind: 'ALIAS' },
    ])
  })

  test('throws on an answer that is not a DESCRIBE', () => {
    expect(() => parseDescribe('Ok.')).toThrow()
    expect(() => parseDescribe('{"meta":[]}')).toThrow('no data array')
    expect(() => parseDescribe('{"data":[{"type":"String"}]}')).toThrow('without name or type')
  })
})

describe('describeTable', () => {
  const target = { database: 'analytics', table: 'events' }

  test('sends a quoted DESCRIBE and returns the columns', async () => {
    const seen: string[] = []
    const columns = await describeTable(fixed(answer(200, DESCRIBE_18_16), seen), target, never)
    expect(seen).toEqual(['DESCRIBE TABLE `analytics`.`events` FORMAT JSON'])
    expect(columns?.map((c) => c.name)).toEqual(['id', 'd', 'n', 'm', 'a'])
  })

  test('answers null for an unknown table or database', async () => {
    const table =
      "Code: 60, e.displayText() = DB::Exception: Table analytics.events doesn't exist., e.what() = DB::Exception"
    const database =
      "Code: 81, e.displayText() = DB::Exception: Database analytics doesn't exist, e.what() = DB::Exception"
    expect(await describeTable(fixed(answer(404, table)), target, never)).toBeNull()
    expect(await describeTable(fixed(answer(404, database)), target, never)).toBeNull()
  })

  test('throws for every other failure so a flaky server never looks like a missing table', async () => {
    const denied =
      'Code: 193, e.displayText() = DB::Exception: Wrong password for user default, e.what() = DB::Exception'
    await expect(describeTable(fixed(answer(401, denied)), target, never)).rejects.toThrow(
      'WRONG_PASSWORD',
    )
    await expect(describeTable(fixed(answer(502, 'Bad Gateway')), target, never)).rejects.toThrow(
      'HTTP 502',
    )
    const reset: HttpOutcome = { kind: 'failure', message: 'ECONNRESET', timedOut: false }
    await expect(describeTable(fixed(reset), target, never)).rejects.toThrow('ECONNRESET')
  })

  test('refuses a target with an invalid name before sending anything', async () => {
    const seen: string[] = []
    const bad = { database: 'analytics', table: 'events`; DROP TABLE x' }
    await expect(
      describeTable(fixed(answer(200, DESCRIBE_18_16), seen), bad, never),
    ).rejects.toThrow()
    expect(seen).toEqual([])
  })
})
