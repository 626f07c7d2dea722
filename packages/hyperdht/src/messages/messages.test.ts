import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { loadReferenceDependency, referencePath } from '../../test/helpers/reference.js'
import { immutablePut, immutableValue, lanAddressBytes, lanAddressNumber, mutableRecord, mutableRequest, peersRequest, peersResponse, putResponse, PUT_SEQ_TOO_LOW } from './index.js'
import { SHORT_BYTES } from './schema.js'

const protobuf = loadReferenceDependency('protocol-buffers')
const ref = protobuf(readFileSync(join(dirname(referencePath), 'schema.proto')))

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

// fast-check prints the seed and path of a failing run; FC_SEED=<seed> replays it.
const fcOptions = (numRuns: number): fc.Parameters<unknown> =>
  process.env.FC_SEED === undefined ? { numRuns } : { numRuns, seed: Number(process.env.FC_SEED) }
const optionalBytes = (maxLength: number): fc.Arbitrary<Buffer | null> =>
  fc.option(fc.uint8Array({ maxLength }).map((a) => Buffer.from(a)), { nil: null })
const hexOrNull = (b: Uint8Array | null | undefined): string | null => b === null || b === undefined ? null : hex(b)

describe('peers messages are byte-compatible with hyperdht@1.3.0', () => {
  const requests = [
    { type: 0 },
    { type: 0, port: 0 },
    { type: 1, port: 8080 },
    { type: 1, port: 0, localAddress: Buffer.from([192, 168, 1, 2, 0x1f, 0x90]) },
    { type: 2, port: 65535, localAddress: Buffer.from([10, 0, 0, 1, 0, 1]) }
  ]

  // Ours carries the LAN address as the number its 6 bytes spell; the reference as the bytes.
  const asOurs = <T extends { localAddress?: Uint8Array | null }>(req: T): Omit<T, 'localAddress'> & { localAddress?: number | null } =>
    ({ ...req, localAddress: req.localAddress === undefined || req.localAddress === null ? req.localAddress : lanAddressNumber(req.localAddress) })

  for (const req of requests) {
    it(`request ${JSON.stringify(req)}`, () => {
      const ours = peersRequest.encode(asOurs(req))
      expect(hex(ours)).toBe(hex(ref.Request.encode(req)))
      const back = peersRequest.decode(ref.Request.encode(req))
      expect(back?.type).toBe(req.type)
      expect(back?.port ?? undefined).toBe(req.port)
      if (req.localAddress !== undefined) expect(hex(lanAddressBytes(back?.localAddress as number))).toBe(hex(req.localAddress))
      else expect(back?.localAddress).toBeNull()
      const theirs = ref.Request.decode(Buffer.from(ours))
      expect(theirs.localAddress === null ? null : hex(theirs.localAddress)).toBe(req.localAddress === undefined ? null : hex(req.localAddress))
    })
  }

  it('the LAN address number: 6 bytes both ways, exact up to 255.255.255.255:65535', () => {
    expect(lanAddressNumber(Buffer.from([192, 168, 1, 2, 0x1f, 0x90]))).toBe(((192 * 256 + 168) * 2 ** 32) + ((1 * 256 + 2) * 65536) + 8080)
    expect(lanAddressNumber(new Uint8Array(6).fill(255))).toBe(2 ** 48 - 1)
    expect(() => lanAddressNumber(new Uint8Array(4))).toThrow(RangeError)
    fc.assert(fc.property(fc.uint8Array({ minLength: 6, maxLength: 6 }), (b) => {
      expect(hex(lanAddressBytes(lanAddressNumber(b)))).toBe(hex(b))
    }), fcOptions(300))
    for (const bad of [2 ** 48, -1, 1.5, Number.NaN]) expect(() => peersRequest.encode({ type: 0, localAddress: bad })).toThrow(TypeError)
  })

  it('a LAN address of another length than 6 decodes as absent, and the rest of the request still counts', () => {
    for (const len of [0, 4, 5, 7, 18]) {
      const back = peersRequest.decode(ref.Request.encode({ type: 1, port: 80, localAddress: Buffer.alloc(len, 1) }))
      expect(back).toEqual({ type: 1, port: 80, localAddress: null })
    }
  })

  it('responses round-trip both ways', () => {
    const peers = new Uint8Array([127, 0, 0, 1, 0, 80, 10, 0, 0, 2, 1, 0])
    const localPeers = new Uint8Array([1, 2, 0, 80])
    for (const res of [{ peers, localPeers }, { peers, localPeers: null }]) {
      const ours = peersResponse.encode(res)
      const theirs = ref.Response.encode({ peers: Buffer.from(res.peers), localPeers: res.localPeers === null ? null : Buffer.from(res.localPeers) })
      expect(hex(ours)).toBe(hex(theirs))
      const back = peersResponse.decode(theirs)
      expect(hex(back?.peers as Uint8Array)).toBe(hex(peers))
      expect(back?.localPeers === null ? null : hex(back?.localPeers as Uint8Array)).toBe(res.localPeers === null ? null : hex(res.localPeers))
      const decoded = ref.Response.decode(Buffer.from(ours))
      expect(hex(decoded.peers)).toBe(hex(peers))
    }
  })

  it('random requests and responses: same bytes as the reference, and each decodes the other', () => {
    const lanAddress = fc.option(fc.uint8Array({ minLength: 6, maxLength: 6 }).map((a) => Buffer.from(a)), { nil: null })
    const request = fc.record({ type: fc.nat({ max: 2 ** 32 - 1 }), port: fc.option(fc.nat({ max: 2 ** 32 - 1 }), { nil: null }), localAddress: lanAddress })
    fc.assert(fc.property(request, (req) => {
      const ours = peersRequest.encode(asOurs(req))
      expect(hex(ours)).toBe(hex(ref.Request.encode(req)))
      const back = peersRequest.decode(ref.Request.encode(req))
      expect(back).toEqual(asOurs(req))
      const theirs = ref.Request.decode(Buffer.from(ours))
      expect(theirs.type).toBe(req.type)
      if (req.port !== null) expect(theirs.port).toBe(req.port)
    }), fcOptions(300))
    const response = fc.record({ peers: optionalBytes(300), localPeers: optionalBytes(40) })
    fc.assert(fc.property(response, (res) => {
      const ours = peersResponse.encode(res)
      expect(hex(ours)).toBe(hex(ref.Response.encode(res)))
      const back = peersResponse.decode(ref.Response.encode(res))
      expect({ peers: hexOrNull(back?.peers), localPeers: hexOrNull(back?.localPeers) }).toEqual({ peers: hexOrNull(res.peers), localPeers: hexOrNull(res.localPeers) })
    }), fcOptions(300))
  })

  it('unknown fields are skipped (a newer peer may add optional fields)', () => {
    const req = [...peersRequest.encode({ type: 1, port: 80 })]
    // field 9 varint, field 10 bytes, field 11 fixed64, field 12 fixed32
    const extended = Uint8Array.from([...req, 0x48, 0x96, 0x01, 0x52, 2, 7, 7, 0x59, 1, 2, 3, 4, 5, 6, 7, 8, 0x65, 1, 2, 3, 4])
    expect(peersRequest.decode(extended)).toEqual({ type: 1, port: 80, localAddress: null })
  })

  it('garbage decodes to null, never throws', () => {
    expect(peersRequest.decode(new Uint8Array([0xff, 0xff, 0xff]))).toBeNull()
    expect(peersRequest.decode(new Uint8Array([]))).toBeNull() // missing required type
    expect(peersResponse.decode(new Uint8Array([0x0a, 0x50]))).toBeNull()
    expect(peersRequest.decode(null)).toBeNull()
  })
})

describe('stored value messages', () => {
  it('immutable put/value round-trip and reject garbage', () => {
    const v = new Uint8Array([1, 2, 3])
    expect(immutablePut.decode(immutablePut.encode(v))).toEqual(v)
    expect(immutableValue.decode(immutableValue.encode(v))).toEqual(v)
    expect(immutableValue.decode(new Uint8Array(0))).toBeNull()
    expect(immutablePut.decode(new Uint8Array([0x0a, 0x09, 1]))).toBeNull()
  })

  it('mutable request and record round-trip, large seq included', () => {
    const m = {
      publicKey: new Uint8Array(32).fill(7),
      salt: new Uint8Array([1]),
      seq: 2 ** 40 + 3,
      value: new Uint8Array([9, 9]),
      signature: new Uint8Array(64).fill(1)
    }
    expect(mutableRequest.decode(mutableRequest.encode(m))).toEqual(m)
    const get = { publicKey: m.publicKey, salt: null, seq: null, value: null, signature: null }
    expect(mutableRequest.decode(mutableRequest.encode(get))).toEqual(get)
    const rec = { seq: 5, value: m.value, signature: m.signature }
    expect(mutableRecord.decode(mutableRecord.encode(rec))).toEqual(rec)
    expect(mutableRecord.decode(new Uint8Array([8, 1]))).toBeNull()
  })

  it('seq is a safe integer: 2^53 - 1 travels, 2^53 does not decode', () => {
    const sig = new Uint8Array(64)
    const max = { seq: Number.MAX_SAFE_INTEGER, value: new Uint8Array([1]), signature: sig }
    expect(mutableRecord.decode(mutableRecord.encode(max))?.seq).toBe(Number.MAX_SAFE_INTEGER)
    // field 1 varint 2^53, then value and signature
    const over = Uint8Array.from([0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10, 0x12, 1, 1, 0x1a, 0])
    expect(mutableRecord.decode(over)).toBeNull()
    expect(() => mutableRecord.encode({ ...max, seq: 2 ** 53 })).toThrow(TypeError)
  })

  it('a put response carries the stored record only when it is whole', () => {
    const current = { seq: 7, value: new Uint8Array([1, 2]), signature: new Uint8Array(64).fill(3) }
    expect(putResponse.decode(putResponse.encode({ status: PUT_SEQ_TOO_LOW, current }))).toEqual({ status: PUT_SEQ_TOO_LOW, current })
    expect(putResponse.decode(putResponse.encode({ status: 0, current: null }))).toEqual({ status: 0, current: null })
    const partial = Uint8Array.from([0x08, 0x01, 0x10, 0x07]) // status 1, seq 7, no value or signature
    expect(putResponse.decode(partial)).toEqual({ status: 1, current: null })
  })

  it('fuzz: every decoder returns null or a message for random and mutated input, never throws', () => {
    const decoders = [peersRequest, peersResponse, immutablePut, immutableValue, mutableRequest, mutableRecord, putResponse]
    const valid = [
      peersRequest.encode({ type: 1, port: 8080, localAddress: lanAddressNumber(new Uint8Array(6).fill(1)) }),
      peersResponse.encode({ peers: new Uint8Array(12).fill(2), localPeers: new Uint8Array(4) }),
      mutableRequest.encode({ publicKey: new Uint8Array(32), salt: new Uint8Array([1]), seq: 2 ** 40, value: new Uint8Array(10), signature: new Uint8Array(64) }),
      putResponse.encode({ status: 1, current: { seq: 3, value: new Uint8Array(3), signature: new Uint8Array(64) } })
    ]
    const mutated = fc.tuple(fc.constantFrom(...valid), fc.array(fc.tuple(fc.nat(), fc.nat(255), fc.boolean()), { maxLength: 4 }), fc.nat())
      .map(([v, edits, cut]) => {
        const b = [...v]
        for (const [at, byte, insert] of edits) {
          if (insert) b.splice(at % (b.length + 1), 0, byte)
          else b[at % b.length] = byte
        }
        return Uint8Array.from(b.slice(0, b.length - (cut % 3)))
      })
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 100 }), mutated), (input) => {
      for (const d of decoders) {
        const out = d.decode(input) // must not throw
        // bytes are a view of the input, or a copy of a short field met before any long one
        if (out instanceof Uint8Array && out.buffer !== input.buffer) expect(out.length).toBeLessThanOrEqual(SHORT_BYTES)
        else if (out !== null && !(out instanceof Uint8Array)) expect(typeof out).toBe('object')
      }
    }), fcOptions(2000))
  })
})
