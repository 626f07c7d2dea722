// ValueStore against a reference model written for clarity, not speed (see
// peer-store.model.test.ts): every reported eviction must be allowed (its cap exceeded, the
// victim the oldest value of a prefix holding the most), none may be missing, and the two must
// hold the same values, owners, counts and bytes after every operation.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { STORE_HOST_BYTES, STORE_PREFIX_BYTES } from '../constants.js'
import { createKeyPair, mutableTarget, sha256, signable, signDetached } from '../crypto.js'
import { prefixOf } from './hosts.js'
import { ValueStore, type MutableRecord, type StoreResult, type ValueStoreCap } from './value-store.js'

interface Caps {
  maxAge: number
  maxSize: number
  maxPerHost: number
  maxBytes: number
}

interface MEntry {
  id: string
  host: string
  length: number
  seq: number
  value: string
  time: number
  stamp: number
}

const HOSTS = ['10.0.0.1', '10.0.0.2', '::ffff:10.0.0.3', '10.0.1.1', '2001:db8:1::1', '2001:db8:1:2::1', '2001:db8:9::1', '172.16.0.1']

const IMMUTABLES = [0, 1, 10, 50, 64, 65, 200, 500, 999, 1000, 300, 7].map((n, i) => Buffer.alloc(n, i + 1))

const keyPairs = [createKeyPair(), createKeyPair()]
const SALTS = [null, Buffer.from('salt')]
interface Signed { target: Uint8Array, record: MutableRecord }
// per key pair and salt, seqs 0..2 with two values each: small and large
const MUTABLES: Signed[] = keyPairs.flatMap((kp, k) => SALTS.flatMap((salt) => [0, 1, 2].flatMap((seq) => [5, 900].map((n): Signed => {
  const value = Buffer.alloc(n, 1 + seq + k)
  return {
    target: mutableTarget(kp.publicKey, salt),
    record: { publicKey: kp.publicKey, salt, seq, value, signature: signDetached(signable(salt, seq, value), kp.secretKey) }
  }
}))))

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

class Model {
  entries = new Map<string, MEntry>()
  stamp = 0

  constructor (readonly caps: Caps, readonly reported: Array<{ id: string, cap: ValueStoreCap }>) {}

  prune (now: number): void {
    for (const e of [...this.entries.values()]) if (now - e.time > this.caps.maxAge) this.entries.delete(e.id)
  }

  count (host: string): number {
    return [...this.entries.values()].filter((e) => e.host === host).length
  }

  prefixes (): Map<string, MEntry[]> {
    const out = new Map<string, MEntry[]>()
    for (const e of this.entries.values()) out.set(prefixOf(e.host), [...(out.get(prefixOf(e.host)) ?? []), e])
    return out
  }

  bytes (): number {
    const all = [...this.entries.values()]
    return all.reduce((b, e) => b + ValueStore.entryBytes(e.length), 0) +
      new Set(all.map((e) => e.host)).size * STORE_HOST_BYTES + this.prefixes().size * STORE_PREFIX_BYTES
  }

  put (id: string, host: string, length: number, seq: number, value: string, mutable: boolean, now: number): StoreResult {
    this.prune(now)
    const prev = this.entries.get(id)
    if (prev !== undefined) {
      let status: 'refreshed' | 'replaced' = 'refreshed'
      if (mutable) {
        if (seq < prev.seq || (seq === prev.seq && value !== prev.value)) return { ok: false, reason: 'SEQ_TOO_LOW' }
        if (seq > prev.seq) status = 'replaced'
      }
      const owner = prev.host !== host && this.count(host) < this.caps.maxPerHost ? host : prev.host
      if (owner === prev.host && length === prev.length) {
        Object.assign(prev, { seq, value, time: now, stamp: ++this.stamp })
      } else {
        this.entries.delete(id)
        this.insert({ id, host: owner, length, seq, value, time: now, stamp: 0 })
      }
      return { ok: true, status }
    }
    if (this.count(host) >= this.caps.maxPerHost) return { ok: false, reason: 'HOST_FULL' }
    this.insert({ id, host, length, seq, value, time: now, stamp: 0 })
    return { ok: true, status: 'added' }
  }

  insert (e: MEntry): void {
    for (;;) {
      let need = ValueStore.entryBytes(e.length)
      if (this.count(e.host) === 0) {
        need += STORE_HOST_BYTES
        if (!this.prefixes().has(prefixOf(e.host))) need += STORE_PREFIX_BYTES
      }
      const cap: ValueStoreCap | null = this.entries.size >= this.caps.maxSize ? 'size' : this.bytes() + need > this.caps.maxBytes ? 'bytes' : null
      if (cap === null) break
      const r = this.reported.shift()
      expect(r, `an eviction (${cap}) is missing`).toBeDefined()
      expect(r?.cap).toBe(cap)
      const victim = this.entries.get(r?.id as string) as MEntry
      expect(victim, 'the victim is stored').toBeDefined()
      const groups = this.prefixes()
      const most = Math.max(...[...groups.values()].map((g) => g.length))
      const group = groups.get(prefixOf(victim.host)) as MEntry[]
      expect(group.length, 'the victim\'s prefix holds the most').toBe(most)
      expect(Math.min(...group.map((x) => x.stamp)), 'the victim is its prefix\'s oldest').toBe(victim.stamp)
      this.entries.delete(victim.id)
    }
    e.stamp = ++this.stamp
    this.entries.set(e.id, e)
  }
}

type Op =
  | { op: 'immutable', value: number, host: number, dt: number }
  | { op: 'mutable', record: number, host: number, dt: number }
  | { op: 'tick', dt: number }

const hostArb = fc.oneof(fc.constant(0), fc.nat(2), fc.nat(HOSTS.length - 1))
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('immutable' as const), value: fc.nat(IMMUTABLES.length - 1), host: hostArb, dt: fc.nat(5) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('mutable' as const), record: fc.nat(MUTABLES.length - 1), host: hostArb, dt: fc.nat(5) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('tick' as const), dt: fc.nat(60) }) }
)

const capsArb: fc.Arbitrary<Caps> = fc.record({
  maxAge: fc.integer({ min: 10, max: 200 }),
  maxSize: fc.integer({ min: 1, max: 40 }),
  maxPerHost: fc.integer({ min: 1, max: 12 }),
  // from below the floor (raised to one largest record) to never binding
  maxBytes: fc.integer({ min: 0, max: 60_000 })
})

describe('ValueStore against a reference model', () => {
  it('agrees on every result, eviction, value and count over random operations', () => {
    fc.assert(fc.property(capsArb, fc.array(opArb, { minLength: 1, maxLength: 400, size: 'max' }), (caps, ops) => {
      const reported: Array<{ id: string, cap: ValueStoreCap }> = []
      const store = new ValueStore({ ...caps, onevict: (id, cap) => reported.push({ id, cap }) })
      const model = new Model({ ...caps, maxBytes: store.maxBytes }, reported)
      let now = 5_000
      for (const o of ops) {
        now += o.dt
        if (o.op === 'tick') {
          store.prune(now)
          model.prune(now)
        } else if (o.op === 'immutable') {
          const v = IMMUTABLES[o.value] as Buffer
          const host = HOSTS[o.host] as string
          const res = store.putImmutable(sha256(v), v, host, now)
          expect(res).toEqual(model.put('i' + hex(sha256(v)), host, v.length, 0, '', false, now))
        } else {
          const { target, record } = MUTABLES[o.record] as Signed
          const host = HOSTS[o.host] as string
          const res = store.putMutable(target, record, host, now)
          const length = 32 + 64 + (record.salt?.length ?? 0) + record.value.length
          const expected = model.put('m' + hex(target), host, length, record.seq, hex(record.value), true, now)
          if (!res.ok && res.reason === 'SEQ_TOO_LOW') {
            expect(res.current?.seq).toBe(model.entries.get('m' + hex(target))?.seq)
            delete res.current
          }
          expect(res).toEqual(expected)
        }
        expect(reported, 'no eviction beyond those the model needs').toEqual([])
        const all = [...model.entries.values()]
        expect(store.stats()).toEqual({ values: all.length, hosts: new Set(all.map((e) => e.host)).size, prefixes: model.prefixes().size, bytes: model.bytes() })
        expect(store.size).toBeLessThanOrEqual(caps.maxSize)
        expect(store.bytes).toBeLessThanOrEqual(store.maxBytes)
      }
      for (const v of IMMUTABLES) expect(store.getImmutable(sha256(v), now) !== null).toBe(model.entries.has('i' + hex(sha256(v))))
      for (const { target } of MUTABLES) {
        const got = store.getMutable(target, now)
        const want = model.entries.get('m' + hex(target))
        expect(got === null ? null : [got.seq, hex(got.value)]).toEqual(want === undefined ? null : [want.seq, want.value])
      }
    }), { numRuns: 60 })
  })
})
