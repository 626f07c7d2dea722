// PeerStore against a reference model written for clarity, not speed: entries in an array, caps
// and fairness recomputed from scratch. Every eviction the store reports must be one the model
// allows (the cap it names is exceeded; the victim is the oldest entry of a prefix holding the
// most, within the key for the per-key cap), no eviction may be missing, and afterwards the two
// must hold exactly the same entries, counts and bytes.
import fc from 'fast-check'
import { ipv4Peers, ipv6Peers } from '@hyperdht-ts/ip-encoding'
import { describe, expect, it } from 'vitest'
import { PEER_KEY_BYTES, PEER_KEY_GROUP_BYTES, STORE_HOST_BYTES, STORE_PREFIX_BYTES } from '../constants.js'
import { prefixOf } from './hosts.js'
import { PeerStore, type PeerStoreCap, type PutResult, type StoredPeer } from './peer-store.js'

interface Caps {
  maxAge: number
  maxSize: number
  maxKeys: number
  maxPerKey: number
  maxPerHost: number
  maxBytes: number
}

interface MEntry {
  key: string
  host: string
  port: number
  lan: boolean
  time: number
  stamp: number
}

interface Eviction {
  key: string
  host: string
  port: number
  cap: PeerStoreCap
}

// /24s and /48s with several hosts each, a mapped IPv6 spelling of an IPv4 /24 among them
const HOSTS = [
  '10.0.0.1', '10.0.0.2', '10.0.0.3', '::ffff:10.0.0.4',
  '10.0.1.1', '10.0.1.2',
  '10.9.0.1',
  '2001:db8:1::1', '2001:db8:1:ff::2',
  '2001:db8:2::1',
  '192.168.5.5'
]
const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5']
const PORTS = [1, 2, 3]

const peerLength = (host: string): number => host.includes(':') && !host.startsWith('::ffff:') ? 18 : 6

function storedPeer (host: string, port: number, lan: boolean): StoredPeer {
  const peer = peerLength(host) === 18 ? ipv6Peers.encodeOne({ host, port }) : ipv4Peers.encodeOne({ host, port })
  return { host, port, peer, localFilter: lan ? new Uint8Array([192, 168]) : null, localPeer: lan ? new Uint8Array([1, 2, 0, port]) : null }
}

class Model {
  entries: MEntry[] = []
  /** Keys whose per-prefix index the store has built (and keeps until the key empties). */
  indexed = new Set<string>()
  stamp = 0

  constructor (readonly caps: Caps, readonly reported: Eviction[]) {}

  find (key: string, host: string, port: number): MEntry | undefined {
    return this.entries.find((e) => e.key === key && e.host === host && e.port === port)
  }

  prune (now: number): void {
    for (const e of this.entries.filter((e) => now - e.time > this.caps.maxAge)) this.remove(e)
  }

  remove (e: MEntry): void {
    this.entries.splice(this.entries.indexOf(e), 1)
    if (!this.entries.some((x) => x.key === e.key)) this.indexed.delete(e.key)
  }

  prefixes (of = this.entries): Map<string, MEntry[]> {
    const out = new Map<string, MEntry[]>()
    for (const e of of) {
      const p = prefixOf(e.host)
      out.set(p, [...(out.get(p) ?? []), e])
    }
    return out
  }

  bytes (): number {
    let b = 0
    for (const e of this.entries) b += PeerStore.entryBytes(peerLength(e.host), e.lan)
    const keys = new Set(this.entries.map((e) => e.key))
    b += keys.size * PEER_KEY_BYTES
    b += new Set(this.entries.map((e) => e.host)).size * STORE_HOST_BYTES
    b += this.prefixes().size * STORE_PREFIX_BYTES
    for (const k of this.indexed) b += this.prefixes(this.entries.filter((e) => e.key === k)).size * PEER_KEY_GROUP_BYTES
    return b
  }

  /** Takes the next reported eviction, checks that the model allows it, and applies it. */
  evict (cap: PeerStoreCap, among: MEntry[]): void {
    const r = this.reported.shift()
    expect(r, `an eviction (${cap}) is missing`).toBeDefined()
    const ev = r as Eviction
    expect(ev.cap).toBe(cap)
    const victim = this.find(ev.key, ev.host, ev.port)
    expect(victim, 'the victim is stored').toBeDefined()
    const groups = this.prefixes(among)
    const most = Math.max(...[...groups.values()].map((g) => g.length))
    const group = groups.get(prefixOf(ev.host)) as MEntry[]
    expect(group.length, 'the victim\'s prefix holds the most').toBe(most)
    expect(Math.min(...group.map((e) => e.stamp)), 'the victim is its prefix\'s oldest').toBe((victim as MEntry).stamp)
    this.remove(victim as MEntry)
  }

  put (key: string, host: string, port: number, lan: boolean, now: number): PutResult {
    this.prune(now)
    const prev = this.find(key, host, port)
    if (prev !== undefined) {
      if (prev.lan === lan) {
        prev.time = now
        prev.stamp = ++this.stamp
        return 'refreshed'
      }
      this.remove(prev)
      this.insert(key, host, port, lan, now)
      return 'refreshed'
    }
    if (this.entries.filter((e) => e.host === host).length >= this.caps.maxPerHost) return 'refused-host'
    if (this.entries.filter((e) => e.key === key).length >= this.caps.maxPerKey) {
      this.indexed.add(key)
      while (this.entries.filter((e) => e.key === key).length >= this.caps.maxPerKey) {
        this.evict('per-key', this.entries.filter((e) => e.key === key))
      }
    }
    this.insert(key, host, port, lan, now)
    return 'added'
  }

  insert (key: string, host: string, port: number, lan: boolean, now: number): void {
    for (;;) {
      const keyed = this.entries.some((e) => e.key === key)
      let need = PeerStore.entryBytes(peerLength(host), lan)
      if (!this.entries.some((e) => e.host === host)) {
        need += STORE_HOST_BYTES
        if (!this.entries.some((e) => prefixOf(e.host) === prefixOf(host))) need += STORE_PREFIX_BYTES
      }
      if (!keyed) need += PEER_KEY_BYTES
      else if (this.indexed.has(key) && !this.entries.some((e) => e.key === key && prefixOf(e.host) === prefixOf(host))) need += PEER_KEY_GROUP_BYTES
      const cap: PeerStoreCap | null = this.entries.length >= this.caps.maxSize
        ? 'size'
        : !keyed && new Set(this.entries.map((e) => e.key)).size >= this.caps.maxKeys
          ? 'keys'
          : this.bytes() + need > this.caps.maxBytes ? 'bytes' : null
      if (cap === null) break
      this.evict(cap, this.entries)
    }
    this.entries.push({ key, host, port, lan, time: now, stamp: ++this.stamp })
  }

  delete (key: string, host: string, port: number): boolean {
    const e = this.find(key, host, port)
    if (e === undefined) return false
    this.remove(e)
    return true
  }
}

type Op =
  | { op: 'put', key: number, host: number, port: number, lan: boolean, dt: number }
  | { op: 'delete', key: number, host: number, port: number }
  | { op: 'tick', dt: number }

// skewed: the four hosts of 10.0.0.0/24 announce as often as all the others, so one prefix
// often holds the most in the store and under a key
const hostArb = fc.oneof(fc.nat(3), fc.nat(HOSTS.length - 1))
const keyArb = fc.oneof(fc.constant(0), fc.nat(KEYS.length - 1))

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant('put' as const), key: keyArb, host: hostArb, port: fc.nat(PORTS.length - 1), lan: fc.boolean(), dt: fc.nat(5) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), key: keyArb, host: hostArb, port: fc.nat(PORTS.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('tick' as const), dt: fc.nat(60) }) }
)

const capsArb: fc.Arbitrary<Caps> = fc.record({
  maxAge: fc.integer({ min: 10, max: 200 }),
  maxSize: fc.integer({ min: 1, max: 30 }),
  maxKeys: fc.integer({ min: 1, max: 7 }),
  maxPerKey: fc.integer({ min: 1, max: 8 }),
  maxPerHost: fc.integer({ min: 1, max: 12 }),
  // from below the floor (raised to one entry) to never binding
  maxBytes: fc.integer({ min: 0, max: 14_000 })
})

function stateOf (s: PeerStore, now: number): string[] {
  return KEYS.flatMap((k) => s.get(k, now).map((p) => `${k} ${p.host}:${p.port} ${p.localPeer !== null}`)).sort()
}

describe('PeerStore against a reference model', () => {
  it('agrees on every result, eviction, entry and count over random operations', () => {
    fc.assert(fc.property(capsArb, fc.array(opArb, { minLength: 1, maxLength: 400, size: 'max' }), (caps, ops) => {
      const reported: Eviction[] = []
      const store = new PeerStore({ ...caps, onevict: (key, p, cap) => reported.push({ key, host: p.host, port: p.port, cap }) })
      const model = new Model({ ...caps, maxBytes: store.maxBytes }, reported)
      let now = 1_000
      for (const o of ops) {
        if (o.op === 'tick') {
          now += o.dt
          store.prune(now)
          model.prune(now)
        } else if (o.op === 'put') {
          now += o.dt
          const host = HOSTS[o.host] as string
          const port = PORTS[o.port] as number
          const key = KEYS[o.key] as string
          const res = store.put(key, storedPeer(host, port, o.lan), now)
          expect(model.put(key, host, port, o.lan, now)).toBe(res)
        } else {
          const args = [KEYS[o.key] as string, HOSTS[o.host] as string, PORTS[o.port] as number] as const
          expect(store.delete(...args)).toBe(model.delete(...args))
        }
        expect(reported, 'no eviction beyond those the model needs').toEqual([])
        const st = store.stats()
        expect(st).toEqual({
          peers: model.entries.length,
          keys: new Set(model.entries.map((e) => e.key)).size,
          hosts: new Set(model.entries.map((e) => e.host)).size,
          prefixes: model.prefixes().size,
          bytes: model.bytes()
        })
        expect(st.peers).toBeLessThanOrEqual(caps.maxSize)
        expect(st.keys).toBeLessThanOrEqual(caps.maxKeys)
        expect(st.bytes).toBeLessThanOrEqual(store.maxBytes)
      }
      model.prune(now)
      expect(stateOf(store, now)).toEqual(model.entries.map((e) => `${e.key} ${e.host}:${e.port} ${e.lan}`).sort())
    }), { numRuns: 150 })
  })
})
