import { describe, expect, it } from 'vitest'
import { classifyNat, remoteKey, type NatSample } from './classifier'

const PUBLIC = '203.0.113.7'

/** A report from remote `n` (host 198.51.100.n) that it sees us on `port` (of `host`). */
function s (n: number, port: number, at = n, host = PUBLIC, fromPort = 49737): NatSample {
  return { from: { host: `198.51.100.${n}`, port: fromPort }, address: { host, port }, at }
}

describe('classifyNat', () => {
  it('is unknown without samples', () => {
    expect(classifyNat([])).toEqual({ type: 'unknown', host: null, port: null, remotes: 0, agreeing: 0 })
  })

  it('is unknown while fewer than minRemotes distinct remotes reported, but names the majority address', () => {
    const v = classifyNat([s(1, 4000), s(2, 4000)])
    expect(v).toMatchObject({ type: 'unknown', host: PUBLIC, port: 4000, remotes: 2 })
  })

  it('is consistent when three distinct hosts see the same port', () => {
    expect(classifyNat([s(1, 4000), s(2, 4000), s(3, 4000)]))
      .toEqual({ type: 'consistent', host: PUBLIC, port: 4000, remotes: 3, agreeing: 3 })
  })

  it('is random when three distinct hosts see three different ports', () => {
    expect(classifyNat([s(1, 4000), s(2, 5000), s(3, 6000)]))
      .toEqual({ type: 'random', host: PUBLIC, port: null, remotes: 3, agreeing: 3 })
  })

  it('is unknown on contradictory evidence (two agree, one differs, of three)', () => {
    const v = classifyNat([s(1, 4000), s(2, 4000), s(3, 6000)])
    expect(v.type).toBe('unknown')
    expect(v.host).toBe(PUBLIC)
    expect(v.port).toBe(4000)
  })

  it('counts a host once: several ports of one remote host are one remote', () => {
    const samples = [s(1, 4000, 1, PUBLIC, 1), { ...s(1, 4000, 2), from: { host: '198.51.100.1', port: 2 } }, { ...s(1, 4000, 3), from: { host: '198.51.100.1', port: 3 } }]
    expect(classifyNat(samples)).toMatchObject({ type: 'unknown', remotes: 1 })
    // a testnet on loopback relaxes that to host:port
    expect(classifyNat(samples, { distinctHosts: false })).toMatchObject({ type: 'consistent', remotes: 3 })
    expect(remoteKey({ host: '127.0.0.1', port: 1 }, false)).not.toBe(remoteKey({ host: '127.0.0.1', port: 2 }, false))
    expect(remoteKey({ host: '127.0.0.1', port: 1 })).toBe(remoteKey({ host: '127.0.0.1', port: 2 }))
  })

  it('honours minRemotes', () => {
    expect(classifyNat([s(1, 4000), s(2, 4000)], { minRemotes: 2 }).type).toBe('consistent')
    expect(classifyNat([s(1, 4000), s(2, 4000), s(3, 4000)], { minRemotes: 4 }).type).toBe('unknown')
  })

  it('replaces a stale sample by a newer one from the same remote', () => {
    // remote 3 first saw an odd port, then (later) the same port as everyone
    const samples = [s(3, 9999, 1), s(1, 4000, 2), s(2, 4000, 3), s(3, 4000, 4)]
    expect(classifyNat(samples)).toMatchObject({ type: 'consistent', port: 4000, remotes: 3 })
    // and the other way round: the newest sample of a remote is the one that counts
    const reversed = [s(3, 4000, 1), s(1, 4000, 2), s(2, 4000, 3), s(3, 9999, 4)]
    expect(classifyNat(reversed).type).toBe('unknown')
  })

  it('tolerates one outlier port among many agreeing remotes', () => {
    // the outlier is the newest sample, so recency does not discard it: tolerance does
    const samples = [s(1, 4000), s(2, 4000), s(4, 4000), s(5, 4000), s(6, 4000), s(3, 7777, 10)]
    expect(classifyNat(samples)).toMatchObject({ type: 'consistent', port: 4000, remotes: 6, agreeing: 5 })
    // an older outlier is simply superseded by the agreeing newest samples
    const older = [s(3, 7777, 0), s(1, 4000), s(2, 4000), s(4, 4000)]
    expect(classifyNat(older)).toMatchObject({ type: 'consistent', port: 4000, remotes: 3 })
  })

  it('does not tolerate many outliers', () => {
    // 4 of 8 agree: neither a clear consistent nor a clear random
    const samples = [s(1, 4000), s(5, 4000), s(2, 5001), s(6, 4000), s(3, 5002), s(7, 4000), s(4, 5003), s(8, 5004)]
    expect(classifyNat(samples).type).toBe('unknown')
  })

  it('calls a mostly-different spread random even with a chance coincidence', () => {
    // 8 remotes, 7 distinct ports: the one coincidence is within tolerance
    const samples = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => s(n, n === 8 ? 5001 : 5000 + n))
    expect(classifyNat(samples).type).toBe('random')
  })

  it('takes the public host from a strict majority, and ignores the minority for the port', () => {
    const samples = [s(1, 4000), s(2, 4000), s(3, 4000), s(4, 4000, 4, '192.0.2.1')]
    expect(classifyNat(samples)).toMatchObject({ type: 'consistent', host: PUBLIC, port: 4000 })
  })

  it('is unknown when no host has a strict majority', () => {
    const samples = [s(1, 4000, 1), s(2, 4000, 2, '192.0.2.1'), s(3, 4000, 3), s(4, 4000, 4, '192.0.2.1')]
    expect(classifyNat(samples)).toMatchObject({ type: 'unknown', host: null, port: null })
  })

  it('follows an address change once the newest samples agree on the new address', () => {
    const before = [1, 2, 3, 4, 5, 6].map((n) => s(n, 4000, n))
    expect(classifyNat(before)).toMatchObject({ type: 'consistent', host: PUBLIC, port: 4000 })
    // two remotes already see a new address: the majority still holds the old one
    const partly = [...before, s(7, 6000, 7, '192.0.2.9'), s(8, 6000, 8, '192.0.2.9')]
    expect(classifyNat(partly)).toMatchObject({ type: 'consistent', host: PUBLIC, port: 4000 })
    // the three newest agree on the new address: the older ones are from before the change
    const changed = [...partly, s(9, 6000, 9, '192.0.2.9')]
    expect(classifyNat(changed)).toMatchObject({ type: 'consistent', host: '192.0.2.9', port: 6000, remotes: 3 })
  })

  it('follows a port change on the same host (conntrack flush)', () => {
    const samples = [...[1, 2, 3, 4, 5].map((n) => s(n, 4000, n)), ...[6, 7, 8].map((n) => s(n, 4100, n))]
    expect(classifyNat(samples)).toMatchObject({ type: 'consistent', port: 4100, remotes: 3 })
  })

  it('keeps a random verdict across a public host change', () => {
    const samples = [s(1, 4001, 1), s(2, 4002, 2), s(3, 4003, 3), s(4, 6001, 4, '192.0.2.9'), s(5, 6002, 5, '192.0.2.9'), s(6, 6003, 6, '192.0.2.9')]
    expect(classifyNat(samples)).toMatchObject({ type: 'random', host: '192.0.2.9', remotes: 3 })
  })

  it('drops samples older than maxAge', () => {
    const samples = [s(1, 4000, 0), s(2, 4000, 100), s(3, 4000, 200)]
    expect(classifyNat(samples, { now: 250, maxAge: 1000 }).type).toBe('consistent')
    expect(classifyNat(samples, { now: 1050, maxAge: 1000 })).toMatchObject({ type: 'unknown', remotes: 2 })
  })

  describe('open', () => {
    const samples = [s(1, 4000), s(2, 4000), s(3, 4000)]
    const local = [{ host: '10.0.0.2', port: 4000 }, { host: PUBLIC, port: 4000 }]

    it('needs reachable and the public address on one of our interfaces', () => {
      expect(classifyNat(samples, { reachability: 'reachable', localAddresses: local }).type).toBe('open')
      expect(classifyNat(samples, { reachability: 'unknown', localAddresses: local }).type).toBe('consistent')
      expect(classifyNat(samples, { reachability: 'unreachable', localAddresses: local }).type).toBe('consistent')
      expect(classifyNat(samples, { reachability: 'reachable', localAddresses: [{ host: PUBLIC, port: 4001 }] }).type).toBe('consistent')
      expect(classifyNat(samples, { reachability: 'reachable' }).type).toBe('consistent')
    })

    it('is given when the caller vouches for the mapping and probes confirm it', () => {
      expect(classifyNat(samples, { reachability: 'reachable', assumeOpen: true }).type).toBe('open')
      expect(classifyNat(samples, { reachability: 'unknown', assumeOpen: true }).type).toBe('consistent')
    })

    it('is never given to a random mapping', () => {
      const random = [s(1, 4000), s(2, 5000), s(3, 6000)]
      expect(classifyNat(random, { reachability: 'reachable', assumeOpen: true }).type).toBe('random')
    })
  })

  it('compares hosts canonically', () => {
    const samples = [s(1, 4000, 1, '2001:db8::1'), s(2, 4000, 2, '2001:DB8:0::1'), s(3, 4000, 3, '2001:db8:0:0::1')]
    expect(classifyNat(samples)).toMatchObject({ type: 'consistent', port: 4000 })
  })
})
