import { describe, expect, it } from 'vitest'
import { addressKey, hostKey, isPeer, isPort, sameAddress } from './address'

describe('address helpers', () => {
  it('compares hosts canonically', () => {
    expect(hostKey('::FFFF:1.2.3.4')).toBe(hostKey('::ffff:1.2.3.4'))
    expect(hostKey('2001:DB8:0:0::1')).toBe('2001:db8::1')
    expect(hostKey('Example.COM')).toBe('example.com')
    expect(sameAddress({ host: '2001:db8::1', port: 1 }, { host: '2001:DB8::1', port: 1 })).toBe(true)
    expect(sameAddress({ host: '1.2.3.4', port: 1 }, { host: '1.2.3.4', port: 2 })).toBe(false)
    expect(sameAddress(null, { host: '1.2.3.4', port: 2 })).toBe(false)
    expect(addressKey({ host: '1.2.3.4', port: 5 })).toBe('1.2.3.4|5')
  })

  it('validates ports and peers', () => {
    expect(isPort(1)).toBe(true)
    expect(isPort(65535)).toBe(true)
    expect(isPort(0)).toBe(false)
    expect(isPort(65536)).toBe(false)
    expect(isPort(1.5)).toBe(false)
    expect(isPeer({ host: '1.2.3.4', port: 80 })).toBe(true)
    expect(isPeer({ host: '', port: 80 })).toBe(false)
    expect(isPeer({ host: '1.2.3.4' })).toBe(false)
    expect(isPeer(null)).toBe(false)
  })
})
