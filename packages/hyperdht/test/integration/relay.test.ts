// No open relay, attacked over real loopback UDP (docs/security.md, "No open relay"): a referrer
// relays a holepunch `_ping` (`forwardRequest`) only to a peer it knows (a contact of its table,
// or for HyperDHT a peer announced on it), at a bounded rate per requester and in total; a relayed
// `_ping` (`forwardResponse`) is answered only for a referrer the target talked to. Everything
// else is dropped and counted, and nothing reaches the address an attacker named.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requestEncoding, type RequestMessage } from '@hyperdht-ts/dht-rpc'
import { RawPeer, closeAll, requestFrame, sleep, waitFor } from '@hyperdht-ts/test-utils'
import { RELAY_BURST, RELAY_RATE } from '../../../dht-rpc/src/constants.js'
import { createRef, refDestroy, type RefDHT } from '../../../dht-rpc/test/reference.js'
import { SIGNAL_BURST } from '@hyperdht-ts/holepunch'
import { HyperDHT } from '../../src/index.js'
import { createHyperNetwork, randomKey, type HyperNetwork } from '../helpers/network.js'

const peerBytes = (host: string, port: number): Uint8Array => new Uint8Array([...host.split('.').map(Number), port >> 8, port & 0xff])
const addr = (n: HyperDHT): { host: string, port: number } => ({ host: n.address().host, port: n.address().port })

describe('no open relay over loopback UDP', () => {
  let net: HyperNetwork
  /** The referrer: a HyperDHT server that stores the announce of `listener`. */
  let referrer: HyperDHT
  /** A client that announced on the referrer: in no routing table, reachable only through its announce. */
  let listener: HyperDHT
  /** An honest requester. */
  let requester: HyperDHT
  const key = randomKey()
  const sockets: RawPeer[] = []
  let tid = 1

  const stats = (n: HyperDHT): { forwarded: number, answered: number, refused: number } => {
    const s = n.dht.stats
    return { forwarded: s.holepunches.forwarded, answered: s.holepunches.answered, refused: s.dropped.relayRefused }
  }
  const raw = async (host: string): Promise<RawPeer> => {
    const p = await RawPeer.bind(host)
    sockets.push(p)
    return p
  }
  const send = async (from: RawPeer, to: HyperDHT, msg: RequestMessage): Promise<void> => {
    await from.send(requestFrame(tid++, requestEncoding.encode(msg)), addr(to))
  }

  beforeAll(async () => {
    net = await createHyperNetwork(5)
    referrer = net.nodes[1]!
    listener = new HyperDHT({ bootstrap: net.bootstrap, mode: 'client' })
    await listener.listen(0, '127.70.0.1')
    await listener.ready()
    const res = await listener.announce(key)
    expect(res.committed.some((n) => n.host === referrer.address().host)).toBe(true)
    requester = new HyperDHT({ bootstrap: net.bootstrap, mode: 'client' })
    await requester.listen(0, '127.71.0.1')
    await requester.ready()
  })

  afterAll(async () => {
    await closeAll(sockets)
    await requester?.destroy()
    await listener?.destroy()
    await net?.destroy()
  })

  it('the listener is reachable through the referrer only by its announce: it is in no routing table', () => {
    for (const n of net.nodes) expect(n.dht.findLocal(listener.id)).toBeNull()
    expect(referrer.peerStore.hasAddress(addr(listener).host, addr(listener).port, Date.now())).toBe(true)
  })

  it('a forward to an address the referrer does not know is dropped, counted, and nothing reaches that address', async () => {
    const stranger = await raw('127.73.0.1')
    const attacker = await raw('127.66.0.1')
    const before = stats(referrer)
    // a stranger's address; the listener's host on another port (announces bind host and port)
    await send(attacker, referrer, { command: '_ping', forwardRequest: peerBytes(stranger.host, stranger.port) })
    await send(attacker, referrer, { command: '_ping', forwardRequest: peerBytes(addr(listener).host, addr(listener).port + 1) })
    // an ordinary requester through the API: its holepunch never completes
    const outcome = await requester.dht.holepunch(stranger.address, addr(referrer), { signal: AbortSignal.timeout(600) }).then(() => 'answered', () => 'failed')
    await waitFor(() => stats(referrer).refused >= before.refused + 3)
    await sleep(200)
    expect(outcome).toBe('failed')
    expect(stats(referrer).refused).toBe(before.refused + 3)
    expect(stats(referrer).forwarded).toBe(before.forwarded)
    expect(stranger.datagramsIn).toBe(0)
    expect(attacker.datagramsIn).toBe(0) // nothing is answered either
  })

  it('a relayed _ping from a referrer the target never talked to is not answered, so it cannot be aimed at a third address', async () => {
    const victim = await raw('127.74.0.1')
    const attacker = await raw('127.66.0.2')
    const before = stats(listener)
    await send(attacker, listener, { command: '_ping', forwardResponse: peerBytes(victim.host, victim.port) })
    await waitFor(() => stats(listener).refused > before.refused)
    await sleep(200)
    expect(stats(listener).answered).toBe(before.answered)
    expect(victim.datagramsIn).toBe(0)
  })

  it('relays to a peer announced on the referrer: our requester is answered by the listener', async () => {
    const before = { r: stats(referrer), l: stats(listener) }
    const res = await requester.dht.holepunch(addr(listener), addr(referrer))
    expect({ host: res.host, port: res.port }).toEqual(addr(listener))
    expect(stats(referrer).forwarded).toBe(before.r.forwarded + 1)
    expect(stats(listener).answered).toBe(before.l.answered + 1)
  })

  it('relays to a peer announced on us for a reference requester (dht-rpc@2.3.0 of hyperdht@1.3.0)', async () => {
    const ref: RefDHT = await createRef({ ephemeral: true }, '127.72.0.1')
    try {
      const before = stats(referrer)
      const from = await new Promise<{ host: string, port: number }>((resolve, reject) => {
        ;(ref as unknown as { _holepunch: (p: object, r: object, cb: (err: Error | null, res: unknown, peer: { host: string, port: number }) => void) => void })
          ._holepunch(addr(listener), addr(referrer), (err, _res, peer) => err ? reject(err) : resolve(peer))
      })
      expect({ host: from.host, port: from.port }).toEqual(addr(listener))
      expect(stats(referrer).forwarded).toBe(before.forwarded + 1)
    } finally {
      await refDestroy(ref)
    }
  })

  it(`rate limits relays per requester (burst ${RELAY_BURST}, ${RELAY_RATE}/s): the rest is refused and counted, other requesters are still served`, async () => {
    const greedy = await raw('127.66.1.1')
    const before = { r: stats(referrer), l: stats(listener) }
    const started = Date.now()
    const count = 2 * RELAY_BURST
    for (let i = 0; i < count; i++) await send(greedy, referrer, { command: '_ping', forwardRequest: peerBytes(addr(listener).host, addr(listener).port) })
    await waitFor(() => stats(referrer).forwarded + stats(referrer).refused >= before.r.forwarded + before.r.refused + count)
    const allowed = RELAY_BURST + Math.ceil((Date.now() - started) / 1000 * RELAY_RATE)
    const forwarded = stats(referrer).forwarded - before.r.forwarded
    expect(forwarded).toBeGreaterThanOrEqual(RELAY_BURST)
    expect(forwarded).toBeLessThanOrEqual(allowed)
    expect(stats(referrer).refused - before.r.refused).toBe(count - forwarded)
    // the listener answered each relayed ping straight to the greedy requester
    await waitFor(() => greedy.datagramsIn >= forwarded)
    await sleep(200)
    expect(greedy.datagramsIn).toBe(forwarded)
    // another requester is not affected
    const res = await requester.dht.holepunch(addr(listener), addr(referrer))
    expect(res.port).toBe(addr(listener).port)
  })

  it('an attacker relaying through the referrer from a few addresses cannot make the listener ignore its referrer', async () => {
    // every requester within its own relay budget; together more than the listener's rate limit
    // lets one source (the referrer) send
    const attackers = await Promise.all([2, 3, 4, 5].map(async (i) => await raw(`127.66.${i}.1`)))
    const limited = listener.dht.stats.dropped.rateLimited
    for (const a of attackers) {
      for (let i = 0; i < RELAY_BURST; i++) await send(a, referrer, { command: '_ping', forwardRequest: peerBytes(addr(listener).host, addr(listener).port) })
    }
    await sleep(500)
    // more than the listener's rate limit admits from one source arrived: the excess was dropped
    expect(listener.dht.stats.dropped.rateLimited).toBeGreaterThan(limited)
    // but the referrer, a host the listener talks to (it announced there), is not banned for it
    const res = await requester.dht.holepunch(addr(listener), addr(referrer), { signal: AbortSignal.timeout(3000) })
    expect(res.port).toBe(addr(listener).port)
    expect(listener.dht.stats.guard.bans).toBe(0)
  })

  it('nor through the signalling (_hp_connect relayed as _hp_relay) from a few addresses', async () => {
    const attackers = await Promise.all([6, 7, 8, 9, 10, 11].map(async (i) => await raw(`127.66.${i}.1`)))
    const l = addr(listener)
    // a minimal PunchOffer: id (field 1) and the announced peer to relay to (field 2)
    const offer = new Uint8Array([0x08, 0x01, 0x12, 0x06, ...peerBytes(l.host, l.port)])
    const limited = listener.dht.stats.dropped.rateLimited
    for (const a of attackers) {
      for (let i = 0; i < SIGNAL_BURST; i++) await send(a, referrer, { command: '_hp_connect', target: key, value: offer })
    }
    await sleep(1000)
    expect(listener.dht.stats.dropped.rateLimited).toBeGreaterThan(limited)
    const res = await requester.dht.holepunch(addr(listener), addr(referrer), { signal: AbortSignal.timeout(3000) })
    expect(res.port).toBe(addr(listener).port)
    expect(listener.dht.stats.guard.bans).toBe(0)
  })
})
