import { describe, expect, it } from 'vitest'
import { formatHostPort, parseHostPort, parsePort } from './address.js'

describe('parseHostPort', () => {
  it('parses host:port, [v6]:port and :port', () => {
    expect(parseHostPort('127.0.0.1:49737')).toEqual({ host: '127.0.0.1', port: 49737 })
    expect(parseHostPort('bootstrap.example.org:1')).toEqual({ host: 'bootstrap.example.org', port: 1 })
    expect(parseHostPort('[::1]:8080')).toEqual({ host: '::1', port: 8080 })
    expect(parseHostPort(':9000')).toEqual({ host: '127.0.0.1', port: 9000 })
  })

  it('refuses what is not an address, with the reason', () => {
    expect(() => parseHostPort('localhost')).toThrow(/the port is missing/)
    expect(() => parseHostPort('1.2.3.4:0')).toThrow(/out of range/)
    expect(() => parseHostPort('1.2.3.4:65536')).toThrow(/out of range/)
    expect(() => parseHostPort('1.2.3.4:http')).toThrow(/not a port number/)
    expect(() => parseHostPort('::1:80')).toThrow(/\[address\]:port/)
    expect(() => parseHostPort('[nope]:80')).toThrow(/not an IPv6 address/)
    expect(() => parseHostPort('')).toThrow(/expected host:port/)
  })

  it('allows port 0 only when asked (a local address to bind)', () => {
    expect(parseHostPort('10.0.0.1:0', { allowZero: true })).toEqual({ host: '10.0.0.1', port: 0 })
    expect(parsePort('0', '--listen-port', true)).toBe(0)
  })

  it('formats IPv6 with brackets', () => {
    expect(formatHostPort({ host: '::1', port: 1 })).toBe('[::1]:1')
    expect(formatHostPort({ host: '10.0.0.1', port: 2 })).toBe('10.0.0.1:2')
  })
})
