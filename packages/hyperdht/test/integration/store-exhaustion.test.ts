// Store exhaustion, attacked over real loopback UDP (docs/security.md, "Store exhaustion"):
// honest nodes announce and put first, then three attacker nodes on addresses of their own
// /16s flood announces and puts through real HyperDHT nodes until every store overflows. The
// caps are lowered to keep the test quick; the per-host caps stay at their defaults (the flood
// never reaches them), so what keeps the honest entries is the fair eviction alone: it takes
// from the prefixes holding the most, the attackers' own. With oldest-first eviction the
// honest entries, the oldest of all, would be the first to go.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HyperDHT } from '../../src/index.js'
import { DEFAULT_MAX_PEERS_PER_HOST, DEFAULT_MAX_VALUES_PER_HOST } from '../../src/constants.js'
import { collectLookup, createHyperNetwork, has, randomKey, type HyperNetwork } from '../helpers/network.js'

const caps = {
  maxPeers: 100,
  // the value store fills by bytes: about 40 values of 1000 bytes
  maxValueBytes: 64 * 1024
}
const HONEST = 8
// The attackers: 3 /24 networks of 8 hosts each. Each host stays within the per-source rate
// limit of every node (5 requests a second, a burst of 50: an announce or a put costs a node
// two requests, query and commit), as a patient botnet would; together they overflow every store.
const PREFIXES = 3
const HOSTS_PER_PREFIX = 8
const ANNOUNCES_PER_HOST = 8
const PUTS_PER_HOST = 6
const ANNOUNCES_PER_ATTACKER = ANNOUNCES_PER_HOST * HOSTS_PER_PREFIX
const PUTS_PER_ATTACKER = PUTS_PER_HOST * HOSTS_PER_PREFIX

describe('store exhaustion over loopback UDP', () => {
  let net: HyperNetwork
  const honestKey = randomKey()
  const honestValue = new TextEncoder().encode('an honest value, put before the flood')
  let honestHash: Uint8Array
  let announcer: HyperDHT
  let putter: HyperDHT
  const attackers: HyperDHT[] = []

  beforeAll(async () => {
    net = await createHyperNetwork(HONEST, caps)
    announcer = net.nodes[1] as HyperDHT
    await announcer.announce(honestKey, { port: 4242 })
    putter = net.nodes[2] as HyperDHT
    honestHash = (await putter.immutablePut(honestValue)).hash

    for (let p = 0; p < PREFIXES; p++) {
      for (let h = 0; h < HOSTS_PER_PREFIX; h++) {
        const a = new HyperDHT({ bootstrap: net.bootstrap, mode: 'client' })
        attackers.push(a)
        await a.listen(0, `127.${200 + p}.0.${1 + h}`)
        await a.ready()
      }
    }
    // one attacker host after the other (all 24 at once would overflow the sockets' receive
    // buffers of this one-process network: the kernel drops, the puts time out)
    for (const a of attackers) {
      await Promise.all(Array.from({ length: ANNOUNCES_PER_HOST }, async (_, j) => await a.announce(randomKey(), { port: 1000 + j })))
      await Promise.all(Array.from({ length: PUTS_PER_HOST }, async () => await a.immutablePut(new Uint8Array(randomBytes(1000)))))
    }
  }, 120_000)

  afterAll(async () => {
    await Promise.all(attackers.map(async (a) => await a.destroy()))
    await net?.destroy()
  })

  it('puts honest nodes on distinct /16s and attackers in three /24s of their own; the flood overflows every store without tripping a rate limit', () => {
    const hosts = net.nodes.map((n) => n.address().host)
    expect(new Set(hosts.map((h) => h.split('.').slice(0, 2).join('.'))).size).toBe(hosts.length)
    expect(new Set(attackers.map((a) => a.address().host.split('.').slice(0, 3).join('.'))).size).toBe(PREFIXES)
    for (const n of net.nodes) expect(n.dht.stats.dropped.rateLimited).toBe(0)
    // the flood stays under the per-host caps: only the store-wide caps and fairness are at work
    expect(ANNOUNCES_PER_ATTACKER).toBeLessThan(DEFAULT_MAX_PEERS_PER_HOST)
    expect(PUTS_PER_ATTACKER).toBeLessThan(DEFAULT_MAX_VALUES_PER_HOST)
    for (const n of net.nodes.slice(0, HONEST)) {
      expect(n.peerStore.evicted).toBeGreaterThan(0)
      expect(n.peerStore.lastEviction).toBe('size')
      expect(n.valueStore.evicted).toBeGreaterThan(0)
      expect(n.valueStore.lastEviction).toBe('bytes')
    }
  })

  it('every store stays within its caps', () => {
    for (const n of net.nodes) {
      expect(n.peerStore.size).toBeLessThanOrEqual(caps.maxPeers)
      expect(n.peerStore.bytes).toBeLessThanOrEqual(n.peerStore.maxBytes)
      expect(n.valueStore.bytes).toBeLessThanOrEqual(caps.maxValueBytes)
    }
  })

  it('the honest announce made before the flood is still stored and found by a lookup', async () => {
    const self = announcer.address()
    for (const n of net.nodes.slice(0, HONEST)) {
      if (n === announcer) continue
      expect(n.peerStore.get(Buffer.from(honestKey).toString('hex'), Date.now()).map((p) => p.port)).toContain(4242)
    }
    // a node that joins after the flood has nothing of its own: what it finds, the network kept
    const late = await net.add()
    const found = await collectLookup(late, honestKey)
    expect(has(found, self.host, 4242)).toBe(true)
    const answers = (await late.lookup(honestKey).toArray()).filter((r) => has(r.peers, self.host, 4242))
    expect(answers.length).toBeGreaterThanOrEqual(HONEST - 1)
  })

  it('the honest value put before the flood is still stored and found by a get', async () => {
    for (const n of net.nodes.slice(0, HONEST)) {
      if (n !== putter) expect(n.valueStore.getImmutable(honestHash, Date.now())).not.toBeNull()
    }
    const late = await net.add()
    const got = await late.immutableGet(honestHash)
    expect(got?.value).toEqual(honestValue)
  })
})
