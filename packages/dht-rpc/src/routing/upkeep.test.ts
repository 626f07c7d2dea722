import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { DHTError } from '../errors.js'
import { RoutingTable, type TableNode } from './table.js'
import { notAnswering, onBucketFull, pingSome, type UpkeepContext } from './upkeep.js'

function ctx (table: RoutingTable, alive: (n: TableNode) => boolean, state: { tick: number, bootstrapped?: boolean }, failure: () => Error = () => DHTError.REQUEST_TIMEOUT()): UpkeepContext & { pinged: string[] } {
  const pinged: string[] = []
  return {
    table,
    get tick () { return state.tick },
    get bootstrapped () { return state.bootstrapped ?? true },
    inflightQueries: 0,
    pinged,
    ping: async (n) => {
      pinged.push(n.host)
      if (!alive(n)) throw failure()
    }
  }
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** A context whose pings (at tick 10) all succeed, each only once `answers` releases it. */
function heldPings (table: RoutingTable): UpkeepContext & { pinged: string[], answers: Array<() => void> } {
  const pinged: string[] = []
  const answers: Array<() => void> = []
  return {
    table,
    tick: 10,
    bootstrapped: true,
    inflightQueries: 0,
    pinged,
    answers,
    ping: async (n) => {
      pinged.push(n.host)
      await new Promise<void>((resolve) => answers.push(resolve))
    }
  }
}

describe('RoutingTable', () => {
  it('adds valid ids, ignores its own id and wrong lengths, keeps least-recently-seen order', () => {
    const id = randomBytes(32)
    const t = new RoutingTable(id)
    const added: string[] = []
    t.listener = { nodeAdded: (n) => added.push(n.host) }
    t.add(id, { host: 'self', port: 1 }, 0)
    t.add(randomBytes(31), { host: 'short', port: 1 }, 0)
    const a = randomBytes(32)
    const b = randomBytes(32)
    t.add(a, { host: 'a', port: 1 }, 0)
    t.add(b, { host: 'b', port: 1 }, 1)
    expect(added).toEqual(['a', 'b'])
    expect([...t.leastRecentlySeen()].map((n) => n.host)).toEqual(['a', 'b'])
    t.add(a, { host: 'a2', port: 2 }, 2) // refreshed, new address
    expect([...t.leastRecentlySeen()].map((n) => n.host)).toEqual(['b', 'a2'])
    expect(t.get(a)?.port).toBe(2)
    t.remove(b)
    expect([...t.leastRecentlySeen()].map((n) => n.host)).toEqual(['a2'])
    expect(t.count()).toBe(1)
  })

  it('stores a copy of each id, never a view that keeps the whole datagram alive', () => {
    const t = new RoutingTable(randomBytes(32))
    const datagram = randomBytes(1200)
    const id = datagram.subarray(100, 132)
    t.add(id, { host: '10.0.0.1', port: 1 }, 0)
    const stored = t.get(id)!
    expect(Buffer.from(stored.id).equals(id)).toBe(true)
    // a slice of the table's small id slab, not of the datagram
    expect(stored.id.buffer).not.toBe(datagram.buffer)
    expect(stored.id.buffer.byteLength).toBeLessThanOrEqual(1024)
    datagram.fill(0) // the datagram buffer is reused: the table must not change with it
    expect(Buffer.from(stored.id).equals(Buffer.alloc(32))).toBe(false)
  })

  it('reports bucket fill and prefix diversity', () => {
    // diversity limits off: this is about the statistics
    const t = new RoutingTable(randomBytes(32), 20, { maxPer16: Infinity, maxPer24PerBucket: Infinity })
    for (let i = 0; i < 10; i++) t.add(randomBytes(32), { host: `10.0.${i % 2}.${i}`, port: 1 }, 0)
    t.add(randomBytes(32), { host: '192.168.1.1', port: 1 }, 0)
    const s = t.stats()
    expect(s.size).toBe(11)
    expect(s.buckets.reduce((n, b) => n + b.size, 0)).toBe(11)
    expect(s.diversity.prefixes24).toBe(3)
    expect(s.diversity.prefixes16).toBe(2)
    expect(s.diversity.largest16).toEqual({ prefix: '10.0.0.0/16', count: 10, share: 10 / 11 })
  })

  it('keys IPv6 hosts by /48 and /32 whatever their compressed form', () => {
    const t = new RoutingTable(randomBytes(32), 20, { maxPer16: Infinity, maxPer24PerBucket: Infinity })
    for (const host of ['fe80::1', 'fe80::2', 'fe80:0:0:0:0:0:0:3', '2001:db8:1::1', '2001:db8:2::1']) t.add(randomBytes(32), { host, port: 1 }, 0)
    const { diversity } = t.stats()
    expect(diversity.prefixes24).toBe(3) // fe80::/48, 2001:db8:1::/48, 2001:db8:2::/48
    expect(diversity.prefixes16).toBe(2) // fe80::/32, 2001:db8::/32
    expect(diversity.largest24).toEqual({ prefix: 'fe80::/48', count: 3, share: 3 / 5 })
  })
})

describe('RoutingTable bucket refresh and failures', () => {
  /** An id sharing exactly `cpl` leading bits with the all-zero id (bit `cpl` set), last byte `i`. */
  const atCpl = (cpl: number, i: number): Buffer => {
    const b = Buffer.alloc(32, 0)
    b[cpl >> 3] = 0x80 >> (cpl & 7)
    b[31] |= i
    return b
  }

  it('targets each far range out to the k-th closest node that holds fewer than min nodes, farthest first', () => {
    const t = new RoutingTable(Buffer.alloc(32, 0), 4)
    // ranges (common prefix lengths): 0 holds 3, 1 holds 0, 2 holds 1; the 4 closest are in 6 and 9
    for (let i = 0; i < 3; i++) t.add(atCpl(0, i + 1), { host: `a${i}`, port: 1 }, 0)
    t.add(atCpl(2, 1), { host: 'b', port: 1 }, 0)
    for (let i = 0; i < 2; i++) t.add(atCpl(6, i + 1), { host: `c${i}`, port: 1 }, 0)
    for (let i = 0; i < 2; i++) t.add(atCpl(9, i + 1), { host: `d${i}`, port: 1 }, 0)
    expect(t.rangeSize(0)).toBe(3)
    expect(t.rangeSize(1)).toBe(0)
    expect(t.rangeSize(9)).toBe(2)
    const random = (n: number): Uint8Array => new Uint8Array(n).fill(0xff)
    const targets = t.refreshTargets(3, random)
    // range 0 has 3 (enough); 1..5 lack; 6 is the k-th closest's range (2 < 3); 7.. are nearer than the k-th closest
    expect(targets.map((x) => x.cpl)).toEqual([1, 2, 3, 4, 5, 6])
    for (const { cpl, target } of targets) {
      // shares exactly `cpl` bits with our (all-zero) id, the rest is the random source's
      const first = target.findIndex((byte) => byte !== 0)
      expect(first * 8 + Math.clz32(target[first]!) - 24).toBe(cpl)
      expect(target[31]).toBe(0xff)
    }
    expect(t.refreshTargets(1, random).map((x) => x.cpl)).toEqual([1, 3, 4, 5])
  })

  it('a node is removed after 3 failures in a row; hearing from it resets the count', () => {
    const t = new RoutingTable(randomBytes(32))
    const id = randomBytes(32)
    const peer = { host: '10.0.0.1', port: 1 }
    t.add(id, peer, 0)
    expect(t.failed(id, peer)).toBe(false)
    expect(t.failed(id, peer)).toBe(false)
    t.add(id, peer, 1) // it answered something
    expect(t.failed(id, peer)).toBe(false)
    expect(t.failed(id, { host: '10.0.0.2', port: 1 })).toBe(false) // another address: not this entry
    expect(t.failed(id, peer)).toBe(false)
    expect(t.get(id)).not.toBeNull()
    expect(t.failed(id, peer)).toBe(true)
    expect(t.get(id)).toBeNull()
  })
})

describe('upkeep', () => {
  it('a full bucket keeps its fresh contacts and replaces the first stale one that fails a ping', async () => {
    // ids with the same first bit as each other and the opposite of ours: one far bucket
    const id = Buffer.alloc(32, 0)
    const t = new RoutingTable(id, 4)
    const state = { tick: 0 }
    const far = (i: number): Buffer => { const b = randomBytes(32); b[0] = 0x80 | (b[0]! & 0x7f); b[31] = i; return b }
    for (let i = 0; i < 4; i++) t.add(far(i), { host: `n${i}`, port: 1 }, 0)
    state.tick = 10
    const c = ctx(t, (n) => n.host !== 'n1', state)
    t.listener = { bucketFull: (old, fresh) => onBucketFull(c, old, fresh) }
    const newcomer = far(9)
    t.add(newcomer, { host: 'new', port: 1 }, 10)
    await flush()
    await flush()
    expect(c.pinged).toEqual(['n0', 'n1'])
    expect(t.get(newcomer)?.host).toBe('new')
    expect(t.toArray().map((n) => n.host).sort()).toEqual(['n0', 'n2', 'n3', 'new'])
  })

  it('a stale contact another newcomer is pinging already is not pinged again', async () => {
    const t = new RoutingTable(Buffer.alloc(32, 0), 4)
    for (let i = 0; i < 4; i++) t.add(randomBytes(32), { host: `n${i}`, port: 1 }, 0)
    const old = t.toArray().sort((a, b) => a.host < b.host ? -1 : 1).slice(0, 3)
    const c = heldPings(t)
    const { pinged, answers } = c
    const newcomer = (host: string): TableNode => ({ id: randomBytes(32), host, port: 1, tick: 10 } as unknown as TableNode)
    onBucketFull(c, old, newcomer('a'))
    onBucketFull(c, old, newcomer('b')) // n0 is being pinged: this check starts with n1
    expect(pinged).toEqual(['n0', 'n1'])
    onBucketFull(c, old, newcomer('c'))
    expect(pinged).toEqual(['n0', 'n1', 'n2'])
    onBucketFull(c, old, newcomer('d')) // all three in flight: nothing more
    expect(pinged).toEqual(['n0', 'n1', 'n2'])
    for (let i = 0; i < 10 && answers.length > 0; i++) {
      for (const answer of answers.splice(0)) answer()
      await flush()
    }
    // each check went on with the contacts after its own, again skipping none that was idle
    expect(pinged.filter((h) => h === 'n0')).toHaveLength(1)
    expect(pinged.length).toBeLessThanOrEqual(6)
    onBucketFull(c, old, newcomer('e')) // nothing in flight any more: n0 is pinged again
    expect(pinged.at(-1)).toBe('n0')
  })

  it('pingSome pings up to 3 stale least-recently-seen nodes and removes those that fail', async () => {
    const t = new RoutingTable(randomBytes(32))
    const state = { tick: 0 }
    for (let i = 0; i < 6; i++) t.add(randomBytes(32), { host: `n${i}`, port: 1 }, i < 4 ? 0 : 9)
    state.tick = 10
    const c = ctx(t, (n) => n.host !== 'n2', state)
    expect(await pingSome(c)).toBe(1) // how many it removed
    expect(c.pinged).toEqual(['n0', 'n1', 'n2'])
    expect(t.toArray().map((n) => n.host).sort()).toEqual(['n0', 'n1', 'n3', 'n4', 'n5'])
    // fresh nodes are left alone
    const c2 = ctx(t, () => true, { tick: 10 })
    const fresh = new RoutingTable(randomBytes(32))
    fresh.add(randomBytes(32), { host: 'f', port: 1 }, 9)
    expect(await pingSome({ ...c2, table: fresh, ping: c2.ping, tick: 10, bootstrapped: true, inflightQueries: 0 })).toBe(0)
    expect(c2.pinged).toEqual([])
  })

  it('pingSome pings as many as asked, a third of that while more than 2 queries run', async () => {
    const t = new RoutingTable(randomBytes(32))
    for (let i = 0; i < 10; i++) t.add(randomBytes(32), { host: `n${i}`, port: 1 }, 0)
    const c = ctx(t, () => true, { tick: 10 })
    await pingSome(c, 8)
    expect(c.pinged).toHaveLength(8)
    const busy = ctx(t, () => true, { tick: 10 })
    await pingSome({ ...busy, tick: 10, bootstrapped: true, inflightQueries: 3 }, 8)
    expect(busy.pinged).toHaveLength(3)
  })

  it('pingSome skips contacts whose ping (an earlier round, a full bucket\'s check) is still out', async () => {
    const t = new RoutingTable(randomBytes(32))
    for (let i = 0; i < 8; i++) t.add(randomBytes(32), { host: `n${i}`, port: 1 }, 0)
    const slow = heldPings(t)
    const { pinged, answers } = slow
    const first = pingSome(slow)
    const second = pingSome(slow)
    expect(pinged).toEqual(['n0', 'n1', 'n2', 'n3', 'n4', 'n5'])
    for (const answer of answers.splice(0)) answer()
    expect([await first, await second]).toEqual([0, 0])
    // all settled (this fake ping refreshes nobody): the least recently seen are pinged again
    pinged.length = 0
    void pingSome(slow)
    expect(pinged).toEqual(['n0', 'n1', 'n2'])
  })

  it('evicts only nodes that did not answer, never on a ping our own queue refused', async () => {
    expect(notAnswering(DHTError.REQUEST_TIMEOUT())).toBe(true)
    expect(notAnswering(DHTError.REQUEST_FAILED(new Error('EHOSTUNREACH')))).toBe(true)
    for (const err of [DHTError.QUEUE_FULL(8), DHTError.DESTROYED(), DHTError.REQUEST_CANCELLED(), DHTError.ABORTED(), new Error('timeout')]) {
      expect(notAnswering(err)).toBe(false)
    }
    const t = new RoutingTable(randomBytes(32))
    for (let i = 0; i < 4; i++) t.add(randomBytes(32), { host: `n${i}`, port: 1 }, 0)
    const c = ctx(t, () => false, { tick: 10 }, () => DHTError.QUEUE_FULL(8))
    expect(await pingSome(c)).toBe(0)
    expect(c.pinged).toEqual(['n0', 'n1', 'n2'])
    expect(t.count()).toBe(4)
  })
})
