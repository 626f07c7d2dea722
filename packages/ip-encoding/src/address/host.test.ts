import { isIP } from 'node:net'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fullText, ipv4Host, ipv6Bytes, ipv6Spelling, nodeCanonical } from '../../test/arbitraries'
import { addressFamily, hostKey, ipv4Text, ipv4Value, normalizeHost, prefix16, prefix24 } from './host'
import { code } from '../../test/error-code'

describe('the remembered last host', () => {
  it('answers a repeat of the last host from memory, whichever function parsed it', () => {
    const sequence: Array<[(host: string) => unknown, string, unknown]> = [
      [ipv4Value, '1.2.3.4', 0x01020304],
      [ipv4Value, '1.2.3.4', 0x01020304], // the remembered one
      [addressFamily, '1.2.3.4', 4],
      [hostKey, '1.2.3.4', '1.2.3.4'],
      [hostKey, '0.0.0.0', null],
      [ipv4Value, '0.0.0.0', 0],
      [addressFamily, '1.2.3.4x', 0],
      [ipv4Value, '1.2.3.4x', -1],
      [ipv4Value, String(1) + '.2.3.4', 0x01020304], // an equal string built at run time
      [ipv4Value, '::ffff:1.2.3.4', 0x01020304],
      [ipv4Value, '1.2.3.44', 0x0102032c],
      [normalizeHost, '1.2.3.44', '1.2.3.44']
    ]
    for (const [fn, host, expected] of sequence) expect(fn(host)).toBe(expected)
  })
})

describe('addressFamily', () => {
  it.each([
    ['1.2.3.4', 4], ['0.0.0.0', 4], ['255.255.255.255', 4],
    ['::', 6], ['::1', 6], ['::ffff:1.2.3.4', 6], ['fe80::1%eth0', 6], ['1:2:3:4:5:6:7::', 6],
    ['1:2:3:4:5::1.2.3.4', 6], ['ABCD::EF', 6],
    ['', 0], ['01.2.3.4', 0], ['1.2.3.256', 0], ['1.2.3', 0], ['1.2.3.4.', 0], [' 1.2.3.4', 0],
    ['localhost', 0], ['[::1]', 0], ['1:2:3:4:5:6:7:8::', 0], ['::1.2.3.4:5', 0], ['fe80::1%', 0],
    ['00000::1', 0], ['1:::2', 0], [':1', 0], ['1:', 0], ['::ffff:01.2.3.4', 0]
  ] as const)('%j is %i', (host, family) => {
    expect(addressFamily(host)).toBe(family)
    expect(isIP(host)).toBe(family) // the same answer as Node
  })

  it('agrees with net.isIP on random strings', () => {
    const chars = '0123456789abcdefABCDEF:.%gx'.split('')
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...chars), maxLength: 24 }), (s) => {
      expect(addressFamily(s)).toBe(isIP(s))
    }), { numRuns: 3000 })
  })

  it('agrees with net.isIP on mutated valid addresses', () => {
    const mutated = fc.tuple(fc.oneof(ipv4Host, ipv6Spelling.map((s) => s.text)), fc.nat(40), fc.constantFrom('', ':', '.', '0', 'f', '::', '%'))
      .map(([s, at, insert]) => s.slice(0, at % (s.length + 1)) + insert + s.slice((at % (s.length + 1)) + (insert ? 0 : 1)))
    fc.assert(fc.property(mutated, (s) => {
      expect(addressFamily(s)).toBe(isIP(s))
    }), { numRuns: 2000 })
  })

  it('returns 0 for non-strings', () => {
    expect(addressFamily(42 as never)).toBe(0)
    expect(addressFamily(undefined as never)).toBe(0)
  })
})

describe('normalizeHost', () => {
  it.each([
    ['1.2.3.4', '1.2.3.4'],
    ['0:0::2', '::2'],
    ['::0.0.0.1', '::1'],
    ['::0.1.0.1', '::0.1.0.1'],
    ['::FFFF:0102:0304', '::ffff:1.2.3.4'],
    ['::ffff:0:1.2.3.4', '::ffff:0:102:304'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'],
    ['1:0:1:0:1:0:1:0', '1:0:1:0:1:0:1:0'],
    ['0:0:0:0:0:1:0:0', '::1:0:0'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['fe80::0001%eth0', 'fe80::1%eth0']
  ])('%s -> %s', (input, canonical) => {
    expect(normalizeHost(input)).toBe(canonical)
  })

  it('prints every IPv6 address as Node does', () => {
    fc.assert(fc.property(ipv6Bytes, (bytes) => {
      const text = fullText(bytes)
      expect(normalizeHost(text)).toBe(nodeCanonical(text))
    }), { numRuns: 2000 })
  })

  it('maps every spelling of an address to the same canonical text', () => {
    fc.assert(fc.property(ipv6Spelling, ({ bytes, text }) => {
      expect(isIP(text)).toBe(6)
      expect(normalizeHost(text)).toBe(nodeCanonical(fullText(bytes)))
    }), { numRuns: 2000 })
  })

  it('throws INVALID_HOST for anything that is not an IP address', () => {
    for (const bad of ['', 'localhost', '1.2.3.256', '[::1]', '::1::', 'fe80::1%', 42, null]) {
      expect(code(() => normalizeHost(bad as string))).toBe('INVALID_HOST')
    }
  })
})

describe('ipv4Text', () => {
  it('is the inverse of ipv4Value on dotted quads, every octet included', () => {
    for (let octet = 0; octet < 256; octet++) {
      for (const host of [`${octet}.0.0.0`, `0.${octet}.0.0`, `0.0.${octet}.0`, `0.0.0.${octet}`, `${octet}.${255 - octet}.${octet}.${255 - octet}`]) {
        expect(ipv4Text(ipv4Value(host))).toBe(host)
      }
    }
    expect(ipv4Text(0x0a141e28)).toBe('10.20.30.40')
    expect(ipv4Text(0xffffffff)).toBe('255.255.255.255')
  })

  it('throws INVALID_ARGUMENT for anything but an integer in [0, 2^32)', () => {
    for (const bad of [-1, 2 ** 32, 1.5, NaN, Infinity, '1', null, undefined]) {
      expect(() => ipv4Text(bad as number)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
    }
  })
})

describe('prefix16 / prefix24', () => {
  it('keys IPv4 by /16 and /24', () => {
    expect(prefix16('10.20.30.40')).toBe('10.20.0.0/16')
    expect(prefix24('10.20.30.40')).toBe('10.20.30.0/24')
    expect(prefix16('255.255.255.255')).toBe('255.255.0.0/16')
    expect(prefix24('255.255.255.255')).toBe('255.255.255.0/24')
  })

  it('keys IPv4-mapped IPv6 like the IPv4 address', () => {
    expect(prefix16('::ffff:10.20.30.40')).toBe('10.20.0.0/16')
    expect(prefix24('::FFFF:0a14:1e28')).toBe('10.20.30.0/24')
  })

  it('keys IPv6 by /32 and /48, ignoring the zone', () => {
    expect(prefix16('2001:db8:1:2:3:4:5:6')).toBe('2001:db8::/32')
    expect(prefix24('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1::/48')
    expect(prefix24('2001:DB8:0001::1')).toBe('2001:db8:1::/48')
    expect(prefix16('fe80::1%eth0')).toBe('fe80::/32')
    expect(prefix16('::1')).toBe('::/32')
  })

  it('gives equal keys exactly for equal networks', () => {
    fc.assert(fc.property(ipv4Host, ipv4Host, (a, b) => {
      const pa = a.split('.')
      const pb = b.split('.')
      expect(prefix16(a) === prefix16(b)).toBe(pa[0] === pb[0] && pa[1] === pb[1])
      expect(prefix24(a) === prefix24(b)).toBe(pa[0] === pb[0] && pa[1] === pb[1] && pa[2] === pb[2])
    }))
  })

  it('throws INVALID_HOST for non-addresses', () => {
    expect(code(() => prefix16('example.com'))).toBe('INVALID_HOST')
    expect(code(() => prefix24('1.2.3'))).toBe('INVALID_HOST')
    expect(code(() => prefix24(7 as never))).toBe('INVALID_HOST')
  })
})

describe('hostKey', () => {
  it('IPv4 literals key as themselves, and IPv4-mapped IPv6 as the dotted quad', () => {
    expect(hostKey('127.0.0.1')).toBe('127.0.0.1')
    expect(hostKey('::ffff:127.0.0.1')).toBe('127.0.0.1')
    expect(hostKey('::FFFF:7f00:1')).toBe('127.0.0.1')
  })

  it('IPv6 spellings of one address compare equal, zone ids dropped', () => {
    expect(hostKey('::1')).toBe(hostKey('0:0:0:0:0:0:0:1'))
    expect(hostKey('fe80::1%eth0')).toBe(hostKey('FE80:0::0001'))
    expect(hostKey('2001:db8::1')).not.toBe(hostKey('2001:db8::2'))
    expect(hostKey('64:ff9b::1.2.3.4')).toBe(hostKey('64:ff9b:0:0:0:0:102:304'))
  })

  it('host names, garbage and unspecified addresses have no key', () => {
    for (const h of ['localhost', '0.0.0.0', '::', '::ffff:0.0.0.0', '1.2.3', '01.2.3.4', '', 'fe80::1%', 42 as unknown as string]) {
      expect(hostKey(h)).toBeNull()
    }
  })
})

describe('ipv4Value', () => {
  it('is the 32-bit value of a dotted quad or IPv4-mapped address, -1 for anything else', () => {
    expect(ipv4Value('1.2.3.4')).toBe(0x01020304)
    expect(ipv4Value('255.255.255.255')).toBe(0xffffffff)
    expect(ipv4Value('0.0.0.0')).toBe(0)
    expect(ipv4Value('::ffff:1.2.3.4')).toBe(0x01020304)
    for (const h of ['::1', 'fe80::1%eth0', 'localhost', '1.2.3', '01.2.3.4', '', 42 as unknown as string]) {
      expect(ipv4Value(h)).toBe(-1)
    }
  })

  it('agrees with prefix24 and prefix16 on every IPv4 host', () => {
    fc.assert(fc.property(ipv4Host, (h) => {
      const v = ipv4Value(h)
      expect(prefix24(h)).toBe(`${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.0/24`)
      expect(prefix16(h)).toBe(`${v >>> 24}.${(v >>> 16) & 255}.0.0/16`)
    }))
  })
})
