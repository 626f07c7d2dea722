import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { atOffset, hex, nodeOf } from '../../test/arbitraries'
import { IpEncodingError } from '../errors'
import type { NodeAddress } from '../types'
import { nodeCodec } from './node'
import { code } from '../../test/error-code'

const id32 = Uint8Array.from({ length: 32 }, (_, i) => i)

describe('nodeCodec', () => {
  it('has the DHT sizes: 38 bytes over IPv4, 50 over IPv6 for 32-byte ids', () => {
    const v4 = nodeCodec({ idLength: 32 })
    const v6 = nodeCodec({ idLength: 32, family: 6 })
    expect([v4.bytesPerEntry, v4.idLength, v4.family]).toStrictEqual([38, 32, 4])
    expect([v6.bytesPerEntry, v6.idLength, v6.family]).toStrictEqual([50, 32, 6])
    expect(nodeCodec({ idLength: 1 }).bytesPerEntry).toBe(7)
    expect(nodeCodec({ idLength: 32 })).toBe(v4) // cached
  })

  it('writes the id then the peer', () => {
    const bytes = nodeCodec({ idLength: 32 }).encodeOne({ id: id32, host: '127.0.0.1', port: 80 })
    expect(hex(bytes)).toBe(hex(id32) + '7f0000010050')
    const six = nodeCodec({ idLength: 2, family: 6 }).encodeOne({ id: Uint8Array.from([9, 8]), host: '::1', port: 1 })
    expect(hex(six)).toBe('0908' + '00000000000000000000000000000001' + '0001')
  })

  for (const family of [4, 6] as const) {
    it(`round-trips random lists for any id length (IPv${family})`, () => {
      const arb = fc.integer({ min: 1, max: 64 }).chain((idLength) =>
        fc.tuple(fc.constant(idLength), fc.array(nodeOf(idLength, family), { maxLength: 20 })))
      fc.assert(fc.property(arb, ([idLength, nodes]) => {
        const codec = nodeCodec({ idLength, family })
        const bytes = codec.encode(nodes)
        expect(bytes.length).toBe(codec.encodingLength(nodes))
        expect(bytes.length).toBe(nodes.length * (idLength + (family === 4 ? 6 : 18)))
        const back = codec.decode(atOffset(bytes))
        expect(back).toStrictEqual(nodes)
        if (nodes.length > 0) expect(codec.decodeOne(bytes, (nodes.length - 1) * codec.bytesPerEntry)).toStrictEqual(nodes.at(-1))
      }), { numRuns: 60 })
    })

    it(`decodes random bytes into entries that re-encode to the same bytes, or throws (IPv${family})`, () => {
      const codec = nodeCodec({ idLength: 3, family })
      fc.assert(fc.property(fc.uint8Array({ maxLength: 70 }), (bytes) => {
        let nodes: NodeAddress[]
        try {
          nodes = codec.decode(bytes)
        } catch (err) {
          expect(IpEncodingError.isInstance(err)).toBe(true)
          return
        }
        expect(hex(codec.encode(nodes))).toBe(hex(bytes))
      }), { numRuns: 300 })
    })
  }

  it('decodes ids as fresh plain copies, not views of the input', () => {
    const codec = nodeCodec({ idLength: 32 })
    const input = Buffer.from(codec.encodeOne({ id: id32, host: '1.2.3.4', port: 5 }))
    const [node] = codec.decode(input)
    input.fill(0)
    expect(node!.id).toStrictEqual(id32)
    expect(Object.getPrototypeOf(node!.id)).toBe(Uint8Array.prototype)
    expect(node!.id.byteLength).toBe(node!.id.buffer.byteLength)
  })

  it('rejects a wrong id with INVALID_ID', () => {
    const codec = nodeCodec({ idLength: 32 })
    for (const id of [new Uint8Array(31), new Uint8Array(33), 'x'.repeat(32), undefined, Array.from(id32)]) {
      expect(code(() => codec.encode([{ id: id as Uint8Array, host: '1.2.3.4', port: 5 }]))).toBe('INVALID_ID')
    }
    expect(code(() => codec.encodeOne({ id: Buffer.alloc(32), host: '1.2.3.4', port: 5 }))).toBeUndefined()
  })

  it('rejects bad lengths, ports and hosts', () => {
    const codec = nodeCodec({ idLength: 32 })
    expect(code(() => codec.decode(new Uint8Array(37)))).toBe('INVALID_LENGTH')
    expect(code(() => codec.decode(new Uint8Array(39)))).toBe('INVALID_LENGTH')
    expect(code(() => codec.decode(new Uint8Array(38)))).toBe('INVALID_PORT')
    expect(code(() => codec.encodeOne({ id: id32, host: '::1', port: 5 }))).toBe('INVALID_HOST')
    expect(code(() => codec.encodeOne({ id: id32, host: '1.2.3.4', port: 0 }))).toBe('INVALID_PORT')
  })

  it('rejects bad options with INVALID_ARGUMENT', () => {
    for (const options of [{ idLength: 0 }, { idLength: -1 }, { idLength: 1.5 }, { idLength: '32' }, {}, { idLength: 32, family: 5 }, null]) {
      expect(code(() => nodeCodec(options as never))).toBe('INVALID_ARGUMENT')
    }
  })
})
