import { describe, expect, it } from 'vitest'
import { NetlabError } from './errors.js'
import { AddressPool, Subnet, intToIp, ipToInt, nthSlash24 } from './subnet.js'

describe('subnet', () => {
  it('converts addresses both ways', () => {
    expect(ipToInt('198.18.0.1')).toBe(198 * 2 ** 24 + 18 * 2 ** 16 + 1)
    expect(intToIp(ipToInt('255.255.255.255'))).toBe('255.255.255.255')
    expect(intToIp(ipToInt('100.64.3.7'))).toBe('100.64.3.7')
  })

  it('rejects what is not an IPv4 address or a usable subnet', () => {
    for (const bad of ['1.2.3', '1.2.3.256', '1.2.3.x', '']) {
      expect(() => ipToInt(bad)).toThrow(NetlabError)
    }
    for (const bad of ['10.0.0.0', '10.0.0.0/31', '10.0.0.0/4', 'x/24']) {
      expect(() => new Subnet(bad)).toThrow(/subnet|address/)
    }
  })

  it('numbers hosts from the network address, masking stray host bits', () => {
    const s = new Subnet('192.168.7.99/24')
    expect(s.toString()).toBe('192.168.7.0/24')
    expect(s.size).toBe(254)
    expect(s.host(1)).toBe('192.168.7.1')
    expect(s.host(254)).toBe('192.168.7.254')
    expect(() => s.host(255)).toThrow(NetlabError)
    expect(s.withPrefix('192.168.7.5')).toBe('192.168.7.5/24')
    expect(s.contains('192.168.7.200')).toBe(true)
    expect(s.contains('192.168.8.1')).toBe(false)
    const big = new Subnet('198.18.0.0/16')
    expect(big.host(256)).toBe('198.18.1.0')
    expect(big.contains('198.18.255.1')).toBe(true)
  })

  it('hands out each address once and says when the subnet is full', () => {
    const spread = new AddressPool(new Subnet('198.18.0.0/16'), 1, { spread: true })
    expect([spread.next(), spread.next(), spread.next()]).toEqual(['198.18.0.1', '198.18.1.1', '198.18.2.1'])
    for (let i = 3; i < 256; i++) spread.next()
    expect(spread.next()).toBe('198.18.0.2') // every /24 has one: the second round
    const small = new AddressPool(new Subnet('10.0.0.0/30'), 1, { spread: true })
    expect([small.next(), small.next()]).toEqual(['10.0.0.1', '10.0.0.2']) // no /24 to spread over
    const pool = new AddressPool(new Subnet('10.0.0.0/30'))
    expect([pool.next(), pool.next()]).toEqual(['10.0.0.1', '10.0.0.2'])
    expect(() => pool.next()).toThrow(/no free address/)
  })

  it('picks the n-th /24 of a /16 plan', () => {
    expect(nthSlash24('192.168.0.0', 1).toString()).toBe('192.168.1.0/24')
    expect(nthSlash24('100.64.0.0', 12).toString()).toBe('100.64.12.0/24')
    expect(() => nthSlash24('192.168.0.0', 256)).toThrow(NetlabError)
  })
})
