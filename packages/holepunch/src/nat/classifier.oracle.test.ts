// classifyNat and NatSampler against the classifier's first, straightforward implementation
// (objects, maps and sorts, kept here as the definition): the column-based one that replaced it
// for speed must give the same verdict on every input.
import { describe, expect, it } from 'vitest'
import { hostKey, sameAddress } from '../address'
import { NAT_MIN_REMOTES, NAT_OUTLIER_TOLERANCE } from '../constants'
import { seededRandom as random } from '../random'
import { classifyNat, remoteKey, UNKNOWN_NAT, type ClassifyNatOptions, type NatSample, type NatVerdict } from './classifier'
import { NatSampler } from './sampler'

function definition (samples: Iterable<NatSample>, options: ClassifyNatOptions = {}): NatVerdict {
  const minRemotes = Math.max(1, options.minRemotes ?? NAT_MIN_REMOTES)
  const tolerance = Math.min(0.49, Math.max(0, options.tolerance ?? NAT_OUTLIER_TOLERANCE))
  const distinctHosts = options.distinctHosts ?? true
  const oldest = options.now !== undefined && options.maxAge !== undefined ? options.now - options.maxAge : -Infinity
  const byRemote = new Map<string, NatSample>()
  for (const sample of samples) {
    if (!(sample.at >= oldest)) continue
    const key = remoteKey(sample.from, distinctHosts)
    const seen = byRemote.get(key)
    if (seen === undefined || sample.at >= seen.at) byRemote.set(key, sample)
  }
  const newest = [...byRemote.values()].sort((a, b) => b.at - a.at)
  let current = newest
  if (newest.length > minRemotes) {
    const recent = newest.slice(0, minRemotes)
    const host = hostKey(recent[0]!.address.host)
    if (recent.every((s) => hostKey(s.address.host) === host)) {
      const port = recent[0]!.address.port
      const samePort = recent.every((s) => s.address.port === port)
      current = newest.filter((s, i) => i < minRemotes || (hostKey(s.address.host) === host && (!samePort || s.address.port === port)))
    }
  }
  if (current.length === 0) return { ...UNKNOWN_NAT }
  const [topHost, topHostCount] = top(countBy(current, (s) => hostKey(s.address.host)))
  if (topHostCount * 2 <= current.length) return { type: 'unknown', host: null, port: null, remotes: current.length, agreeing: 0 }
  const onHost = current.filter((s) => hostKey(s.address.host) === topHost)
  const host = onHost[0]!.address.host
  const n = onHost.length
  const [topPort, topPortCount] = top(countBy(onHost, (s) => String(s.address.port)))
  const port = Number(topPort)
  const outliers = Math.floor(n * tolerance)
  if (n < minRemotes) return { type: 'unknown', host, port: topPortCount * 2 > n ? port : null, remotes: current.length, agreeing: topPortCount }
  if (topPortCount >= n - outliers && topPortCount >= minRemotes) {
    const open = options.reachability === 'reachable' &&
      (options.assumeOpen === true || (options.localAddresses ?? []).some((a) => sameAddress(a, { host, port })))
    return { type: open ? 'open' : 'consistent', host, port, remotes: current.length, agreeing: topPortCount }
  }
  if (topPortCount <= Math.max(1, outliers)) return { type: 'random', host, port: null, remotes: current.length, agreeing: n }
  return { type: 'unknown', host, port: topPortCount * 2 > n ? port : null, remotes: current.length, agreeing: topPortCount }
}

function countBy<T> (items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>()
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1)
  return counts
}

function top (counts: Map<string, number>): [string, number] {
  let best: [string, number] = ['', 0]
  for (const entry of counts) if (entry[1] > best[1]) best = entry
  return best
}

// Few remotes, hosts and ports, so that duplicates, ties and majorities all come up; our hosts
// include spellings that hostKey() makes equal.
const REMOTES = ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4', '2001:db8::5', '2001:DB8:0::5', '198.51.100.6', '198.51.100.7']
const OURS = ['203.0.113.7', '203.0.113.8', '2001:db8::7', '2001:DB8::7', '2001:db8:0:0::7']
const PORTS = [4000, 4001, 4002, 5000]
// enough remotes for the classifier's counting of large sets (above PAIRWISE_LIMIT)
const MANY_REMOTES = Array.from({ length: 120 }, (_, i) => `198.51.${100 + (i >> 4)}.${i & 15}`)

function sampleFrom (rnd: () => number, at: number, remotes = REMOTES): NatSample {
  const pick = <T>(xs: readonly T[], skew = 1): T => xs[Math.floor(rnd() ** skew * xs.length)]!
  return {
    from: { host: pick(remotes), port: pick([49737, 49738]) },
    address: { host: pick(OURS, 3), port: pick(PORTS, 2) },
    at
  }
}

function optionsFrom (rnd: () => number, now: number): ClassifyNatOptions {
  const options: ClassifyNatOptions = {
    minRemotes: 1 + Math.floor(rnd() * 5),
    tolerance: [0, 0.1, 0.25, 0.34, 0.49, 0.6][Math.floor(rnd() * 6)],
    distinctHosts: rnd() < 0.7,
    reachability: rnd() < 0.5 ? 'reachable' : 'unknown',
    localAddresses: rnd() < 0.5 ? [{ host: '203.0.113.7', port: 4000 }] : [],
    assumeOpen: rnd() < 0.2
  }
  if (rnd() < 0.5) {
    options.now = now
    options.maxAge = Math.floor(rnd() * 40)
  }
  return options
}

describe('the column-based classifier gives the verdicts of its definition', () => {
  it('classifyNat, on 20,000 random sample sets (sizes 0-200, with equal times and expired samples)', () => {
    for (let seed = 1; seed <= 20_000; seed++) {
      const rnd = random(seed)
      const large = seed % 10 === 0
      const size = large ? Math.floor(rnd() * 200) : Math.floor(rnd() * 14)
      const samples: NatSample[] = []
      for (let k = 0; k < size; k++) samples.push(sampleFrom(rnd, rnd() < 0.3 ? Math.floor(rnd() * 4) : Math.floor(rnd() * 50), large ? MANY_REMOTES : REMOTES))
      const options = optionsFrom(rnd, 50)
      const got = classifyNat(samples, options)
      const want = definition(samples, options)
      if (JSON.stringify(got) !== JSON.stringify(want)) expect({ seed, got }).toEqual({ seed, got: want })
    }
  })

  it('NatSampler, after every one of 40,000 samples in 400 random sequences', () => {
    let compared = 0
    for (let seed = 1; seed <= 400; seed++) {
      const rnd = random(seed * 7919)
      let time = 1000
      const { minRemotes, tolerance, distinctHosts } = optionsFrom(rnd, 0)
      const maxSamples = Math.max(minRemotes ?? 1, 1 + Math.floor(rnd() * 16))
      const maxAge = 20 + Math.floor(rnd() * 60)
      const sampler = new NatSampler({ now: () => time, maxSamples, minRemotes, tolerance, distinctHosts, maxAge })
      for (let k = 0; k < 100; k++) {
        time += rnd() < 0.4 ? 0 : Math.floor(rnd() * 5) // equal times are common (one ms)
        const sample = sampleFrom(rnd, time)
        const got = sampler.add(rnd() < 0.1 ? { from: sample.from, address: sample.address } : sample)
        const want = definition(sampler.samples, { minRemotes, tolerance, distinctHosts, now: time, maxAge })
        if (JSON.stringify(got) !== JSON.stringify(want)) expect({ seed, k, got }).toEqual({ seed, k, got: want })
        compared++
      }
    }
    expect(compared).toBe(40_000)
  })
})
