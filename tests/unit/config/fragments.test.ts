import { describe, expect, test } from 'bun:test'
import { isHttpUrl, isValidRegex, parseHostPort } from '../../../src/config/fragments'

describe('parseHostPort', () => {
  test('splits host names, IPv4 and bracketed IPv6 addresses from the port', () => {
    expect(parseHostPort('127.0.0.1:9090')).toEqual({ host: '127.0.0.1', port: 9090 })
    expect(parseHostPort('localhost:0')).toEqual({ host: 'localhost', port: 0 })
    expect(parseHostPort('[::1]:65535')).toEqual({ host: '::1', port: 65535 })
  })

  test('rejects a missing host or port and a port out of range', () => {
    for (const bad of ['9090', ':9090', 'host:', 'host:65536', 'host:port', 'a b:1', '::1:80']) {
      expect(parseHostPort(bad)).toBeNull()
    }
  })
})

describe('isHttpUrl and isValidRegex', () => {
  test('accept only http(s) URLs', () => {
    expect(isHttpUrl('https://fe:8030/x')).toBe(true)
    expect(isHttpUrl('ftp://x')).toBe(false)
    expect(isHttpUrl('127.0.0.1:8123')).toBe(false)
  })

  test('accept only regular expressions that compile', () => {
    expect(isValidRegex('^[a-z]+$')).toBe(true)
    expect(isValidRegex('(')).toBe(false)
  })
})
