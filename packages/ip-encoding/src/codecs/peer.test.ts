import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { atOffset, hex, ipv6Spelling, nodeCanonical, fullText, peer4, peer6 } from '../../test/arbitraries'
import { IpEncodingError } from '../errors'
import type { Peer } from '../types'
import { ipv4Peers, ipv6Peers, peerCodec } from './peer'
import { code } from '../../test/error-code'

describe('ipv4Peers', () => {
  it('encodes 4 address bytes then the port, big-endian', () => {
    const bytes = ipv4Peers.encode([{ host: '127.0.0.1', port: 80 }, { host: '10.1.2.3', port: 0xabcd }])
    expect(hex(bytes)).toBe('7f0000010050' + '0a010203abcd')
    expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype)
    expect(ipv4Peers.bytesPerEntry).toBe(6)
    expect(ipv4Peers.family).toBe(4)
    expect(ipv4Peers.encodingLength([{ host: '1.2.3.4', port: 1 }, { host: '1.2.3.4', port: 1 }])).toBe(12)
  })

  it('round-trips random lists', () => {
    fc.assert(fc.property(fc.array(peer4, { maxLength: 30 }), (peers) => {
      const bytes = ipv4Peers.encode(peers)
      expect(bytes.length).toBe(ipv4Peers.encodingLength(peers))
      expect(ipv4Peers.decode(bytes)).toStrictEqual(peers)
    }))
  })

  it('round-trips single peers with encodeOne / decodeOne', () => {
    fc.assert(fc.property(peer4, (peer) => {
      expect(ipv4Peers.decodeOne(ipv4Peers.encodeOne(peer))).toStrictEqual(peer)
    }))
  })

  it('decodes Buffers and views with a non-zero byteOffset', () => {
    fc.assert(fc.property(fc.array(peer4, { maxLength: 10 }), (peers) => {
      const bytes = ipv4Peers.encode(peers)
      expect(ipv4Peers.decode(atOffset(bytes))).toStrictEqual(peers)
      expect(ipv4Peers.decode(Buffer.from(bytes))).toStrictEqual(peers)
      const inBuffer = Buffer.concat([Buffer.alloc(7, 1), Buffer.from(bytes)]).subarray(7)
      expect(inBuffer.byteOffset).not.toBe(0)
      expect(ipv4Peers.decode(inBuffer)).toStrictEqual(peers)
    }), { numRuns: 50 })
  })

  it('decodeOne reads at an offset and ignores what follows', () => {
    const bytes = ipv4Peers.encode([{ host: '1.1.1.1', port: 1 }, { host: '2.2.2.2', port: 2 }])
    expect(ipv4Peers.decodeOne(bytes, 6)).toStrictEqual({ host: '2.2.2.2', port: 2 })
    expect(ipv4Peers.decodeOne(bytes)).toStrictEqual({ host: '1.1.1.1', port: 1 })
    expect(code(() => ipv4Peers.decodeOne(bytes, 7))).toBe('INVALID_LENGTH')
    expect(code(() => ipv4Peers.decodeOne(bytes, 13))).toBe('INVALID_LENGTH')
    expect(code(() => ipv4Peers.decodeOne(bytes, -1))).toBe('INVALID_ARGUMENT')
    expect(code(() => ipv4Peers.decodeOne(bytes, 1.5))).toBe('INVALID_ARGUMENT')
  })

  it('encodes an IPv4-mapped IPv6 host as the IPv4 address', () => {
    const bytes = ipv4Peers.encodeOne({ host: '::ffff:192.168.0.1', port: 9 })
    expect(ipv4Peers.decodeOne(bytes)).toStrictEqual({ host: '192.168.0.1', port: 9 })
    expect(ipv4Peers.decodeOne(ipv4Peers.encodeOne({ host: '::FFFF:c0a8:1', port: 9 }))).toStrictEqual({ host: '192.168.0.1', port: 9 })
  })

  it('encodeInto writes at an offset without allocating and checks room', () => {
    const target = new Uint8Array(20).fill(0xee)
    const peers = [{ host: '1.2.3.4', port: 5 }, { host: '6.7.8.9', port: 10 }]
    expect(ipv4Peers.encodeInto(peers, target, 3)).toBe(12)
    expect(hex(target)).toBe('eeeeee' + '010203040005' + '06070809000a' + 'eeeeeeee' + 'ee')
    expect(code(() => ipv4Peers.encodeInto(peers, new Uint8Array(11)))).toBe('INVALID_LENGTH')
    expect(code(() => ipv4Peers.encodeInto(peers, target, 9))).toBe('INVALID_LENGTH')
  })

  it('rejects truncated and over-long buffers with INVALID_LENGTH', () => {
    const bytes = ipv4Peers.encode([{ host: '1.2.3.4', port: 5 }, { host: '6.7.8.9', port: 10 }])
    for (let n = 1; n < bytes.length; n++) {
      if (n % 6 !== 0) expect(code(() => ipv4Peers.decode(bytes.subarray(0, n)))).toBe('INVALID_LENGTH')
    }
    expect(code(() => ipv4Peers.decodeOne(new Uint8Array(5)))).toBe('INVALID_LENGTH')
    expect(ipv4Peers.decode(new Uint8Array(0))).toStrictEqual([])
  })

  it('rejects port 0 on decode and bad ports on encode with INVALID_PORT', () => {
    expect(code(() => ipv4Peers.decode(Uint8Array.from([1, 2, 3, 4, 0, 0])))).toBe('INVALID_PORT')
    expect(code(() => ipv4Peers.decode(Uint8Array.from([1, 2, 3, 4, 0, 1, 1, 2, 3, 4, 0, 0])))).toBe('INVALID_PORT')
    for (const port of [0, -1, 65536, 1.5, NaN, Infinity, '80', undefined, null]) {
      expect(code(() => ipv4Peers.encode([{ host: '1.2.3.4', port: port as number }]))).toBe('INVALID_PORT')
      expect(code(() => ipv4Peers.encodeOne({ host: '1.2.3.4', port: port as number }))).toBe('INVALID_PORT')
    }
  })

  it('rejects malformed and IPv6 hosts with INVALID_HOST', () => {
    for (const host of ['', '1.2.3', '1.2.3.4.5', '1.2.3.256', '01.2.3.4', '1.2.3.-1', ' 1.2.3.4', '1.2.3.4 ',
      'localhost', '::1', '2001:db8::1', 'fe80::1%eth0', '::ffff:1.2.3.4%eth0', '1.2.3.4:80', 42, null, undefined]) {
      expect(code(() => ipv4Peers.encode([{ host: host as string, port: 80 }]))).toBe('INVALID_HOST')
    }
  })

  it('rejects non-arrays, non-objects and non-bytes with INVALID_ARGUMENT', () => {
    expect(code(() => ipv4Peers.encode({} as never))).toBe('INVALID_ARGUMENT')
    expect(code(() => ipv4Peers.encode([null] as never))).toBe('INVALID_ARGUMENT')
    expect(code(() => ipv4Peers.encodingLength('abc' as never))).toBe('INVALID_ARGUMENT')
    expect(code(() => ipv4Peers.decode('abcdef' as never))).toBe('INVALID_ARGUMENT')
    expect(code(() => ipv4Peers.decode([1, 2, 3, 4, 5, 6] as never))).toBe('INVALID_ARGUMENT')
    expect(code(() => ipv4Peers.decode(new Uint16Array(3) as never))).toBe('INVALID_ARGUMENT')
  })

  it('decodes random bytes into entries that re-encode to the same bytes, or throws', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
      let peers: Peer[]
      try {
        peers = ipv4Peers.decode(bytes)
      } catch (err) {
        expect(IpEncodingError.isInstance(err)).toBe(true)
        return
      }
      expect(hex(ipv4Peers.encode(peers))).toBe(hex(bytes))
    }), { numRuns: 500 })
  })
})

describe('ipv6Peers', () => {
  it('encodes 16 address bytes then the port', () => {
    const bytes = ipv6Peers.encode([{ host: '2001:db8::1', port: 443 }])
    expect(hex(bytes)).toBe('20010db8000000000000000000000001' + '01bb')
    expect(ipv6Peers.bytesPerEntry).toBe(18)
    expect(ipv6Peers.family).toBe(6)
  })

  it('round-trips random lists of canonical hosts', () => {
    fc.assert(fc.property(fc.array(peer6, { maxLength: 20 }), (peers) => {
      const bytes = ipv6Peers.encode(peers)
      expect(bytes.length).toBe(ipv6Peers.encodingLength(peers))
      expect(ipv6Peers.decode(bytes)).toStrictEqual(peers)
      expect(ipv6Peers.decode(atOffset(bytes, 5))).toStrictEqual(peers)
    }))
  })

  it('decodes any spelling of a host to the canonical form Node prints', () => {
    fc.assert(fc.property(ipv6Spelling, fc.integer({ min: 1, max: 65535 }), ({ bytes, text }, port) => {
      const encoded = ipv6Peers.encodeOne({ host: text, port })
      expect(hex(encoded.subarray(0, 16))).toBe(hex(bytes))
      expect(ipv6Peers.decodeOne(encoded)).toStrictEqual({ host: nodeCanonical(fullText(bytes)), port })
    }), { numRuns: 300 })
  })

  it('encodes an IPv4 host as its IPv4-mapped address', () => {
    const bytes = ipv6Peers.encodeOne({ host: '1.2.3.4', port: 5 })
    expect(hex(bytes)).toBe('00000000000000000000ffff01020304' + '0005')
    expect(ipv6Peers.decodeOne(bytes)).toStrictEqual({ host: '::ffff:1.2.3.4', port: 5 })
  })

  it('rejects bad input with typed errors', () => {
    expect(code(() => ipv6Peers.decode(new Uint8Array(17)))).toBe('INVALID_LENGTH')
    expect(code(() => ipv6Peers.decode(new Uint8Array(18)))).toBe('INVALID_PORT')
    expect(code(() => ipv6Peers.encodeOne({ host: '::1', port: 0 }))).toBe('INVALID_PORT')
    for (const host of ['', '::1::', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', '[::1]', 'localhost', '1.2.3']) {
      expect(code(() => ipv6Peers.encodeOne({ host, port: 1 }))).toBe('INVALID_HOST')
    }
  })

  it('decodes random bytes into entries that re-encode to the same bytes, or throws', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 60 }), (bytes) => {
      let peers: Peer[]
      try {
        peers = ipv6Peers.decode(bytes)
      } catch (err) {
        expect(IpEncodingError.isInstance(err)).toBe(true)
        return
      }
      expect(hex(ipv6Peers.encode(peers))).toBe(hex(bytes))
    }), { numRuns: 500 })
  })
})

describe('peerCodec', () => {
  it('picks the codec of a family', () => {
    expect(peerCodec(4)).toBe(ipv4Peers)
    expect(peerCodec(6)).toBe(ipv6Peers)
    expect(code(() => peerCodec(5 as never))).toBe('INVALID_ARGUMENT')
  })

  it('codecs are frozen and their methods work unbound', () => {
    expect(Object.isFrozen(ipv4Peers)).toBe(true)
    const { encode, decode } = ipv4Peers
    expect(decode(encode([{ host: '1.2.3.4', port: 5 }]))).toStrictEqual([{ host: '1.2.3.4', port: 5 }])
  })
})
