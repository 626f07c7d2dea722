import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadReferenceDependency, referencePath } from '../../test/helpers/reference.js'
import { immutablePut, immutableValue, mutableRecord, mutableRequest, peersRequest, peersResponse } from './index.js'

const protobuf = loadReferenceDependency('protocol-buffers')
const ref = protobuf(readFileSync(join(dirname(referencePath), 'schema.proto')))

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

describe('peers messages are byte-compatible with hyperdht@1.3.0', () => {
  const requests = [
    { type: 0 },
    { type: 0, port: 0 },
    { type: 1, port: 8080 },
    { type: 1, port: 0, localAddress: Buffer.from([192, 168, 1, 2, 0x1f, 0x90]) },
    { type: 2, port: 65535, localAddress: Buffer.from([10, 0, 0, 1, 0, 1]) }
  ]

  for (const req of requests) {
    it(`request ${JSON.stringify(req)}`, () => {
      const ours = peersRequest.encode(req)
      expect(hex(ours)).toBe(hex(ref.Request.encode(req)))
      const back = peersRequest.decode(ref.Request.encode(req))
      expect(back?.type).toBe(req.type)
      expect(back?.port ?? undefined).toBe(req.port)
      if (req.localAddress !== undefined) expect(hex(back?.localAddress as Uint8Array)).toBe(hex(req.localAddress))
      else expect(back?.localAddress).toBeNull()
    })
  }

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
})
