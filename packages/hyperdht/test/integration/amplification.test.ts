// Amplification, attacked over real loopback UDP (docs/security.md, "Amplification"): bare
// sockets on addresses of their own, which never answer anything (what a spoofed stream looks
// like from the node: its answers go to whoever's address was forged), send each command at a
// live HyperDHT node holding a long peer list and 1000-byte values, first one request, then a
// stream at the node's rate limit. What comes back must stay within the amplification budget the
// defaults give an address that never proved it receives: `factor` times what it sent, plus the
// budget's `burst` and its refill over the run. Meanwhile a brand-new node's lookup still finds
// an announce through the same node.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_AMPLIFICATION, DEFAULT_RATE_LIMIT, requestEncoding, type RequestMessage } from '@hyperdht-ts/dht-rpc'
import { RawPeer, closeAll, reflection, requestFrame, type ReflectionResult } from '@hyperdht-ts/test-utils'
import { HyperDHT } from '../../src/index.js'
import { mutableRequest, peersRequest } from '../../src/messages/index.js'
import { collectLookup, createHyperNetwork, has, randomKey, type HyperNetwork } from '../helpers/network.js'

const SECONDS = Number(process.env.AMPLIFICATION_SECONDS ?? 8)
const SOURCES = 6
/** Peers stored under the looked-up key: more than one answer carries (900 bytes: 150 peers). */
const STORED_PEERS = 200
const { factor, burst, refill } = DEFAULT_AMPLIFICATION

/** The most an address that never proved it receives may get over `seconds`, having sent `bytesIn`. */
function budget (bytesIn: number, seconds: number): number {
  return factor * bytesIn + burst + refill * seconds
}

describe('amplification over loopback UDP', () => {
  let net: HyperNetwork
  let victim: HyperDHT
  const announced = randomKey()
  const crowded = randomKey()
  let immutableHash: Uint8Array
  let mutableTarget: Uint8Array
  let mutableKey: Uint8Array
  const results = new Map<string, ReflectionResult>()
  const sockets: RawPeer[] = []
  let lookupFound = false
  let lookupNode: HyperDHT | null = null

  beforeAll(async () => {
    // more than k = 20 nodes: `_find_node` answers carry 20 nodes
    net = await createHyperNetwork(24)
    // an honest announce, to be found by a brand-new node during the attack
    await net.nodes[2]!.announce(announced, { port: 4242 })
    // 1000-byte values; the victim is a node that stores both
    const imm = await net.nodes[3]!.immutablePut(new Uint8Array(randomBytes(1000)))
    immutableHash = imm.hash
    const keyPair = HyperDHT.keyPair()
    mutableKey = keyPair.publicKey
    const mut = await net.nodes[4]!.mutablePut(keyPair, new Uint8Array(randomBytes(1000)), { seq: 1 })
    mutableTarget = mut.target
    const storedBoth = (n: HyperDHT): boolean => [imm.stored, mut.stored].every((list) => list.some((r) => r.host === n.address().host && r.port === n.address().port))
    victim = net.nodes.slice(5).find(storedBoth)!
    expect(victim).toBeDefined()
    // a long peer list (more than one answer carries), stored as announces from many hosts would be
    const now = Date.now()
    for (let i = 0; i < STORED_PEERS; i++) {
      const host = `127.9.${i >> 8}.${1 + (i & 0xff)}`
      const port = 1000 + i
      victim.peerStore.put(Buffer.from(crowded).toString('hex'), { host, port, peer: new Uint8Array([127, 9, i >> 8, 1 + (i & 0xff), port >> 8, port & 0xff]), localFilter: null, localPeer: null }, now)
    }

    const to = { host: victim.address().host, port: victim.address().port }
    const commands: Array<[string, (n: number) => RequestMessage]> = [
      ['_ping', () => ({ command: '_ping' })],
      // with an id: the node also sends a verification ping to the (silent) address
      ['_ping with an id', () => ({ command: '_ping', id: ids.next() })],
      ['_find_node', () => ({ command: '_find_node', target: randomKey() })],
      ['unknown command', () => ({ command: 'no-such-command', target: randomKey() })],
      [`peers lookup (${STORED_PEERS} stored)`, () => ({ command: 'peers', target: crowded, value: peersRequest.encode({ type: 0 }) })],
      ['immutable get (1000 bytes)', () => ({ command: 'immutable', target: immutableHash })],
      ['mutable get (1000 bytes)', () => ({ command: 'mutable', target: mutableTarget, value: mutableRequest.encode({ publicKey: mutableKey, salt: null, seq: 0, value: null, signature: null }) })]
    ]
    const ids = { next: () => randomKey() }
    let tid = 1
    const runs = commands.map(async ([name, make], c) => {
      const peers = await RawPeer.bindAll(Array.from({ length: SOURCES }, (_, s) => `127.66.${c}.${1 + s}`))
      sockets.push(...peers)
      const r = await reflection({
        peers,
        to,
        rate: DEFAULT_RATE_LIMIT.rate,
        burst: DEFAULT_RATE_LIMIT.burst,
        seconds: SECONDS,
        request: () => requestFrame(tid++, requestEncoding.encode(make(0)))
      })
      results.set(name, r)
    })
    // a brand-new node looks the announce up while the streams run
    const lookup = (async () => {
      await new Promise((resolve) => setTimeout(resolve, SECONDS * 500))
      lookupNode = new HyperDHT({ bootstrap: net.bootstrap, mode: 'client' })
      await lookupNode.listen(0, '127.77.0.1')
      await lookupNode.ready()
      lookupFound = has(await collectLookup(lookupNode, announced), net.nodes[2]!.address().host, 4242)
    })()
    await Promise.all([...runs, lookup])
  }, 120_000)

  afterAll(async () => {
    await closeAll(sockets)
    await lookupNode?.destroy()
    await net?.destroy()
  })

  it('prints the measurement', () => {
    const rows = [...results].map(([name, r]) => {
      const worst = r.sources.reduce((a, b) => (b.out / b.in > a.out / a.in ? b : a))
      return {
        command: name,
        'first in': r.first.in,
        'first out': r.first.out,
        'first ratio': +(r.first.out / r.first.in).toFixed(1),
        'sustained in': worst.in,
        'sustained out': worst.out,
        'sustained ratio': +(worst.out / worst.in).toFixed(2),
        bound: +(budget(worst.in, r.seconds) / worst.in).toFixed(2)
      }
    })
    console.table(rows)
    expect(rows).toHaveLength(7)
  })

  it('the first answer to a never-seen address fits its initial budget', () => {
    for (const [name, r] of results) {
      expect(r.first.out, name).toBeGreaterThan(0) // answered: honest newcomers need this
      expect(r.first.out, name).toBeLessThanOrEqual(burst + factor * r.first.in)
    }
  })

  it('a stream at the rate limit from addresses that never prove they receive gets at most factor x what it sent plus the budget', () => {
    for (const [name, r] of results) {
      for (const s of r.sources) {
        expect(s.requests, name).toBeGreaterThanOrEqual(DEFAULT_RATE_LIMIT.burst + DEFAULT_RATE_LIMIT.rate * (SECONDS - 1))
        expect(s.out, `${name} from ${s.host}`).toBeLessThanOrEqual(budget(s.in, r.seconds))
      }
    }
    // the large answers were cut down (or not sent) to fit
    expect(victim.dht.stats.guard.trimmed + victim.dht.stats.guard.refused).toBeGreaterThan(0)
  })

  it('large answers are trimmed: a long stream of immutable gets reflects little more than factor x', () => {
    const r = results.get('immutable get (1000 bytes)')!
    for (const s of r.sources) {
      // the unbounded answer is ~40x the request; the bound leaves factor plus the budget's share
      expect(s.out / s.in).toBeLessThanOrEqual(budget(s.in, r.seconds) / s.in)
      expect(s.out / s.in).toBeLessThan(r.first.out / r.first.in / 2)
    }
  })

  it('the sources stayed within the rate limit (what is measured is the amplification bound, not bans)', () => {
    expect(victim.dht.stats.guard.bans).toBe(0)
  })

  it('a brand-new node\'s lookup through the attacked node still finds the announce', () => {
    expect(lookupFound).toBe(true)
  })

  it('an honest repeat user proves its address with the token it was given (`proof`) and gets every answer in full', async () => {
    const user = new HyperDHT({ bootstrap: net.bootstrap, mode: 'client' })
    try {
      await user.listen(0, '127.78.0.1')
      const to = victim.address()
      const before = victim.dht.stats.guard
      let full = 0
      const count = 30 // ~55 KB of answers: 15x what 30 requests earn an unproven address
      for (let i = 0; i < count; i++) {
        const res = await user.dht.request({ command: 'immutable', target: immutableHash }, to)
        if ((res.value?.byteLength ?? 0) > 1000) full++
      }
      expect(full).toBe(count)
      const after = victim.dht.stats.guard
      expect(after.trimmed).toBe(before.trimmed)
      expect(after.refused).toBe(before.refused)
    } finally {
      await user.destroy()
    }
  })
})
