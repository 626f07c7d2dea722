import { describe, expect, it } from 'vitest'
import { addressKey, hostKey, isPeer, isPort, punchAddress, sameAddress } from './address'

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

  it('punches a claimed address only on the host the referrer saw', () => {
    const seen = { host: '203.0.113.7', port: 4000 }
    // same host, another port: the peer's own view of its mapping wins
    expect(punchAddress({ host: '203.0.113.7', port: 5000 }, seen)).toEqual({ host: '203.0.113.7', port: 5000 })
    // another host: a lie that would aim our probes at a third party
    expect(punchAddress({ host: '198.51.100.1', port: 53 }, seen)).toBe(seen)
    expect(punchAddress(null, seen)).toBe(seen)
    expect(punchAddress({ host: '198.51.100.1', port: 53 }, null)).toEqual({ host: '198.51.100.1', port: 53 })
    expect(punchAddress(null, null)).toBeNull()
  })
})
