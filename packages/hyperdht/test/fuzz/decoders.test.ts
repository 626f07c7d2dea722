// Mutation fuzzing of hyperdht's decoders and of the stored-value paths. Beyond the random-input
// test of src/messages/messages.test.ts: valid messages broken by test-utils' structure-aware
// engine (views, round trip, well-formedness: ./check.ts), mutated signed records against
// `verifyMutable` and the ValueStore, and mutated request values through the command handlers
// with real stores (nothing unverified is ever stored or answered).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Prng, envCount, fuzzSeed, mutate } from '@hyperdht-ts/test-utils'
import { toHex } from '@hyperdht-ts/dht-rpc'
import { mutableTarget, sha256, signable } from '../../src/crypto.js'
import { onimmutableQuery, onimmutableUpdate, onmutableQuery, onmutableUpdate, onpeers, type HandlerContext } from '../../src/handlers.js'
import { immutablePut, immutableValue, lanAddressNumber, mutableRecord, mutableRequest, peersRequest, peersResponse, putResponse } from '../../src/messages/index.js'
import { PeerStore } from '../../src/store/peer-store.js'
import { ValueStore, verifyMutable, type MutableRecord } from '../../src/store/value-store.js'
import { DECODERS, checkHyperDecode, normalize } from './check.js'
import { signedRecord } from './seeds.js'

const fcOptions = (numRuns: number): fc.Parameters<unknown> =>
  process.env.FC_SEED === undefined ? { numRuns } : { numRuns, seed: Number(process.env.FC_SEED) }
const uint32 = fc.integer({ min: 0, max: 0xffffffff })
const bytes = (max: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength: max })
const opt = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null })

/** Valid messages of every hyperdht kind, as [decoder name, bytes]. */
const valid: fc.Arbitrary<[string, Uint8Array]> = fc.oneof(
  fc.record({ type: fc.constantFrom(0, 1, 2, 7), port: opt(fc.integer({ min: 0, max: 65535 })), localAddress: opt(fc.integer({ min: 0, max: 2 ** 48 - 1 })) }).map((m) => ['peersRequest', peersRequest.encode(m)] as [string, Uint8Array]),
  fc.record({ peers: opt(bytes(60)), localPeers: opt(bytes(20)) }).map((m) => ['peersResponse', peersResponse.encode(m)] as [string, Uint8Array]),
  bytes(1000).map((v) => ['immutablePut', immutablePut.encode(v)] as [string, Uint8Array]),
  bytes(1000).map((v) => ['immutableValue', immutableValue.encode(v)] as [string, Uint8Array]),
  fc.record({ publicKey: bytes(33), salt: opt(bytes(65)), seq: opt(fc.maxSafeNat()), value: opt(bytes(1001)), signature: opt(bytes(65)) })
    .map((m) => ['mutableRequest', mutableRequest.encode(m)] as [string, Uint8Array]),
  fc.record({ seq: fc.maxSafeNat(), value: bytes(1001), signature: bytes(65) }).map((m) => ['mutableRecord', mutableRecord.encode(m)] as [string, Uint8Array]),
  fc.record({ status: fc.nat(4), current: opt(fc.record({ seq: fc.maxSafeNat(), value: bytes(50), signature: bytes(64) })) })
    .map((m) => ['putResponse', putResponse.encode(m)] as [string, Uint8Array])
)

describe('hyperdht decoders under mutation', () => {
  it('the property checker itself catches a decoder that throws, or returns views past its input', () => {
    const bad = { decode: (b: Uint8Array) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength + 1), encode: (v: Uint8Array) => v }
    const saved = DECODERS.immutableValue!
    try {
      DECODERS.immutableValue = bad
      expect(() => checkHyperDecode('immutableValue', new Uint8Array(new ArrayBuffer(8), 0, 4))).toThrow(/beyond the input/)
      DECODERS.immutableValue = { decode: () => { throw new Error('x') }, encode: (v: Uint8Array) => v }
      expect(() => checkHyperDecode('immutableValue', new Uint8Array(1))).toThrow(/never throw/)
    } finally {
      DECODERS.immutableValue = saved
    }
  })

  it('valid messages decode to what was encoded', () => {
    fc.assert(fc.property(valid, ([name, b]) => {
      const out = checkHyperDecode(name, b)
      expect(out).not.toBeNull()
      expect(JSON.stringify(normalize(DECODERS[name]!.decode(DECODERS[name]!.encode(DECODERS[name]!.decode(b) as never))))).toBe(JSON.stringify(out))
    }), fcOptions(500))
  })

  it('mutated valid messages: every decoder returns null or a well-formed message of views into its input that re-encodes to itself', () => {
    fc.assert(fc.property(valid, uint32, ([, b], s) => {
      const m = mutate(new Prng(s), b, { maxOps: 3 })
      for (const name of Object.keys(DECODERS)) checkHyperDecode(name, m.bytes)
    }), fcOptions(3000))
  })
})

describe('stored values under mutation', () => {
  it('signable is injective: records that differ in salt, seq or value never sign the same bytes', () => {
    const record = fc.record({ salt: opt(bytes(64)), seq: fc.maxSafeNat(), value: bytes(100) })
    fc.assert(fc.property(record, record, uint32, (a, b, s) => {
      // half of the time b is a near miss of a: a mutated salt or value, an adjacent seq
      const rand = new Prng(s)
      if (rand.chance(0.5)) {
        b = { ...a }
        const f = rand.int(3)
        if (f === 0) b.salt = mutate(rand, a.salt ?? new Uint8Array(0)).bytes
        else if (f === 1) b.seq = Math.max(0, Math.min(Number.MAX_SAFE_INTEGER, a.seq + rand.range(-1, 1)))
        else b.value = mutate(rand, a.value).bytes
      }
      const same = JSON.stringify(normalize(a)) === JSON.stringify(normalize(b))
      expect(Buffer.from(signable(a.salt, a.seq, a.value)).equals(Buffer.from(signable(b.salt, b.seq, b.value)))).toBe(same)
    }), fcOptions(2000))
  })

  it('a seeded run of mutated signed records: only untouched ones verify, and the store keeps only verified records', () => {
    const seed = fuzzSeed()
    const count = envCount('FUZZ_RECORDS', 1500)
    console.log(`hyperdht stored values: seed ${seed}, ${count} mutated records (replay: FUZZ_SEED=${seed} FUZZ_RECORDS=${count})`)
    const rand = new Prng(seed)
    const originals = Array.from({ length: 8 }, () => signedRecord(rand))
    const store = new ValueStore({ maxSize: 64, maxPerHost: 16 })
    const reasons = new Map<string, number>()
    let accepted = 0
    for (let i = 0; i < count; i++) {
      const o = rand.pick(originals)
      const fields: Array<keyof MutableRecord> = ['publicKey', 'salt', 'seq', 'value', 'signature']
      const field = rand.pick(fields)
      const orig: MutableRecord = { publicKey: o.publicKey, salt: o.salt, seq: o.seq, value: o.value, signature: o.signature }
      const r: MutableRecord = { ...orig }
      if (field === 'seq') r.seq = rand.pick([0, o.seq + 1, Math.max(0, o.seq - 1), 2 ** 53 - 1, rand.int(2 ** 31)])
      else if (rand.chance(0.9)) (r as unknown as Record<string, Uint8Array>)[field] = mutate(rand, (r[field] as Uint8Array | null) ?? new Uint8Array(0)).bytes
      const untouched = JSON.stringify(normalize(r)) === JSON.stringify(normalize(orig))
      const why = `seed ${seed} #${i}: ${field}`
      expect(verifyMutable(r), why).toBe(untouched)
      // put under the original target or the record's own: both paths must refuse anything forged
      const target = rand.chance(0.5) ? o.target : mutableTarget(r.publicKey, r.salt)
      const res = store.putMutable(target, r, `10.0.${rand.int(4)}.1`, i)
      if (res.ok) accepted++
      else reasons.set(res.reason, (reasons.get(res.reason) ?? 0) + 1)
      if (res.ok) expect(untouched && Buffer.from(target).equals(Buffer.from(o.target)), why).toBe(true)
    }
    expect(accepted).toBeGreaterThan(0)
    expect(reasons.get('INVALID_SIGNATURE') ?? 0).toBeGreaterThan(0)
    // whatever was thrown at it, every stored record verifies under its target
    for (const o of originals) {
      const rec = store.getMutable(o.target, count)
      if (rec === null) continue
      expect(verifyMutable(rec)).toBe(true)
      expect(Buffer.from(mutableTarget(rec.publicKey, rec.salt)).equals(Buffer.from(o.target))).toBe(true)
    }
  })

  it('command handlers fed mutated requests never throw, answer only verified values, and store only verified ones', () => {
    const seed = fuzzSeed()
    const count = envCount('FUZZ_HANDLER_CALLS', 3000)
    console.log(`hyperdht handlers: seed ${seed}, ${count} mutated requests (replay: FUZZ_SEED=${seed} FUZZ_HANDLER_CALLS=${count})`)
    const rand = new Prng(seed)
    let time = 0
    const ctx: HandlerContext = {
      peers: new PeerStore({ maxSize: 200, maxPerHost: 20 }),
      values: new ValueStore({ maxSize: 100, maxPerHost: 20 }),
      now: () => time,
      encodePeer: (p) => p.port >= 1 && p.port <= 65535 ? Uint8Array.from([...p.host.split('.').map(Number), p.port >> 8, p.port & 255]) : null,
      emit: () => true
    }
    const records = Array.from({ length: 4 }, () => signedRecord(rand))
    const values = Array.from({ length: 4 }, () => rand.bytes(rand.length(1000)))
    const keys = Array.from({ length: 4 }, () => rand.bytes(32))
    const valid: Array<{ command: string, target: Uint8Array, value: Uint8Array | null }> = [
      ...keys.map((k) => ({ command: 'peers', target: k, value: peersRequest.encode({ type: rand.int(3), port: rand.int(65536), localAddress: lanAddressNumber(rand.bytes(6)) }) })),
      ...values.map((v) => ({ command: 'immutable', target: sha256(v), value: immutablePut.encode(v) })),
      ...values.map((v) => ({ command: 'immutable', target: sha256(v), value: null })),
      ...records.map((r) => ({ command: 'mutable', target: r.target, value: mutableRequest.encode(r) })),
      ...records.map((r) => ({ command: 'mutable', target: r.target, value: mutableRequest.encode({ publicKey: r.publicKey, salt: r.salt, seq: 0, value: null, signature: null }) }))
    ]
    for (let i = 0; i < count; i++) {
      time += 10
      const v = rand.pick(valid)
      const value = v.value !== null && rand.chance(0.85) ? mutate(rand, v.value).bytes : v.value
      const target = rand.chance(0.9) ? v.target : rand.bytes(32)
      const update = rand.chance(0.5)
      const q = { node: { id: null, host: `10.${rand.int(3)}.0.1`, port: 1 + rand.int(65535) }, command: v.command, target, value }
      const why = `seed ${seed} #${i}: ${v.command} ${update ? 'update' : 'query'}`
      let reply: Uint8Array | null
      if (v.command === 'peers') reply = onpeers(ctx, q, update)
      else if (v.command === 'immutable') reply = update ? onimmutableUpdate(ctx, q) : onimmutableQuery(ctx, q)
      else reply = update ? onmutableUpdate(ctx, q) : onmutableQuery(ctx, q)
      if (reply === null) continue
      expect(reply, why).toBeInstanceOf(Uint8Array)
      if (update && v.command !== 'peers') {
        const res = putResponse.decode(reply)
        expect(res, why).not.toBeNull()
        expect([0, 1, 2, 3], why).toContain(res!.status)
        // a refused put answers the newer record stored under the target: a verified one
        if (res!.current !== null) {
          const stored = ctx.values.getMutable(target, time)
          expect(stored !== null && verifyMutable(stored), why).toBe(true)
          expect(normalize(res!.current), why).toEqual(normalize({ seq: stored!.seq, value: stored!.value, signature: stored!.signature }))
        }
      } else if (v.command === 'immutable') {
        const got = immutableValue.decode(reply)
        expect(got !== null && toHex(sha256(got)) === toHex(target), why).toBe(true)
      } else if (v.command === 'mutable') {
        // the answer is the record stored under the target, which verified when it was stored
        const rec = mutableRecord.decode(reply)
        const stored = ctx.values.getMutable(target, time)
        expect(rec, why).not.toBeNull()
        expect(stored, why).not.toBeNull()
        expect(normalize(rec), why).toEqual(normalize({ seq: stored!.seq, value: stored!.value, signature: stored!.signature }))
        expect(verifyMutable(stored!) && toHex(mutableTarget(stored!.publicKey, stored!.salt)) === toHex(target), why).toBe(true)
      } else {
        expect(peersResponse.decode(reply), why).not.toBeNull()
      }
    }
    // the stores hold only what verifies, within their caps
    expect(ctx.values.size).toBeLessThanOrEqual(100)
    expect(ctx.peers.size).toBeLessThanOrEqual(200)
    for (const r of records) {
      const rec = ctx.values.getMutable(r.target, time)
      if (rec !== null) expect(verifyMutable(rec)).toBe(true)
    }
    for (const v of values) {
      const got = ctx.values.getImmutable(sha256(v), time)
      if (got !== null) expect(toHex(got)).toBe(toHex(v))
    }
  })
})

describe('whole-packet seeds', () => {
  it('the seeds of the live-node fuzz replay from their seed, byte for byte', async () => {
    const { datagramStream } = await import('@hyperdht-ts/test-utils')
    const { hyperdhtSeeds } = await import('./seeds.js')
    const run = (): string[] => {
      const rand = new Prng(5)
      const setup = rand.fork()
      const seeds = hyperdhtSeeds(setup, { keys: [setup.bytes(32)], values: [setup.bytes(10)], records: [signedRecord(setup)] })
      const next = datagramStream(rand.fork(), seeds)
      return [...seeds.map((s) => toHex(s)), ...Array.from({ length: 500 }, () => toHex(next().bytes))]
    }
    const a = run()
    expect(a.length).toBeGreaterThan(520)
    expect(run()).toEqual(a)
  })
})
