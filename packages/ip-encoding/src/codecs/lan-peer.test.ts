import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { hex, ipv4Host, atOffset } from '../../test/arbitraries'
import { IpEncodingError } from '../errors'
import type { Peer } from '../types'
import { lanPeer } from './lan-peer'
import { ipv4Peers } from './peer'
import { code } from '../../test/error-code'

// hyperdht@1.3.0's decodeLocalPeers, restated: the oracle for valid input.
function referenceDecode (buf: Uint8Array, localAddress: Uint8Array): Peer[] {
  const out: Peer[] = []
  for (let i = 0; i + 4 <= buf.length; i += 4) {
    const port = (buf[i + 2]! << 8) | buf[i + 3]!
    if (!port) continue
    out.push({ host: `${localAddress[0]}.${localAddress[1]}.${buf[i]}.${buf[i + 1]}`, port })
  }
  return out
}

const sameSubnet = fc.tuple(ipv4Host, fc.array(fc.tuple(fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 65535 })), { maxLength: 20 }))
  .map(([local, tails]) => {
    const [a, b] = local.split('.')
    return { local, peers: tails.map(([c, d, port]) => ({ host: `${a}.${b}.${c}.${d}`, port })) }
  })

describe('lanPeer', () => {
  it('encodes the last two octets then the port', () => {
    expect(hex(lanPeer.encode({ host: '192.168.1.20', port: 0x1234 }))).toBe('01141234')
    expect(hex(lanPeer.encode({ host: '::ffff:192.168.1.20', port: 0x1234 }))).toBe('01141234')
    expect(lanPeer.bytesPerEntry).toBe(4)
    expect(lanPeer.encodingLength([{ host: '1.2.3.4', port: 1 }])).toBe(4)
  })

  it('round-trips lists within one /16, with every kind of prefix', () => {
    fc.assert(fc.property(sameSubnet, fc.integer({ min: 0, max: 65535 }), ({ local, peers }, localPort) => {
      const bytes = lanPeer.encodeList(peers)
      expect(bytes.length).toBe(lanPeer.encodingLength(peers))
      const localPeer = Uint8Array.from([...local.split('.').map(Number), localPort >> 8, localPort & 255])
      const prefixes = [local, { host: local, port: 1 }, localPeer, localPeer.subarray(0, 4), localPeer.subarray(0, 2), atOffset(localPeer)]
      for (const prefix of prefixes) expect(lanPeer.decode(bytes, prefix)).toStrictEqual(peers)
      expect(lanPeer.decode(atOffset(bytes), local)).toStrictEqual(peers)
      expect(lanPeer.decode(bytes, localPeer)).toStrictEqual(referenceDecode(bytes, localPeer))
    }), { numRuns: 80 })
  })

  it('accepts the 6-byte localAddress of hyperdht, port 0 included', () => {
    const localAddress = Uint8Array.from([10, 0, 7, 7, 0, 0])
    const bytes = lanPeer.encodeList([{ host: '10.0.3.4', port: 80 }])
    expect(lanPeer.decode(bytes, localAddress)).toStrictEqual([{ host: '10.0.3.4', port: 80 }])
    expect(lanPeer.decodeOne(Uint8Array.from([9, 9, 3, 4, 0, 80]), localAddress, 2)).toStrictEqual({ host: '10.0.3.4', port: 80 })
  })

  it('is the tail of the 6-byte peer', () => {
    fc.assert(fc.property(ipv4Host, fc.integer({ min: 1, max: 65535 }), (host, port) => {
      expect(hex(lanPeer.encode({ host, port }))).toBe(hex(ipv4Peers.encodeOne({ host, port }).subarray(2)))
    }))
  })

  it('throws on a trailing partial entry instead of skipping it', () => {
    const bytes = lanPeer.encodeList([{ host: '10.0.3.4', port: 80 }, { host: '10.0.3.5', port: 81 }])
    for (const n of [1, 2, 3, 5, 6, 7]) expect(code(() => lanPeer.decode(bytes.subarray(0, n), '10.0.0.1'))).toBe('INVALID_LENGTH')
    expect(code(() => lanPeer.decodeOne(bytes, '10.0.0.1', 5))).toBe('INVALID_LENGTH')
    expect(lanPeer.decode(new Uint8Array(0), '10.0.0.1')).toStrictEqual([])
  })

  it('throws on port 0 instead of skipping the entry', () => {
    expect(code(() => lanPeer.decode(Uint8Array.from([1, 2, 0, 0]), '10.0.0.1'))).toBe('INVALID_PORT')
    expect(code(() => lanPeer.encode({ host: '10.0.0.1', port: 0 }))).toBe('INVALID_PORT')
  })

  it('rejects bad prefixes and hosts', () => {
    const bytes = Uint8Array.from([1, 2, 0, 1])
    for (const n of [0, 1, 3, 5, 7, 16]) expect(code(() => lanPeer.decode(bytes, new Uint8Array(n)))).toBe('INVALID_LENGTH')
    for (const prefix of ['10.0', '::1', 'fe80::1', 'localhost', '']) expect(code(() => lanPeer.decode(bytes, prefix))).toBe('INVALID_HOST')
    for (const prefix of [null, undefined, 10]) expect(code(() => lanPeer.decode(bytes, prefix as never))).toBe('INVALID_ARGUMENT')
    expect(code(() => lanPeer.encode({ host: '::1', port: 1 }))).toBe('INVALID_HOST')
    expect(code(() => lanPeer.encode(null as never))).toBe('INVALID_ARGUMENT')
    expect(code(() => lanPeer.encodeList('x' as never))).toBe('INVALID_ARGUMENT')
  })

  it('samePrefix compares /16 networks in any prefix form', () => {
    expect(lanPeer.samePrefix('192.168.1.1', Uint8Array.from([192, 168, 9, 9, 0, 0]))).toBe(true)
    expect(lanPeer.samePrefix({ host: '::ffff:192.168.1.1', port: 1 }, Uint8Array.from([192, 168]))).toBe(true)
    expect(lanPeer.samePrefix('192.168.1.1', '192.169.1.1')).toBe(false)
  })

  it('decodes random bytes into entries that re-encode to the same bytes, or throws', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 30 }), ipv4Host, (bytes, prefix) => {
      let peers: Peer[]
      try {
        peers = lanPeer.decode(bytes, prefix)
      } catch (err) {
        expect(IpEncodingError.isInstance(err)).toBe(true)
        return
      }
      expect(hex(lanPeer.encodeList(peers))).toBe(hex(bytes))
      for (const p of peers) expect(lanPeer.samePrefix(p.host, prefix)).toBe(true)
    }), { numRuns: 300 })
  })
})
