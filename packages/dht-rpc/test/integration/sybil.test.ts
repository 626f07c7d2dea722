// Routing-table integrity against Sybils, attacked over real loopback UDP (docs/security.md,
// "Routing-table integrity"). 2,000 Sybil ids from 250 hosts of ONE /24 (127.66.0.1-250), ids
// chosen next to the victim's own and next to a few targets, against a victim in a network of
// honest nodes (each on a /16 of its own). Every Sybil does all an attacker can: gets roundtrip
// tokens and presents its ids with them, presents ids without a token and answers the
// verification pings, and answers the victim's own lookups with its ids and Sybil-only `nodes`.
// A contact only enters after its address is verified, and the IP diversity limits keep the
// Sybils to a few places however they got there. No limit is lowered.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RawPeer, closeAll, frameTid, isRequestFrame, requestFrame, responseFrame, sleep, waitFor } from '@hyperdht-ts/test-utils'
import { DHT, requestEncoding, responseEncoding, type Node } from '../../src/index.js'
import { DEFAULT_MAX_PER_16, DEFAULT_MAX_PER_24_PER_BUCKET, K } from '../../src/constants.js'
import { AddressCodec } from '../../src/messages/addresses.js'
import { network } from '../helpers.js'

const HONEST = 30
const SYBIL_HOSTS = 250
const IDS_PER_HOST = 8
const codec = new AddressCodec(4)

/** Leading bits `a` and `b` share. */
function cpl (a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]! ^ b[i]!
    if (x !== 0) return i * 8 + Math.clz32(x) - 24
  }
  return a.length * 8
}

/** A random id sharing exactly `bits` leading bits with `near`. */
function idNear (near: Uint8Array, bits: number): Uint8Array {
  const id = new Uint8Array(randomBytes(32))
  for (let i = 0; i < bits; i++) setBit(id, i, getBit(near, i))
  setBit(id, bits, 1 - getBit(near, bits))
  return id
}
const getBit = (b: Uint8Array, i: number): number => (b[i >> 3]! >> (7 - (i & 7))) & 1
function setBit (b: Uint8Array, i: number, v: number): void {
  if (v) b[i >> 3]! |= 0x80 >> (i & 7)
  else b[i >> 3]! &= ~(0x80 >> (i & 7))
}
const xorLess = (t: Uint8Array) => (a: Node, b: Node): number => {
  for (let i = 0; i < 32; i++) {
    const d = (a.id[i]! ^ t[i]!) - (b.id[i]! ^ t[i]!)
    if (d !== 0) return d
  }
  return 0
}
const isSybil = (host: string): boolean => host.startsWith('127.66.')

/**
 * One Sybil host: a socket presenting `ids`. It answers pings with the id it presented last
 * (the verification ping of an id sent without a token) and lookups with its id closest to the
 * target and the Sybils closest to it.
 */
class Sybil {
  current: Uint8Array
  token: Uint8Array | null = null
  constructor (readonly peer: RawPeer, readonly ids: Uint8Array[], farm: () => Node[]) {
    this.current = ids[0]!
    peer.onMessage((msg, from) => {
      if (!isRequestFrame(msg)) {
        const res = responseEncoding.decode(msg.subarray(2))
        if (res.roundtripToken) this.token = new Uint8Array(res.roundtripToken)
        return
      }
      const req = requestEncoding.decode(msg.subarray(2))
      let id = this.current
      let nodes: Uint8Array | null = null
      if (req.target?.byteLength === 32) {
        const t = req.target
        id = [...this.ids].sort((a, b) => cpl(b, t) - cpl(a, t))[0]!
        nodes = codec.encodeNodes(farm().sort(xorLess(t)).slice(0, K))
      }
      const body = responseEncoding.encode({ id, value: req.command === '_ping' ? codec.encodePeer(from) : null, nodes, roundtripToken: randomBytes(32) })
      void peer.send(responseFrame(frameTid(msg), body), from)
    })
  }
}

describe('Sybils against a victim\'s routing table over loopback UDP', () => {
  let net: Awaited<ReturnType<typeof network>>
  let victim: DHT
  let to: { host: string, port: number }
  const targets = [0, 1, 2].map(() => new Uint8Array(randomBytes(32)))
  const sybils: Sybil[] = []
  const sockets: RawPeer[] = []
  let tid = 1

  beforeAll(async () => {
    net = await network(HONEST)
    victim = net.nodes[7]!
    to = { host: victim.address().host, port: victim.address().port }
  }, 60_000)

  afterAll(async () => {
    await closeAll(sockets)
    await net?.destroy()
  })

  const raw = async (host: string): Promise<RawPeer> => {
    const p = await RawPeer.bind(host)
    sockets.push(p)
    return p
  }

  it('a single _ping with a self-chosen id inserts nothing without verification', async () => {
    const silent = await raw('127.67.0.1')
    const id = idNear(victim.id, 30)
    const verifications = victim.stats.verifications
    const pinged = silent.next((m) => isRequestFrame(m) && requestEncoding.decode(m.subarray(2)).command === '_ping', 2000)
    await silent.send(requestFrame(tid++, requestEncoding.encode({ command: '_ping', id })), to)
    expect(await pinged).not.toBeNull() // the victim asks the address to prove it holds that id
    expect(victim.stats.verifications).toBe(verifications + 1)
    await sleep(1500) // the verification ping times out unanswered
    expect(victim.findLocal(id)).toBeNull()
    expect(victim.toArray().some((n) => n.host === silent.host)).toBe(false)
  })

  it('unsolicited responses never insert, nor does an answer to our ping from another host', async () => {
    const a = await raw('127.68.0.1')
    const b = await raw('127.68.0.2')
    const unmatched = victim.stats.dropped.unmatched
    const ids = Array.from({ length: 100 }, () => idNear(victim.id, 24))
    for (let i = 0; i < ids.length; i++) {
      await b.send(responseFrame(i, responseEncoding.encode({ id: ids[i]!, roundtripToken: randomBytes(32) })), to)
    }
    // a ping of the victim's to `a` (a verification), answered by `b`, which saw the tid
    const idA = idNear(victim.id, 28)
    const pinged = a.next((m) => isRequestFrame(m), 2000)
    await a.send(requestFrame(tid++, requestEncoding.encode({ command: '_ping', id: idA })), to)
    const ping = await pinged
    expect(ping).not.toBeNull()
    await b.send(responseFrame(frameTid(ping!.msg), responseEncoding.encode({ id: idA, value: codec.encodePeer(a.address) })), to)
    await waitFor(() => victim.stats.dropped.unmatched >= unmatched + ids.length + 1)
    await sleep(100)
    expect(victim.stats.dropped.unmatched).toBe(unmatched + ids.length + 1)
    for (const id of [...ids, idA]) expect(victim.findLocal(id)).toBeNull()
    expect(victim.toArray().some((n) => n.host.startsWith('127.68.'))).toBe(false)
  })

  describe('2,000 Sybil ids from one /24', () => {
    const before = { size: 0, rejected: 0, skipped: 0 }
    let farm: Node[] = []

    beforeAll(async () => {
      before.size = victim.tableSize
      before.rejected = victim.stats.diversityRejected
      before.skipped = victim.stats.verificationsSkipped
      const peers = await Promise.all(Array.from({ length: SYBIL_HOSTS }, async (_, s) => await raw(`127.66.0.${1 + s}`)))
      peers.forEach((p, s) => {
        const ids = Array.from({ length: IDS_PER_HOST }, (_, j) => {
          const k = s * IDS_PER_HOST + j
          const group = k % 4
          // a quarter next to the victim's own id (every bucket from cpl 4 to 51), the rest next to the targets
          return group === 0 ? idNear(victim.id, 4 + ((k >> 2) % 48)) : idNear(targets[group - 1]!, 16 + ((k >> 2) % 32))
        })
        sybils.push(new Sybil(p, ids, () => farm))
      })
      farm = sybils.flatMap((s) => s.ids.map((id) => ({ id, host: s.peer.host, port: s.peer.port })))
      expect(farm.length).toBe(SYBIL_HOSTS * IDS_PER_HOST)

      // half the hosts get a token and present their ids with it (verified at once); the other
      // half present them without one and answer the verification pings (one id at a time)
      await Promise.all(sybils.map(async (s, i) => {
        const send = async (msg: Parameters<typeof requestEncoding.encode>[0]): Promise<void> => await s.peer.send(requestFrame(tid++ & 0x7fff, requestEncoding.encode(msg)), to)
        if (i % 2 === 0) {
          await send({ command: '_ping' })
          await waitFor(() => s.token !== null, 5000)
          for (const id of s.ids) await send({ command: '_find_node', id, target: victim.id, roundtripToken: s.token })
        } else {
          for (const id of s.ids) {
            s.current = id
            const pinged = s.peer.next((m) => isRequestFrame(m) && requestEncoding.decode(m.subarray(2)).command === '_ping', 3000)
            await send({ command: '_find_node', id, target: victim.id })
            // no ping comes once the victim sees that the diversity limits would refuse the id
            await Promise.race([pinged, sleep(200)])
            await sleep(20) // its answer reaches the victim
          }
        }
      }))
      // the victim's own lookups then walk into the Sybils, which answer with their ids and nodes
      for (const target of [victim.id, ...targets]) await victim.query({ command: '_find_node', target }).toArray()
      await sleep(500)
    }, 60_000)

    it('prints the Sybils\' share', () => {
      const table = victim.toArray()
      const s = table.filter((n) => isSybil(n.host)).length
      console.log(`victim's table: ${table.length} contacts, ${s} Sybils (${(100 * s / table.length).toFixed(1)}%); ` +
        `${victim.stats.diversityRejected - before.rejected} verified Sybil contacts refused by the diversity limits, ` +
        `${victim.stats.verificationsSkipped - before.skipped} refused before a verification ping, ${victim.stats.verifications} verification pings`)
      expect(table.length).toBeGreaterThan(0)
    })

    it('the Sybils tried hard: thousands of contacts offered, refused by the diversity limits (unverified ones before any ping)', () => {
      const refused = victim.stats.diversityRejected - before.rejected
      const spared = victim.stats.verificationsSkipped - before.skipped
      expect(refused + spared).toBeGreaterThan(SYBIL_HOSTS * IDS_PER_HOST / 2)
      expect(spared).toBeGreaterThan(SYBIL_HOSTS * IDS_PER_HOST / 4) // most of the half that came without tokens
    })

    it(`hold at most ${DEFAULT_MAX_PER_16} places (one /16) and ${DEFAULT_MAX_PER_24_PER_BUCKET} per bucket`, () => {
      const table = victim.toArray()
      const inTable = table.filter((n) => isSybil(n.host))
      expect(inTable.length).toBeGreaterThan(0) // they did get in, up to the limits
      expect(inTable.length).toBeLessThanOrEqual(DEFAULT_MAX_PER_16)
      const perBucket = new Map<number, number>()
      for (const n of inTable) perBucket.set(cpl(n.id, victim.id), (perBucket.get(cpl(n.id, victim.id)) ?? 0) + 1)
      for (const count of perBucket.values()) expect(count).toBeLessThanOrEqual(DEFAULT_MAX_PER_24_PER_BUCKET)
      // the honest contacts stayed
      expect(table.length - inTable.length).toBeGreaterThanOrEqual(before.size - 1)
    })

    it('the victim\'s answers (its closest nodes) are never all Sybils, for targets next to its own id and next to the Sybils\' targets', async () => {
      const observer = await raw('127.69.0.1')
      const next = new Uint8Array(victim.id)
      next[31]! ^= 1
      const probes = [victim.id, next, idNear(victim.id, 12), idNear(victim.id, 40), ...targets]
      // the observer proves its address with the token of each answer (else its answers would be
      // cut to its amplification budget)
      let proof: Uint8Array | null = null
      for (const target of probes) {
        const answer = observer.next((m) => !isRequestFrame(m), 2000)
        await observer.send(requestFrame(tid++ & 0x7fff, requestEncoding.encode({ command: '_find_node', target, proof })), to)
        const res = await answer
        expect(res).not.toBeNull()
        const decoded = responseEncoding.decode(res!.msg.subarray(2))
        proof = decoded.roundtripToken == null ? null : new Uint8Array(decoded.roundtripToken)
        const nodes = codec.decodeNodes(decoded.nodes)
        const s = nodes.filter((n) => isSybil(n.host)).length
        expect(nodes.length).toBe(K)
        expect(s).toBeLessThanOrEqual(DEFAULT_MAX_PER_16)
        expect(nodes.length - s).toBeGreaterThanOrEqual(K - DEFAULT_MAX_PER_16)
      }
    })

    it('an honest node\'s lookup next to a Sybil target is not eclipsed: the honest closest answer, and its k closest hold at most 2 of the Sybils\' /24', async () => {
      for (const [i, target] of targets.entries()) {
        const honest = net.nodes[3 + i]!
        const q = honest.query({ command: '_find_node', target })
        const results = await q.toArray()
        const responders = new Set(results.map((r) => Buffer.from(r.node.id!).toString('hex')))
        // the walk's final k closest (what an update commits to)
        const kept = q.closestNodes.filter((n) => isSybil(n.host)).length
        const nearestHonest = net.nodes.filter((n) => n !== honest)
          .map((n) => ({ id: n.id, host: n.address().host, port: n.address().port }))
          .sort(xorLess(target)).slice(0, 10)
        const reached = nearestHonest.filter((n) => responders.has(Buffer.from(n.id).toString('hex'))).length
        const answeredBySybils = results.filter((r) => isSybil(r.node.host)).length
        console.log(`lookup for a Sybil target: ${reached} of the 10 nearest honest nodes answered; ${kept} Sybils among its ${q.closestNodes.length} closest (${answeredBySybils} of ${results.length} answers from Sybils)`)
        expect(kept).toBeLessThanOrEqual(DEFAULT_MAX_PER_24_PER_BUCKET)
        expect(q.closestNodes.length).toBe(K)
        expect(reached).toBe(10)
      }
    })
  })
})
