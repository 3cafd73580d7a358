import { describe, expect, test } from 'bun:test'
import {
  addColumnSql,
  classifyDdl,
  dropPartitionIdSql,
  isValidPartitionId,
  runDdl,
  truncateTableSql,
} from '../../../../src/sinks/clickhouse/ddl'
import type { HttpOutcome } from '../../../../src/sinks/clickhouse/service'

const never = new AbortController().signal
const legacy = (code: number, text: string) =>
  `Code: ${code}, e.displayText() = DB::Exception: ${text}, e.what() = DB::Exception\n`
const target = { database: 'analytics', table: 'events' }

describe('classifyDdl', () => {
  test('is ok for an empty 200', () => {
    expect(classifyDdl(200, '')).toEqual({ kind: 'ok' })
  })

  test('treats "already exists" as done', () => {
    expect(
      classifyDdl(500, legacy(44, 'Cannot add column s: column with this name already exists')),
    ).toEqual({
      kind: 'duplicate',
    })
    expect(classifyDdl(500, legacy(57, 'Table default.t already exists.'))).toEqual({
      kind: 'duplicate',
    })
    expect(classifyDdl(500, legacy(82, 'Database default already exists.'))).toEqual({
      kind: 'duplicate',
    })
  })

  test('rejects a statement that can never succeed', () => {
    expect(classifyDdl(400, legacy(62, 'Syntax error: failed at position 1')).kind).toBe('reject')
    expect(classifyDdl(500, legacy(44, 'Illegal column for this operation')).kind).toBe('reject')
    expect(classifyDdl(404, legacy(50, 'Unknown data type family: Strin')).kind).toBe('reject')
  })

  test('retries what may pass later: a missing table, credentials, overload', () => {
    expect(classifyDdl(404, legacy(60, "Table analytics.events doesn't exist.")).kind).toBe('retry')
    expect(classifyDdl(401, legacy(193, 'Wrong password for user default')).kind).toBe('retry')
    expect(classifyDdl(500, legacy(159, 'Timeout exceeded')).kind).toBe('retry')
    expect(classifyDdl(503, 'Service Unavailable').kind).toBe('retry')
  })
})

describe('runDdl', () => {
  test('sends the statement as given and classifies the answer', async () => {
    const seen: string[] = []
    const verdict = await runDdl(
      async (sql): Promise<HttpOutcome> => {
        seen.push(sql)
        return { kind: 'answer', status: 200, body: '', exceptionCode: null }
      },
      'TRUNCATE TABLE `analytics`.`events`',
      never,
    )
    expect(verdict).toEqual({ kind: 'ok' })
    expect(seen).toEqual(['TRUNCATE TABLE `analytics`.`events`'])
  })

  test('retries when no answer came', async () => {
    const verdict = await runDdl(
      async () => ({ kind: 'failure', message: 'ECONNREFUSED', timedOut: false }),
      'SELECT 1',
      never,
    )
    expect(verdict).toEqual({ kind: 'retry', why: 'network error: ECONNREFUSED' })
  })
})

describe('statement builders', () => {
  test('drop a partition by its id, quoted', () => {
    expect(dropPartitionIdSql(target, '202611')).toBe(
      "ALTER TABLE `analytics`.`events` DROP PARTITION ID '202611'",
    )
    expect(dropPartitionIdSql(target, '202401-3')).toContain("ID '202401-3'")
    expect(dropPartitionIdSql(target, 'all')).toContain("ID 'all'")
    expect(dropPartitionIdSql(target, '0123456789abcdef0123456789abcdef')).toContain('ID')
  })

  test.each(["2026' OR 1=1 --", "x'; DROP TABLE t", '2026 11', '', 'a\\b', 'é', 'x'.repeat(129)])(
    'refuse the partition id %j',
    (id) => {
      expect(isValidPartitionId(id)).toBe(false)
      expect(() => dropPartitionIdSql(target, id)).toThrow('invalid partition id')
    },
  )

  test('truncate a quoted table and refuse a bad name', () => {
    expect(truncateTableSql(target)).toBe('TRUNCATE TABLE `analytics`.`events`')
    expect(() => truncateTableSql({ database: 'a', table: 'b`c' })).toThrow()
  })
})

describe('addColumnSql', () => {
  test('adds a Nullable column typed from its kind, with IF NOT EXISTS where the server has it', () => {
    const kinds = {
      int: 'Int64',
      float: 'Float64',
      bool: 'UInt8',
      string: 'String',
      json: 'String',
    }
    for (const [kind, type] of Object.entries(kinds)) {
      const column = { name: 'extra_1', kind: kind as keyof typeof kinds }
      expect(addColumnSql(target, column, false)).toBe(
        `ALTER TABLE \`analytics\`.\`events\` ADD COLUMN \`extra_1\` Nullable(${type})`,
      )
      expect(addColumnSql(target, column, true)).toBe(
        `ALTER TABLE \`analytics\`.\`events\` ADD COLUMN IF NOT EXISTS \`extra_1\` Nullable(${type})`,
      )
    }
  })

  test.each(['a`b', 'a b', 'x; DROP TABLE t', '', 'é'])('refuses the column name %j', (name) => {
    expect(() => addColumnSql(target, { name, kind: 'int' }, true)).toThrow(
      'invalid ClickHouse identifier',
    )
  })
})
