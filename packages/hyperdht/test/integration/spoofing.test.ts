// Spoofing (docs/security.md, "Spoofing"): on the in-memory network an attacker can forge any
// source address. Updates (announce, unannounce, immutable and mutable puts) need a roundtrip
// token the node issued to the source HOST, which a spoofer never receives (the node sends it to
// the forged address): a forged update is rejected, a token replayed from another host is only a
// query, and tokens stop verifying two rotations (5 to 10 minutes) after they were issued.
import { randomBytes } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { requestEncoding, responseEncoding, type RequestMessage } from '@hyperdht-ts/dht-rpc'
import { MemoryNetwork, type MemorySocket } from '@hyperdht-ts/dht-rpc/testnet'
import { forge, frameTid, requestFrame } from '@hyperdht-ts/test-utils'
import { SECRET_ROTATE_INTERVAL } from '../../../dht-rpc/src/constants.js'
import { Tokens } from '../../../dht-rpc/src/io/tokens.js'
import { HyperDHT, mutableTarget, signable } from '../../src/index.js'
import { sha256, signDetached } from '../../src/crypto.js'
import { immutablePut, mutableRequest, peersRequest } from '../../src/messages/index.js'
import { createHyperNetwork, randomKey, type HyperNetwork } from '../helpers/network.js'

const ANNOUNCE = 1
const UNANNOUNCE = 2
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** A socket of the in-memory network that sends raw requests and waits for their answers. */
class MemoryPeer {
  #tid = 1
  #waiting = new Map<number, (value: Uint8Array) => void>()
  constructor (readonly socket: MemorySocket, readonly host: string) {
    socket.on('message', (msg: Uint8Array) => {
      if (msg.byteLength >= 2 && (msg[0]! & 0x80) === 0) this.#waiting.get(frameTid(msg))?.(msg.subarray(2))
    })
  }

  static async bind (network: MemoryNetwork, host: string): Promise<MemoryPeer> {
    const socket = network.createSocket()
    await new Promise<void>((resolve) => socket.bind(0, host, resolve))
    return new MemoryPeer(socket, host)
  }

  get address (): { host: string, port: number } {
    return { host: this.host, port: this.socket.address().port }
  }

  /** Sends a request; resolves with the decoded answer, or null if none came. */
  async request (msg: RequestMessage, to: { host: string, port: number }, ms = 500): Promise<ReturnType<typeof responseEncoding.decode> | null> {
    const tid = this.#tid++
    const answer = new Promise<Uint8Array | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), ms)
      this.#waiting.set(tid, (body) => { clearTimeout(timer); resolve(body) })
    })
    this.socket.send(requestFrame(tid, requestEncoding.encode(msg)), to.port, to.host)
    const body = await answer
    this.#waiting.delete(tid)
    return body === null ? null : responseEncoding.decode(body)
  }

  close (): void {
    this.socket.close()
  }
}

describe('spoofed updates on the in-memory network (forged source addresses)', () => {
  let net: HyperNetwork
  let network: MemoryNetwork
  let victim: HyperDHT
  let honest: HyperDHT
  let attacker: MemoryPeer
  const key = randomKey()
  const events: string[] = []

  const to = (): { host: string, port: number } => ({ host: victim.address().host, port: victim.address().port })
  /** Forges `msg` from `from` at the victim; the answer (if any) goes to `from`, not to us. */
  const forged = async (from: { host: string, port: number }, msg: RequestMessage): Promise<void> => {
    const before = victim.dht.stats.requestsIn
    forge(network, from, to(), requestFrame(1, requestEncoding.encode(msg)))
    for (let i = 0; i < 100 && victim.dht.stats.requestsIn === before; i++) await new Promise((resolve) => setTimeout(resolve, 2))
    expect(victim.dht.stats.requestsIn).toBe(before + 1) // it arrived and was handled
  }
  const announceMsg = (type: number, port: number, token: Uint8Array | null = null): RequestMessage =>
    ({ command: 'peers', target: key, value: peersRequest.encode({ type, port }), roundtripToken: token })
  const stored = (host: string, port: number): boolean => victim.peerStore.hasAddress(host, port, Date.now())

  beforeAll(async () => {
    net = await createHyperNetwork(5, { memory: true })
    network = net.network!
    victim = net.nodes[1]!
    honest = net.nodes[2]!
    await honest.announce(key, { port: 4242 })
    expect(stored(honest.address().host, 4242)).toBe(true)
    attacker = await MemoryPeer.bind(network, '10.66.0.1')
    for (const e of ['announce', 'unannounce', 'immutable-put', 'mutable-put'] as const) victim.on(e, () => events.push(e))
  })

  afterEach(() => { events.length = 0 })

  afterAll(async () => {
    attacker?.close()
    await net?.destroy()
  })

  it('a forged unannounce of an honest peer (no token, or a made-up one) removes nothing', async () => {
    const a = { host: honest.address().host, port: honest.address().port }
    await forged(a, announceMsg(UNANNOUNCE, 4242))
    await forged(a, announceMsg(UNANNOUNCE, 4242, new Uint8Array(randomBytes(32))))
    expect(stored(a.host, 4242)).toBe(true)
    expect(events).toEqual([])
  })

  it('a forged announce from a host that never talked to the node stores nothing, even with the attacker\'s own token', async () => {
    const own = (await attacker.request({ command: '_ping' }, to()))!.roundtripToken!
    expect(own.byteLength).toBe(32)
    const x = { host: '10.99.0.1', port: 1000 }
    await forged(x, announceMsg(ANNOUNCE, 1000))
    await forged(x, announceMsg(ANNOUNCE, 1000, own))
    expect(stored(x.host, 1000)).toBe(false)
    expect(events).toEqual([])
    // the same token from the host it was issued to is an update: the test can fail
    await attacker.request(announceMsg(ANNOUNCE, 1001, own), to())
    expect(stored(attacker.host, 1001)).toBe(true)
    expect(events).toEqual(['announce'])
  })

  it('a token issued to host A, replayed from host B, is only a query (answered, nothing stored)', async () => {
    // the honest peer's token, as its lookup got it (an attacker on its path could sniff it)
    const results = await honest.dht.query({ command: 'peers', target: key, value: peersRequest.encode({ type: 0 }) }, { nodes: [to()] }).toArray()
    const token = results.find((r) => r.node.port === to().port)!.token!
    const res = await attacker.request(announceMsg(ANNOUNCE, 2000, token), to())
    expect(res).not.toBeNull() // answered as a lookup: the honest peer is in it
    expect(res!.value).not.toBeNull()
    expect(stored(attacker.host, 2000)).toBe(false)
    expect(events).toEqual([])
    // from A's host (forged there: a spoofer that sniffed A's token can announce as A, which tokens
    // do not prevent: they prove that the host receives, not who it is)
    await forged({ host: honest.address().host, port: 1 }, announceMsg(ANNOUNCE, 2001, token))
    expect(stored(honest.address().host, 2001)).toBe(true)
  })

  it('forged immutable and mutable puts store nothing', async () => {
    const value = new Uint8Array(randomBytes(100))
    const hash = sha256(value)
    const keyPair = HyperDHT.keyPair()
    const seq = 1
    const mutable = mutableRequest.encode({ publicKey: keyPair.publicKey, salt: null, seq, value, signature: signDetached(signable(null, seq, value), keyPair.secretKey) })
    const target = mutableTarget(keyPair.publicKey, null)
    const own = (await attacker.request({ command: '_ping' }, to()))!.roundtripToken!
    const x = { host: '10.99.0.2', port: 1000 }
    for (const token of [null, own, new Uint8Array(randomBytes(32))]) {
      await forged(x, { command: 'immutable', target: hash, value: immutablePut.encode(value), roundtripToken: token })
      await forged(x, { command: 'mutable', target, value: mutable, roundtripToken: token })
    }
    expect(victim.valueStore.getImmutable(hash, Date.now())).toBeNull()
    expect(victim.valueStore.getMutable(target, Date.now())).toBeNull()
    expect(events).toEqual([])
    // the same puts with the token, from the host it was issued to, are stored
    await attacker.request({ command: 'immutable', target: hash, value: immutablePut.encode(value), roundtripToken: own }, to())
    await attacker.request({ command: 'mutable', target, value: mutable, roundtripToken: own }, to())
    expect(hex(victim.valueStore.getImmutable(hash, Date.now())!)).toBe(hex(value))
    expect(victim.valueStore.getMutable(target, Date.now())?.seq).toBe(seq)
  })
})

describe('roundtrip tokens rotate', () => {
  it('a token verifies under the current and the previous secret, not after two rotations, and only for its host', () => {
    const tokens = new Tokens()
    const t = tokens.create('10.0.0.1')
    expect(tokens.verify(t, '10.0.0.1')).toBe(true)
    expect(tokens.verify(t, '10.0.0.2')).toBe(false)
    tokens.rotate()
    expect(tokens.verify(t, '10.0.0.1')).toBe(true)
    expect(hex(tokens.create('10.0.0.1'))).not.toBe(hex(t))
    tokens.rotate()
    expect(tokens.verify(t, '10.0.0.1')).toBe(false)
  })

  it(`a live node rotates its secret every ${SECRET_ROTATE_INTERVAL / 60_000} minutes: an old token stops making updates`, async () => {
    // only the intervals are faked (the rotation timer); datagrams and timeouts run for real
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const network = new MemoryNetwork()
    const victim = new HyperDHT({ mode: 'server', socket: network.createSocket() })
    let attacker: MemoryPeer | null = null
    try {
      await victim.listen(0, '10.0.0.1')
      const to = { host: '10.0.0.1', port: victim.address().port }
      attacker = await MemoryPeer.bind(network, '10.0.0.2')
      const key = randomKey()
      const announce = (port: number, token: Uint8Array): RequestMessage => ({ command: 'peers', target: key, value: peersRequest.encode({ type: ANNOUNCE, port }), roundtripToken: token })
      const token = (await attacker.request({ command: '_ping' }, to))!.roundtripToken!
      vi.advanceTimersByTime(SECRET_ROTATE_INTERVAL) // one rotation: still valid
      await attacker.request(announce(1, token), to)
      expect(victim.peerStore.hasAddress('10.0.0.2', 1, Date.now())).toBe(true)
      vi.advanceTimersByTime(SECRET_ROTATE_INTERVAL) // two: expired
      await attacker.request(announce(2, token), to)
      expect(victim.peerStore.hasAddress('10.0.0.2', 2, Date.now())).toBe(false)
      const fresh = (await attacker.request({ command: '_ping' }, to))!.roundtripToken!
      expect(hex(fresh)).not.toBe(hex(token))
      await attacker.request(announce(3, fresh), to)
      expect(victim.peerStore.hasAddress('10.0.0.2', 3, Date.now())).toBe(true)
    } finally {
      vi.useRealTimers()
      attacker?.close()
      await victim.destroy()
      network.destroy()
    }
  })
})
