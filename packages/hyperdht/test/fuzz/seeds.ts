// Valid hyperdht datagrams of every kind for the whole-packet fuzzer: dht-rpc's own seeds plus
// `peers` (lookup, announce, unannounce), `immutable` (get, put) and `mutable` (get, put, signed
// with key pairs derived from the Prng) requests, and responses carrying each hyperdht payload.
// Every byte comes from the Prng: the same seed builds the same seeds.
import { requestEncoding, responseEncoding } from '@hyperdht-ts/dht-rpc'
import type { Prng } from '@hyperdht-ts/test-utils'
import { dhtRpcSeeds, frame, loopbackPeer } from '../../../dht-rpc/test/fuzz/seeds.js'
import { createKeyPair, mutableTarget, sha256, signable, signDetached } from '../../src/crypto.js'
import { immutablePut, immutableValue, lanAddressNumber, mutableRecord, mutableRequest, peersRequest, peersResponse, putResponse } from '../../src/messages/index.js'

export { confineForwards, confineNodes, frame } from '../../../dht-rpc/test/fuzz/seeds.js'

/** A signed mutable record (key pair from the Prng). */
export function signedRecord (rand: Prng, opts: { salt?: Uint8Array | null, seq?: number, value?: Uint8Array } = {}): {
  publicKey: Uint8Array, secretKey: Uint8Array, salt: Uint8Array | null, seq: number, value: Uint8Array, signature: Uint8Array, target: Uint8Array
} {
  const { publicKey, secretKey } = createKeyPair(rand.bytes(32))
  const salt = opts.salt !== undefined ? opts.salt : rand.chance(0.5) ? rand.bytes(1 + rand.int(64)) : null
  const seq = opts.seq ?? rand.int(1000)
  const value = opts.value ?? rand.bytes(rand.length(1000))
  const signature = signDetached(signable(salt, seq, value), secretKey)
  return { publicKey, secretKey, salt, seq, value, signature, target: mutableTarget(publicKey, salt) }
}

export interface HyperSeedOptions {
  /** Keys with announces on the node under test (lookups of them get peers back). */
  keys?: readonly Uint8Array[]
  /** Values stored on the node (immutable gets of them hit). */
  values?: readonly Uint8Array[]
  /** Mutable records stored on the node (gets and lower-seq puts of them hit). */
  records?: ReadonlyArray<ReturnType<typeof signedRecord>>
}

export function hyperdhtSeeds (rand: Prng, opts: HyperSeedOptions = {}): Buffer[] {
  const keys = opts.keys ?? []
  const targets = [...keys, ...(opts.values ?? []).map((v) => sha256(v)), ...(opts.records ?? []).map((r) => r.target)]
  const seeds = dhtRpcSeeds(rand, { encodeRequest: requestEncoding.encode, encodeResponse: responseEncoding.encode }, [], targets)
  const id = (): Buffer => rand.bytes(32)
  const key = (): Uint8Array => keys.length > 0 && rand.chance(0.6) ? rand.pick(keys) : rand.bytes(32)
  const token = (): Buffer | null => rand.chance(0.5) ? rand.bytes(32) : null
  const req = (command: string, target: Uint8Array, value: Uint8Array | null): Buffer =>
    frame(true, rand.int(0x8000), requestEncoding.encode({ command, id: rand.chance(0.8) ? id() : null, target, value, roundtripToken: token() }))
  const res = (value: Uint8Array | null): Buffer =>
    frame(false, rand.int(0x8000), responseEncoding.encode({ id: id(), value, roundtripToken: rand.bytes(32), nodes: Buffer.concat([id(), loopbackPeer(rand)]) }))

  // peers: lookup (with and without a LAN address), announce (with a port), unannounce
  for (const type of [0, 0, 1, 2]) {
    const localAddress = rand.chance(0.5) ? lanAddressNumber(loopbackPeer(rand)) : null
    seeds.push(req('peers', key(), peersRequest.encode({ type, port: type === 1 ? 1 + rand.int(65535) : null, localAddress })))
  }
  seeds.push(res(peersResponse.encode({ peers: Buffer.concat([loopbackPeer(rand), loopbackPeer(rand)]), localPeers: rand.bytes(8) })))

  // immutable: get (no value) and put of a value whose hash is the target
  const stored = opts.values ?? []
  const value = stored.length > 0 && rand.chance(0.5) ? rand.pick(stored) : rand.bytes(rand.length(1000))
  seeds.push(req('immutable', sha256(value), null))
  seeds.push(req('immutable', sha256(value), immutablePut.encode(value)))
  seeds.push(res(immutableValue.encode(value)))
  seeds.push(res(putResponse.encode({ status: 0, current: null })))

  // mutable: get (with a minimum seq) and put of a correctly signed record
  const records = opts.records ?? []
  const r = records.length > 0 && rand.chance(0.5) ? rand.pick(records) : signedRecord(rand)
  seeds.push(req('mutable', r.target, mutableRequest.encode({ publicKey: r.publicKey, salt: r.salt, seq: rand.int(3), value: null, signature: null })))
  seeds.push(req('mutable', r.target, mutableRequest.encode({ publicKey: r.publicKey, salt: r.salt, seq: r.seq, value: r.value, signature: r.signature })))
  seeds.push(res(mutableRecord.encode({ seq: r.seq, value: r.value, signature: r.signature })))
  seeds.push(res(putResponse.encode({ status: 1, current: { seq: r.seq, value: r.value, signature: r.signature } })))
  return seeds
}
