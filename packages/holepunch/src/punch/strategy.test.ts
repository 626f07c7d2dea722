import { describe, expect, it } from 'vitest'
import type { NatType } from '../types'
import { commonPrefixBits, planPunch, rankLanAddresses, type PunchPeerInfo, type PunchPlan } from './strategy'

function peer (nat: NatType, host: string | null, port: number | null = 4000, extra: Partial<PunchPeerInfo> = {}): PunchPeerInfo {
  return { nat, publicAddress: host === null ? null : { host, port: nat === 'random' ? null : port }, verified: true, ...extra }
}

const kinds = (plan: PunchPlan) => plan.stages.map((stage) => stage.map((a) => a.kind))

describe('planPunch', () => {
  it('goes direct to an open peer, with a punch as fallback', () => {
    const plan = planPunch(peer('consistent', '198.51.100.1'), peer('open', '203.0.113.5', 3000))
    expect(kinds(plan)).toEqual([['direct'], ['holepunch']])
    expect(plan.stages[0]![0]).toEqual({ kind: 'direct', path: 'direct', address: { host: '203.0.113.5', port: 3000 } })
    expect(plan.failure).toBe('HOLEPUNCH_FAILED')
  })

  it('goes direct from a random NAT to an open peer, with no pointless fallback', () => {
    expect(kinds(planPunch(peer('random', '198.51.100.1'), peer('open', '203.0.113.5')))).toEqual([['direct']])
  })

  it('lets a peer reach us when we are open (it goes direct, we answer the signal)', () => {
    const plan = planPunch(peer('open', '203.0.113.5'), peer('random', '198.51.100.1'))
    expect(kinds(plan)).toEqual([['holepunch']])
  })

  it('punches between two consistent mappings', () => {
    const plan = planPunch(peer('consistent', '198.51.100.1'), peer('consistent', '203.0.113.5', 5000))
    expect(kinds(plan)).toEqual([['holepunch']])
    expect(plan.stages[0]![0]).toEqual({ kind: 'holepunch', path: 'holepunch', address: { host: '203.0.113.5', port: 5000 } })
  })

  it('takes NAT verdicts as they come, a null host included', () => {
    const plan = planPunch({ nat: 'unknown', publicAddress: { host: null, port: null } }, { nat: 'random', publicAddress: { host: null, port: null }, verified: true })
    expect(kinds(plan)).toEqual([['holepunch']])
  })

  it('tries the plain punch when a type is unknown', () => {
    expect(kinds(planPunch(peer('unknown', null), peer('consistent', '203.0.113.5')))).toEqual([['holepunch']])
    expect(kinds(planPunch(peer('unknown', null), peer('unknown', null)))).toEqual([['holepunch']])
    const plan = planPunch(peer('consistent', '198.51.100.1'), { nat: 'unknown', publicAddress: null })
    expect(plan.stages[0]![0]).toMatchObject({ kind: 'holepunch', address: null })
  })

  it('races LAN addresses with the punch behind the same public host, best match first', () => {
    const local = peer('consistent', '203.0.113.5', 4000, { lanAddresses: [{ host: '192.168.1.10', port: 4000 }] })
    const remote = peer('consistent', '203.0.113.5', 4001, {
      lanAddresses: [{ host: '172.17.0.1', port: 5000 }, { host: '192.168.1.20', port: 5000 }, { host: '192.168.1.20', port: 5000 }]
    })
    const plan = planPunch(local, remote)
    expect(kinds(plan)).toEqual([['lan', 'lan', 'holepunch']])
    expect(plan.stages[0]![0]).toEqual({ kind: 'lan', path: 'lan', address: { host: '192.168.1.20', port: 5000 } })
  })

  it('does not try LAN addresses of a peer behind another public host', () => {
    const remote = peer('consistent', '203.0.113.9', 4000, { lanAddresses: [{ host: '192.168.1.20', port: 5000 }] })
    expect(kinds(planPunch(peer('consistent', '203.0.113.5'), remote))).toEqual([['holepunch']])
  })

  it('caps the LAN attempts', () => {
    const lanAddresses = Array.from({ length: 10 }, (_, i) => ({ host: `10.0.0.${i + 1}`, port: 5000 }))
    const plan = planPunch(peer('consistent', '203.0.113.5'), peer('consistent', '203.0.113.5', 4001, { lanAddresses }), { lanAttempts: 2 })
    expect(kinds(plan)).toEqual([['lan', 'lan', 'holepunch']])
  })

  it('fails fast when both NATs are random', () => {
    const plan = planPunch(peer('random', '198.51.100.1'), peer('random', '203.0.113.5'))
    expect(plan.stages).toEqual([])
    expect(plan.failure).toBe('BOTH_NATS_RANDOM')
  })

  it('still tries the LAN when both random NATs are the same one', () => {
    const remote = peer('random', '203.0.113.5', null, { lanAddresses: [{ host: '192.168.1.20', port: 5000 }] })
    const plan = planPunch(peer('random', '203.0.113.5'), remote)
    expect(kinds(plan)).toEqual([['lan']])
    expect(plan.failure).toBe('BOTH_NATS_RANDOM')
  })

  describe('birthday (exactly one random)', () => {
    it('gives the random side the sockets and the consistent side the probes, symmetrically', () => {
      const random = peer('random', '198.51.100.1')
      const consistent = peer('consistent', '203.0.113.5', 5000)
      const fromRandom = planPunch(random, consistent)
      const fromConsistent = planPunch(consistent, random)
      expect(kinds(fromRandom)).toEqual([['birthday']])
      expect(kinds(fromConsistent)).toEqual([['birthday']])
      expect(fromRandom.stages[0]![0]).toMatchObject({ role: 'open-sockets', target: { host: '203.0.113.5', port: 5000 }, sockets: 256, probes: 1750 })
      expect(fromConsistent.stages[0]![0]).toMatchObject({ role: 'probe-ports', target: { host: '198.51.100.1', port: null }, probeInterval: 10, maxDuration: 17_500 })
      const attempt = fromConsistent.stages[0]![0]
      expect(attempt?.kind === 'birthday' && attempt.successProbability).toBeGreaterThan(0.999)
    })

    it('caps the sockets at 256 and the probes at 1750', () => {
      const plan = planPunch(peer('random', '198.51.100.1'), peer('consistent', '203.0.113.5'), { sockets: 5000, probes: 99_999 })
      expect(plan.stages[0]![0]).toMatchObject({ sockets: 256, probes: 1750 })
      const small = planPunch(peer('random', '198.51.100.1'), peer('consistent', '203.0.113.5'), { sockets: 64, probes: 500, probeInterval: 20 })
      expect(small.stages[0]![0]).toMatchObject({ sockets: 64, probes: 500, maxDuration: 10_000 })
    })

    it('is never aimed at an unverified host', () => {
      const plan = planPunch(peer('consistent', '198.51.100.1'), peer('random', '203.0.113.5', null, { verified: false }))
      expect(kinds(plan)).toEqual([['holepunch']])
      expect(plan.reason).toMatch(/not verified/)
    })

    it('falls back on the plain punch when the limiter says no', () => {
      const plan = planPunch(peer('consistent', '198.51.100.1'), peer('random', '203.0.113.5'), { allowBirthday: false })
      expect(kinds(plan)).toEqual([['holepunch']])
    })

    it('tries the plain punch first when the other type is unknown', () => {
      const plan = planPunch(peer('unknown', '198.51.100.1'), peer('random', '203.0.113.5'))
      expect(kinds(plan)).toEqual([['holepunch'], ['birthday']])
      expect(plan.stages[1]![0]).toMatchObject({ role: 'probe-ports' })
      const mirror = planPunch(peer('random', '203.0.113.5'), peer('unknown', '198.51.100.1', 4000))
      expect(kinds(mirror)).toEqual([['holepunch'], ['birthday']])
      expect(mirror.stages[1]![0]).toMatchObject({ role: 'open-sockets' })
    })

    it('needs the consistent side\'s port to open sockets towards it', () => {
      const plan = planPunch(peer('random', '198.51.100.1'), { nat: 'unknown', publicAddress: { host: '203.0.113.5', port: null }, verified: true })
      expect(kinds(plan)).toEqual([['holepunch']])
    })
  })
})

describe('rankLanAddresses', () => {
  it('orders by the longest shared prefix, stable, without duplicates', () => {
    const ranked = rankLanAddresses(
      [{ host: '192.168.122.238', port: 1 }, { host: '10.1.2.3', port: 1 }],
      [{ host: '172.16.0.5', port: 9 }, { host: '192.168.0.23', port: 9 }, { host: '192.168.122.1', port: 9 }, { host: '10.1.9.9', port: 9 }, { host: '192.168.0.23', port: 9 }]
    )
    expect(ranked.map((a) => a.host)).toEqual(['192.168.122.1', '10.1.9.9', '192.168.0.23', '172.16.0.5'])
  })

  it('counts shared prefix bits', () => {
    expect(commonPrefixBits('192.168.1.1', '192.168.1.1')).toBe(32)
    expect(commonPrefixBits('192.168.1.1', '192.168.1.129')).toBe(24)
    expect(commonPrefixBits('10.0.0.1', '192.168.0.1')).toBe(0)
    expect(commonPrefixBits('10.0.0.1', 'fe80::1')).toBe(0)
    expect(commonPrefixBits('2001:db8:1::1', '2001:db8:2::1')).toBe(32)
    expect(commonPrefixBits('host', 'host')).toBe(0)
  })
})
