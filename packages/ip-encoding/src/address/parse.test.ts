import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ipv4Host, ipv6Host, port } from '../../test/arbitraries'
import { formatAddress, parseAddress } from './parse'
import { code } from '../../test/error-code'

describe('parseAddress', () => {
  it.each([
    ['1.2.3.4:80', undefined, { host: '1.2.3.4', port: 80 }],
    [':8080', undefined, { host: '127.0.0.1', port: 8080 }],
    ['8080', undefined, { host: '127.0.0.1', port: 8080 }],
    [8080, undefined, { host: '127.0.0.1', port: 8080 }],
    ['[::1]:80', undefined, { host: '::1', port: 80 }],
    ['[2001:DB8:0::1]:443', undefined, { host: '2001:db8::1', port: 443 }],
    ['[::ffff:0102:0304]:1', undefined, { host: '::ffff:1.2.3.4', port: 1 }],
    ['[fe80::1%eth0]:5', undefined, { host: 'fe80::1%eth0', port: 5 }],
    ['[::1]', 49737, { host: '::1', port: 49737 }],
    ['::1', 49737, { host: '::1', port: 49737 }],
    ['2001::1:8080', 1, { host: '2001::1:8080', port: 1 }], // a bare IPv6 address never has a port
    ['1.2.3.4', 49737, { host: '1.2.3.4', port: 49737 }],
    ['Bootstrap1.Example.COM:49737', undefined, { host: 'bootstrap1.example.com', port: 49737 }],
    ['localhost', 3282, { host: 'localhost', port: 3282 }],
    ['example.com.:1', undefined, { host: 'example.com.', port: 1 }],
    ['1.2.3.4:65535', undefined, { host: '1.2.3.4', port: 65535 }],
    [{ host: '1.2.3.4', port: 9 }, undefined, { host: '1.2.3.4', port: 9 }],
    [{ host: '0:0::1' }, 7, { host: '::1', port: 7 }],
    [{ host: 'Node.Local', port: 9 }, undefined, { host: 'node.local', port: 9 }]
  ] as const)('%j (default %j)', (input, defaultPort, expected) => {
    expect(parseAddress(input as never, defaultPort)).toStrictEqual(expected)
  })

  it.each([
    ['1.2.3.4', undefined, 'INVALID_PORT'],
    ['1.2.3.4:', undefined, 'INVALID_PORT'],
    ['1.2.3.4:0', undefined, 'INVALID_PORT'],
    ['1.2.3.4:65536', undefined, 'INVALID_PORT'],
    ['1.2.3.4:8o', undefined, 'INVALID_PORT'],
    ['1.2.3.4:-1', undefined, 'INVALID_PORT'],
    ['0', undefined, 'INVALID_PORT'],
    [0, undefined, 'INVALID_PORT'],
    ['[::1]:', undefined, 'INVALID_PORT'],
    ['[::1]', undefined, 'INVALID_PORT'],
    ['localhost', 0, 'INVALID_PORT'],
    [{ host: '1.2.3.4' }, undefined, 'INVALID_PORT'],
    [{ host: '1.2.3.4', port: 70000 }, undefined, 'INVALID_PORT'],
    ['', undefined, 'INVALID_HOST'],
    ['1.2.3.256:80', undefined, 'INVALID_HOST'],
    ['01.2.3.4:80', undefined, 'INVALID_HOST'],
    ['1.2.3:80', undefined, 'INVALID_HOST'],
    ['[1.2.3.4]:80', undefined, 'INVALID_HOST'],
    ['[::1:80', undefined, 'INVALID_HOST'],
    ['[::1]x80', undefined, 'INVALID_HOST'],
    ['::1::', 1, 'INVALID_HOST'],
    ['bad host:80', undefined, 'INVALID_HOST'],
    ['-bad.com:80', undefined, 'INVALID_HOST'],
    ['bad-.com:80', undefined, 'INVALID_HOST'],
    ['a..b:80', undefined, 'INVALID_HOST'],
    [{ host: 7, port: 1 }, undefined, 'INVALID_HOST'],
    [null, undefined, 'INVALID_ARGUMENT'],
    [true, undefined, 'INVALID_ARGUMENT']
  ] as const)('%j (default %j) throws %s', (input, defaultPort, expected) => {
    expect(code(() => parseAddress(input as never, defaultPort))).toBe(expected)
  })

  it('round-trips formatAddress for IPv4 and IPv6 peers', () => {
    fc.assert(fc.property(fc.oneof(ipv4Host, ipv6Host), port, (host, p) => {
      const text = formatAddress({ host, port: p })
      expect(parseAddress(text)).toStrictEqual({ host, port: p })
    }), { numRuns: 300 })
  })
})

describe('formatAddress', () => {
  it('formats IPv4, IPv6 and hostnames', () => {
    expect(formatAddress({ host: '1.2.3.4', port: 80 })).toBe('1.2.3.4:80')
    expect(formatAddress({ host: '::1', port: 80 })).toBe('[::1]:80')
    expect(formatAddress({ host: '2001:DB8:0:0::1', port: 80 })).toBe('[2001:db8::1]:80')
    expect(formatAddress({ host: 'fe80::1%eth0', port: 80 })).toBe('[fe80::1%eth0]:80')
    expect(formatAddress({ host: 'Example.com', port: 80 })).toBe('example.com:80')
  })

  it('throws rather than printing garbage', () => {
    expect(code(() => formatAddress({ host: '1.2.3.4', port: 0 }))).toBe('INVALID_PORT')
    expect(code(() => formatAddress({ host: '1.2.3.999', port: 1 }))).toBe('INVALID_HOST')
    expect(code(() => formatAddress({ host: '', port: 1 }))).toBe('INVALID_HOST')
    expect(code(() => formatAddress(null as never))).toBe('INVALID_ARGUMENT')
  })
})
