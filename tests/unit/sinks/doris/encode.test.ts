import { describe, expect, test } from 'bun:test'
import { RowBytes } from '../../../../src/batch/row-bytes'
import { csvField, encodeLoadBody, topLevelFields } from '../../../../src/sinks/doris/encode'

const decode = (b: Uint8Array) => new TextDecoder().decode(b)

describe('Stream Load bodies', () => {
  test('json sends the batch body as it is, by line, numbers as strings', () => {
    const rows = RowBytes.fromStrings(['{"a":1}', '{"a":2}'])
    const load = encodeLoadBody(rows, 'json')
    expect(load.body).toBe(rows.body)
    expect(load.formatHeaders).toEqual({
      format: 'json',
      read_json_by_line: 'true',
      strip_outer_array: 'false',
      num_as_string: 'true',
    })
  })

  test('csv encloses and escapes text, writes \\N for null and for a missing column', () => {
    const rows = RowBytes.fromStrings([
      '{"id":1,"s":"a,b \\"q\\"\\nline \\\\ end\\\\","n":null,"big":170141183460469231731687303715884105727}',
      '{"id":2,"j":{"k":[1,"x,y"]},"s":"\\\\N","u":"ü🚀"}',
    ])
    const load = encodeLoadBody(rows, 'csv')
    expect(load.formatHeaders).toMatchObject({
      format: 'csv',
      columns: '`id`,`s`,`n`,`big`,`j`,`u`',
      column_separator: ',',
      enclose: '"',
      escape: '\\',
    })
    expect(decode(load.body)).toBe(
      '1,"a,b \\"q\\"\nline \\\\ end\\\\",\\N,170141183460469231731687303715884105727,\\N,\\N\n' +
        '2,"\\\\N",\\N,\\N,"{\\"k\\":[1,\\"x,y\\"]}","ü🚀"\n',
    )
  })

  test('csv of the same rows is the same bytes every time', () => {
    const rows = RowBytes.fromStrings(['{"b":true,"a":1.5}', '{"a":-0}'])
    expect(decode(encodeLoadBody(rows, 'csv').body)).toBe(decode(encodeLoadBody(rows, 'csv').body))
    expect(decode(encodeLoadBody(rows, 'csv').body)).toBe('true,1.5\n\\N,-0\n')
  })

  test('fields keep raw value text, nested values whole', () => {
    expect([...topLevelFields('{"a":{"b":[1,{"c":"}"}]},"d":"x\\"y","e":-1e5}')]).toEqual([
      ['a', '{"b":[1,{"c":"}"}]}'],
      ['d', '"x\\"y"'],
      ['e', '-1e5'],
    ])
    expect([...topLevelFields('{}')]).toEqual([])
    expect(() => topLevelFields('[1]')).toThrow()
    expect(csvField('false')).toBe('false')
  })
})
