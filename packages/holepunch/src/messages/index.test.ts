import { describe, expect, it } from 'vitest'
import type { NatType } from '../types'
import { Addresses, ANSWER, decodeNat, encodeNat, PunchAnswer, safeDecode } from './index'

describe('NAT type encoding', () => {
  it('round-trips every NAT type', () => {
    for (const type of ['unknown', 'open', 'consistent', 'random'] as NatType[]) expect(decodeNat(encodeNat(type))).toBe(type)
  })

  it('reads a missing or unknown value as unknown, and writes an unknown type as 0', () => {
    expect(decodeNat(undefined)).toBe('unknown')
    expect(decodeNat(null)).toBe('unknown')
    expect(decodeNat(99)).toBe('unknown')
    expect(encodeNat('symmetric' as NatType)).toBe(0)
  })
})

describe('safeDecode', () => {
  it('gives null for absent or malformed bytes instead of throwing', () => {
    expect(safeDecode(PunchAnswer.decode, null)).toBeNull()
    expect(safeDecode(PunchAnswer.decode, undefined)).toBeNull()
    expect(safeDecode(PunchAnswer.decode, new Uint8Array([0xff, 0xff, 0xff]))).toBeNull()
    expect(safeDecode(PunchAnswer.decode, PunchAnswer.encode({ status: ANSWER.SELF }))).toMatchObject({ status: ANSWER.SELF })
  })
})

describe('Addresses', () => {
  const v4 = new Addresses(4)

  it('round-trips one peer, and gives null for what the family cannot carry', () => {
    const peer = { host: '10.1.2.3', port: 4567 }
    expect(v4.decode(v4.encode(peer))).toEqual(peer)
    expect(v4.encode(null)).toBeNull()
    expect(v4.encode({ host: '::1', port: 1 })).toBeNull()
    expect(v4.encode({ host: 'not a host', port: 1 })).toBeNull()
  })

  it('decodes only bytes of exactly one entry', () => {
    const bytes = v4.encode({ host: '10.1.2.3', port: 4567 })!
    expect(v4.decode(null)).toBeNull()
    expect(v4.decode(undefined)).toBeNull()
    expect(v4.decode(bytes.subarray(0, bytes.byteLength - 1))).toBeNull()
    expect(v4.decode(new Uint8Array(bytes.byteLength * 2))).toBeNull()
  })

  it('encodes at most `max` peers of a list, skipping those it cannot carry; none gives null', () => {
    const peers = [{ host: '10.0.0.1', port: 1 }, { host: '::1', port: 2 }, { host: '10.0.0.3', port: 3 }, { host: '10.0.0.4', port: 4 }]
    expect(v4.decodeList(v4.encodeList(peers))).toEqual([peers[0], peers[2], peers[3]])
    expect(v4.decodeList(v4.encodeList(peers, 2))).toEqual([peers[0], peers[2]])
    expect(v4.encodeList([{ host: '::1', port: 2 }])).toBeNull()
    expect(v4.encodeList([])).toBeNull()
  })

  it('decodes at most `max` peers; a list of a length no whole number of entries fits gives none', () => {
    const list = v4.encodeList([{ host: '10.0.0.1', port: 1 }, { host: '10.0.0.2', port: 2 }, { host: '10.0.0.3', port: 3 }])!
    expect(v4.decodeList(list, 2)).toEqual([{ host: '10.0.0.1', port: 1 }, { host: '10.0.0.2', port: 2 }])
    expect(v4.decodeList(list.subarray(1))).toEqual([])
    expect(v4.decodeList(null)).toEqual([])
    expect(v4.decodeList(undefined)).toEqual([])
  })

  it('carries IPv6 peers in the IPv6 family', () => {
    const v6 = new Addresses(6)
    const peer = { host: '2001:db8::1', port: 443 }
    expect(v6.decode(v6.encode(peer))).toEqual(peer)
  })
})
