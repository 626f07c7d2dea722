// Differential test against the reference, ipv4-peers@2.0.0: byte-identical on valid input in
// both directions, and a record of where we deliberately throw instead of accepting garbage.
import fc from 'fast-check'
import reference from 'ipv4-peers'
import { describe, expect, it } from 'vitest'
import { IpEncodingError, ipv4Peers, nodeCodec } from '../src/index'
import { hex, ipv4Host, nodeOf, peer4 } from './arbitraries'

const plainId = <T extends { id: Uint8Array }>(n: T) => ({ ...n, id: Uint8Array.from(n.id) })

describe('ipv4Peers vs ipv4-peers@2.0.0', () => {
  it('encodes random valid lists to the same bytes', () => {
    fc.assert(fc.property(fc.array(peer4, { maxLength: 40 }), (peers) => {
      const theirs = reference.encode(peers)
      expect(hex(ipv4Peers.encode(peers))).toBe(theirs.toString('hex'))
      expect(ipv4Peers.encodingLength(peers)).toBe(reference.encodingLength(peers))
    }), { numRuns: 300 })
  })

  it('decodes their bytes to the same peers', () => {
    fc.assert(fc.property(fc.array(peer4, { maxLength: 40 }), (peers) => {
      const theirs = reference.encode(peers)
      expect(ipv4Peers.decode(theirs)).toStrictEqual(reference.decode(theirs))
    }), { numRuns: 300 })
  })

  it('agrees on every valid 6-byte entry: decode random bytes, both sides', () => {
    const entry = fc.uint8Array({ minLength: 6, maxLength: 6 }).filter((b) => b[4] !== 0 || b[5] !== 0)
    fc.assert(fc.property(fc.array(entry, { maxLength: 10 }), (entries) => {
      const bytes = Buffer.concat(entries)
      expect(ipv4Peers.decode(bytes)).toStrictEqual(reference.decode(bytes))
      expect(hex(ipv4Peers.encode(reference.decode(bytes)))).toBe(bytes.toString('hex'))
    }), { numRuns: 300 })
  })

  it('both reject port 0 on decode', () => {
    const bytes = Buffer.from([1, 2, 3, 4, 0, 0])
    expect(() => reference.decode(bytes)).toThrow(RangeError)
    expect(() => ipv4Peers.decode(bytes)).toThrow(IpEncodingError)
  })
})

describe('nodeCodec vs ipv4-peers@2.0.0 idLength(n)', () => {
  it('encodes and decodes nodes identically for any id length', () => {
    const arb = fc.integer({ min: 1, max: 40 }).chain((n) => fc.tuple(fc.constant(n), fc.array(nodeOf(n, 4), { maxLength: 20 })))
    fc.assert(fc.property(arb, ([idLength, nodes]) => {
      const ref = reference.idLength(idLength)
      const codec = nodeCodec({ idLength })
      const theirs = ref.encode(nodes.map((n) => ({ ...n, id: Buffer.from(n.id) })))
      expect(hex(codec.encode(nodes))).toBe(theirs.toString('hex'))
      expect(codec.decode(theirs)).toStrictEqual(ref.decode(theirs).map((n) => plainId(n as { id: Buffer })))
    }), { numRuns: 150 })
  })

  it('encodes a 32-byte id node as 38 bytes, like the reference', () => {
    const node = { id: Buffer.alloc(32, 7), host: '10.0.0.1', port: 49737 }
    expect(hex(nodeCodec({ idLength: 32 }).encodeOne(node))).toBe(reference.idLength(32).encode([node]).toString('hex'))
  })
})

describe('deliberate differences: the reference accepts garbage, we throw', () => {
  const codeOf = (fn: () => unknown): string | undefined => {
    try { fn() } catch (err) { return IpEncodingError.isInstance(err) ? err.code : 'untyped' }
    return undefined
  }

  it('a truncated buffer: they drop the partial entry, we throw INVALID_LENGTH', () => {
    const bytes = reference.encode([{ host: '1.2.3.4', port: 5 }, { host: '6.7.8.9', port: 10 }]).subarray(0, 9)
    expect(reference.decode(bytes)).toHaveLength(1)
    expect(codeOf(() => ipv4Peers.decode(bytes))).toBe('INVALID_LENGTH')
  })

  it('a malformed host: they write zeros or wrapped octets, we throw INVALID_HOST', () => {
    for (const host of ['localhost', '1.2.3', '1.2.3.256', '::1']) {
      expect(() => reference.encode([{ host, port: 80 }])).not.toThrow()
      expect(codeOf(() => ipv4Peers.encode([{ host, port: 80 }]))).toBe('INVALID_HOST')
    }
    expect(reference.decode(reference.encode([{ host: '1.2.3.256', port: 80 }]))[0]!.host).toBe('1.2.3.0')
  })

  it('leading zeros: they read decimal, we refuse the ambiguity with INVALID_HOST', () => {
    expect(reference.decode(reference.encode([{ host: '010.0.0.1', port: 80 }]))[0]!.host).toBe('10.0.0.1')
    expect(codeOf(() => ipv4Peers.encode([{ host: '010.0.0.1', port: 80 }]))).toBe('INVALID_HOST')
  })

  it('port 0 on encode: they write it, we throw INVALID_PORT', () => {
    expect(reference.encode([{ host: '1.2.3.4', port: 0 }]).toString('hex')).toBe('010203040000')
    expect(codeOf(() => ipv4Peers.encode([{ host: '1.2.3.4', port: 0 }]))).toBe('INVALID_PORT')
  })

  it('an out-of-range port: they throw an untyped RangeError, we throw INVALID_PORT', () => {
    expect(() => reference.encode([{ host: '1.2.3.4', port: 65536 }])).toThrow(RangeError)
    expect(codeOf(() => ipv4Peers.encode([{ host: '1.2.3.4', port: 65536 }]))).toBe('INVALID_PORT')
  })

  it('a fractional port: they truncate it, we throw INVALID_PORT', () => {
    expect(reference.encode([{ host: '1.2.3.4', port: 1.5 }]).toString('hex')).toBe('010203040001')
    expect(codeOf(() => ipv4Peers.encode([{ host: '1.2.3.4', port: 1.5 }]))).toBe('INVALID_PORT')
  })

  it('a wrong id length: they copy a short id and leave stale bytes, we throw INVALID_ID', () => {
    expect(() => reference.idLength(4).encode([{ id: Buffer.from([1, 2]), host: '1.2.3.4', port: 5 }])).not.toThrow()
    expect(codeOf(() => nodeCodec({ idLength: 4 }).encode([{ id: Uint8Array.from([1, 2]), host: '1.2.3.4', port: 5 }]))).toBe('INVALID_ID')
  })

  it('ids: they return views of the input, we return copies', () => {
    const bytes = reference.idLength(2).encode([{ id: Buffer.from([1, 2]), host: '1.2.3.4', port: 5 }])
    const theirs = reference.idLength(2).decode(bytes)[0]!.id!
    const ours = nodeCodec({ idLength: 2 }).decode(bytes)[0]!.id
    bytes[0] = 9
    expect(theirs[0]).toBe(9)
    expect(ours[0]).toBe(1)
  })

  it('random host strings: we either agree on the bytes or throw INVALID_HOST', () => {
    const chars = '0123456789.:ax '.split('')
    fc.assert(fc.property(fc.oneof(ipv4Host, fc.string({ unit: fc.constantFrom(...chars), maxLength: 16 })), (host) => {
      const c = codeOf(() => ipv4Peers.encode([{ host, port: 1 }]))
      if (c === undefined) expect(hex(ipv4Peers.encode([{ host, port: 1 }]))).toBe(reference.encode([{ host, port: 1 }]).toString('hex'))
      else expect(c).toBe('INVALID_HOST')
    }), { numRuns: 500 })
  })
})
