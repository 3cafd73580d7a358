import { describe, expect, test } from 'bun:test'
import { addColumnSql, classifyDdl } from '../../../../src/sinks/doris/ddl'
import { healthProblem } from '../../../../src/sinks/doris/health'

const envelope = (code: number, data: unknown, msg = code === 0 ? 'success' : 'Error') =>
  JSON.stringify({ msg, code, data, count: 0 })
const failed = (detail: string) =>
  envelope(
    1,
    `Failed to execute sql: java.sql.SQLException: errCode = 2, detailMessage = ${detail}`,
  )

describe('classifyDdl', () => {
  const table: Array<[string, number, string, string]> = [
    ['a DDL success', 200, envelope(0, { type: 'exec_status', status: {}, time: 3 }), 'ok'],
    [
      'a streamed success',
      200,
      JSON.stringify({ msg: 'success', code: 0, data: { type: 'exec_status' } }),
      'ok',
    ],
    ['a table that already exists', 200, failed("Table 't' already exists"), 'duplicate'],
    [
      'a column that already exists',
      200,
      failed('Can not add column which already exists in base table: c'),
      'duplicate',
    ],
    ['a duplicate partition', 200, failed('Duplicate partition name p1'), 'duplicate'],
    [
      'a database that exists',
      200,
      failed("Can't create database 'd'; database exists"),
      'duplicate',
    ],
    ['a missing partition', 200, failed('Partition[p9] does not exist in table[t]'), 'reject'],
    ['a syntax error', 200, failed('Syntax error in line 1'), 'reject'],
    [
      'an empty statement',
      200,
      envelope(403, 'Missing statement request body', 'Bad Request'),
      'reject',
    ],
    ['an auth failure', 200, envelope(401, 'Access denied', 'Unauthorized'), 'retry'],
    ['a timeout', 200, failed('query timeout'), 'retry'],
    ['no backend', 200, failed('No backend available'), 'retry'],
    ['HTTP 503', 503, 'busy', 'retry'],
    ['not JSON', 200, '<html/>', 'retry'],
  ]
  for (const [name, status, body, kind] of table) {
    test(`${name} is ${kind}`, () => {
      expect(classifyDdl(status, body).kind).toBe(kind as 'ok')
    })
  }
})

describe('healthProblem', () => {
  const answer = (body: string, status = 200) => ({
    kind: 'answer' as const,
    status,
    body,
    location: null,
  })
  test('accepts an FE with a backend online and names what is wrong otherwise', () => {
    expect(
      healthProblem(answer(envelope(0, { online_backend_num: 1, total_backend_num: 1 }))),
    ).toBeNull()
    expect(
      healthProblem(answer(envelope(0, { online_backend_num: 0, total_backend_num: 1 }))),
    ).toContain('no backend')
    expect(healthProblem(answer(envelope(503, 'Server is not ready')))).toContain('503')
    expect(healthProblem({ kind: 'failure', message: 'ECONNREFUSED', timedOut: false })).toContain(
      'ECONNREFUSED',
    )
  })
})

describe('addColumnSql', () => {
  const target = { database: 'demo', table: 'events' }

  test('adds a NULL-able column typed from its kind', () => {
    const kinds = {
      int: 'BIGINT',
      float: 'DOUBLE',
      bool: 'BOOLEAN',
      string: 'STRING',
      json: 'STRING',
    }
    for (const [kind, type] of Object.entries(kinds)) {
      expect(addColumnSql(target, { name: 'extra_1', kind: kind as keyof typeof kinds })).toBe(
        `ALTER TABLE \`demo\`.\`events\` ADD COLUMN \`extra_1\` ${type} NULL`,
      )
    }
  })

  test.each(['a`b', 'a b', 'x; DROP TABLE t', '', 'é'])('refuses the column name %j', (name) => {
    expect(() => addColumnSql(target, { name, kind: 'int' })).toThrow('invalid Doris name')
  })

  test('refuses a bad table name', () => {
    expect(() =>
      addColumnSql({ database: 'demo', table: 'e`v' }, { name: 'a', kind: 'int' }),
    ).toThrow('invalid Doris name')
  })
})
