import { describe, expect, it } from 'vitest'
import { parsePeer } from './dht.js'

describe('parsePeer', () => {
  it('parses the address forms the reference accepts', () => {
    expect(parsePeer('1.2.3.4:5')).toEqual({ host: '1.2.3.4', port: 5 })
    expect(parsePeer(':7')).toEqual({ host: '127.0.0.1', port: 7 })
    expect(parsePeer(9)).toEqual({ host: '127.0.0.1', port: 9 })
    expect(parsePeer('example.org')).toEqual({ host: 'example.org', port: 3282 })
    expect(parsePeer('[::1]:8')).toEqual({ host: '::1', port: 8 })
    expect(parsePeer({ host: 'h', port: 1 })).toEqual({ host: 'h', port: 1 })
    expect(() => parsePeer('1.2.3.4:99999')).toThrow()
  })
})
