import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { DHT, K } from '../../src/index.js'
import { hex, network, testnetHost, waitFor } from '../helpers.js'

afterEach(() => {
  vi.useRealTimers()
})

/** A random id whose first bit is `bit`. */
function idWithFirstBit (bit: number): Buffer {
  const id = randomBytes(32)
  id[0] = bit === 1 ? id[0]! | 0x80 : id[0]! & 0x7f
  return id
}

/**
 * A node `x` joined to a network of `size` nodes (4 unless told) over real sockets, with only
 * intervals faked (the maintenance tick and udp-request's timeout tick); `ticks(n)` runs n ticks
 * of 5 s. Everything is destroyed afterwards.
 *
 * x's table must hold the whole network. With random ids, one of x's far buckets (k = 20) would
 * get more than 20 of 26 nodes about once in 900 networks and turn the rest away, so half of the
 * nodes get x's first bit and half the other: no bucket gets more than 13.
 */
async function withJoinedNode (body: (x: DHT, nodes: DHT[], ticks: (n: number) => Promise<void>, removed: string[]) => Promise<void>, size = 4): Promise<void> {
  const xId = randomBytes(32)
  const xBit = xId[0]! >> 7
  const net = await network(size, (i) => ({ id: idWithFirstBit(i % 2 === 0 ? 1 - xBit : xBit) }))
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
  const x = new DHT({ id: xId, bootstrap: [net.bootstrap] })
  try {
    // an address of its own, not the wildcard: datagrams other test files' nodes still send to
    // a closed socket that had x's port on another loopback address do not reach x
    await x.listen(0, testnetHost(size))
    await x.ready()
    // the join asks the nodes closest to x's id; in a larger network x meets the others by pinging them
    for (const n of net.nodes) await x.ping(n.address())
    expect(x.toArray().length).toBe(size)
    const removed: string[] = []
    x.on('remove-node', (n) => removed.push(hex(n.id)))
    const ticks = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) await vi.advanceTimersByTimeAsync(5000)
    }
    await body(x, net.nodes, ticks, removed)
  } finally {
    await x.destroy()
    await net.destroy()
  }
}

describe('routing-table upkeep over UDP', () => {
  it('pings the least recently seen nodes every ~40 s and drops those that do not answer', async () => {
    await withJoinedNode(async (x, nodes, ticks, removed) => {
      const dead = nodes[2]!
      await dead.destroy()
      const before = x.stats.commands._ping?.requestsOut ?? 0
      // 17 ticks: two rounds of pings (ticks 8 and 16) plus the retransmissions and timeouts
      await ticks(17)
      expect(x.stats.commands._ping!.requestsOut - before).toBeGreaterThanOrEqual(4)
      expect(removed).toEqual([hex(dead.id)])
      expect(x.toArray().length).toBe(3)
      expect(x.findLocal(dead.id)).toBeNull()
    })
  })

  it('after a round removed a contact, checks the rest of the table every tick instead of every 8', async () => {
    await withJoinedNode(async (x, nodes, ticks, removed) => {
      // 6 of 26 nodes leave at once (churn); 20 stay, so no re-bootstrap (below k) finds them
      const dead = nodes.slice(20)
      await Promise.all(dead.map(async (n) => { await n.destroy() }))
      await ticks(1)
      // x hears from the others on tick 1: the 6 are its least recently seen contacts
      for (const n of nodes.slice(0, 20)) await x.ping(n.address())
      // tick 8 pings 3 of them; their pings (retransmitted) fail after 8.25 s, during tick 9,
      // while x hears from the network (its own link works), so tick 10 pings the next 8 (the
      // other 3 among them), which fail during tick 11 (at one round per 8 ticks, the next 3
      // would wait for tick 16)
      await ticks(8)
      await x.ping(nodes[0]!.address())
      await ticks(4)
      expect(removed.sort()).toEqual(dead.map((n) => hex(n.id)).sort())
      expect(x.toArray().length).toBe(20)
    }, 26)
  })

  it('a round whose pings all fail while nothing else answers (we are offline) does not speed up', async () => {
    await withJoinedNode(async (x, nodes, ticks, removed) => {
      await Promise.all(nodes.map(async (n) => { await n.destroy() }))
      const before = x.stats.commands._ping?.requestsOut ?? 0
      // tick 8 pings 3, which fail; the next round is tick 16's (the table keeps k or more
      // contacts, so no re-bootstrap on tick 12 asks them either)
      await ticks(15)
      expect(x.stats.commands._ping!.requestsOut - before).toBe(3)
      expect(removed).toHaveLength(3)
    }, 26)
  })

  it('without churn, stays at one round of 3 pings every 8 ticks', async () => {
    await withJoinedNode(async (x, _nodes, ticks, removed) => {
      const before = x.stats.commands._ping?.requestsOut ?? 0
      await ticks(15)
      expect(x.stats.commands._ping!.requestsOut - before).toBe(3)
      expect(removed).toEqual([])
    }, 26)
  })

  it('contacts whose first upkeep ping is lost answer the resent one and stay', async () => {
    await withJoinedNode(async (x, nodes, ticks, removed) => {
      const from = x.address().port
      let dropped = 0
      // at every node, the first request from x that arrives is lost, as on a lossy path
      for (const node of nodes) {
        let lost = false
        node.interceptDatagrams((message, rinfo) => {
          if (lost || rinfo.port !== from || (message[0]! & 0x80) === 0) return false
          lost = true
          dropped++
          return true
        })
      }
      // 9 ticks: the upkeep round at tick 8 pings the 3 least recently seen contacts
      await ticks(9)
      expect(dropped).toBeGreaterThanOrEqual(1)
      expect(removed).toEqual([])
      expect(x.toArray().length).toBe(4)
    })
  })
})

describe('re-bootstrap', () => {
  it('while the table is small, bootstraps again about every minute', async () => {
    // a port nobody listens on yet
    const probe = new DHT()
    await probe.listen(0, '127.0.0.1')
    const port = probe.address().port
    await probe.destroy()

    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const x = new DHT({ bootstrap: [`127.0.0.1:${port}`] })
    const late = new DHT()
    try {
      let settled = false
      const ready = x.ready().finally(() => { settled = true })
      // the bootstrap request is retransmitted, then times out
      for (let i = 0; i < 80 && !settled; i++) await vi.advanceTimersByTimeAsync(250)
      await ready
      expect(x.toArray().length).toBe(0)
      await late.listen(port, '127.0.0.1')
      for (let i = 0; i < 13; i++) await vi.advanceTimersByTimeAsync(5000)
      expect(hex(x.findLocal(late.id)?.id)).toBe(hex(late.id))
    } finally {
      await x.destroy()
      await late.destroy()
    }
  })
})

describe('periodic bucket refresh', () => {
  const realWait = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1))
  /** Waits (real time, bounded) until no node has a request in flight: answers travel over real sockets. */
  const settle = async (nodes: DHT[]): Promise<void> => {
    for (const end = Date.now() + 2000; nodes.some((n) => n.stats.inflight > 0) && Date.now() < end;) await realWait()
  }

  it('every ~10 min (tick 120) looks up sparse far ranges again and learns the nodes that appeared there', async () => {
    // The network, all in the half of the id space that starts with bit 0, on real timers (their
    // own upkeep does not run during the test).
    const boot = new DHT({ id: idWithFirstBit(0) })
    const near: DHT[] = []
    const far: DHT[] = []
    const all = (): DHT[] => [boot, ...near, ...far]
    try {
      await boot.listen(0, testnetHost(0))
      await boot.ready()
      const bootstrap = `${testnetHost(0)}:${boot.address().port}`
      for (let i = 0; i < 40; i++) near.push(new DHT({ id: idWithFirstBit(0), bootstrap: [bootstrap] }))
      await Promise.all(near.map(async (n, i) => { await n.listen(0, testnetHost(1 + i)); await n.ready() }))

      // x joins on faked intervals: its far range (first bit 1) is empty, so its join refresh finds nobody there.
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
      const x = new DHT({ id: idWithFirstBit(0), bootstrap: [bootstrap] })
      near.push(x)
      await x.listen(0, testnetHost(100))
      await x.ready()
      // k nodes or more: no re-bootstrap (which would refresh too) gets in the way
      expect(x.toArray().length).toBeGreaterThanOrEqual(K)
      const joinRefreshes = x.stats.refreshes
      expect(joinRefreshes).toBeGreaterThan(0)

      // Steps of 250 ms (udp-request's tick); before each, the requests in flight get their
      // answers over the real sockets, so no ping times out in fake time and no node is dropped.
      const advance = async (ms: number): Promise<void> => {
        for (let t = 0; t < ms; t += 250) {
          await settle(all())
          await vi.advanceTimersByTimeAsync(250)
        }
      }
      const knownFar = (): number => x.toArray().filter((n) => n.id[0]! >= 0x80).length

      await advance(2 * 5000)
      // Six nodes appear in the far range. They look nobody up (no bootstrap list); they only ping
      // the bootstrap node, which adds them to its table. x never hears from them.
      for (let i = 0; i < 6; i++) {
        const f = new DHT({ id: idWithFirstBit(1) })
        far.push(f)
        await f.listen(0, testnetHost(110 + i))
        await f.ready()
        await f.ping(bootstrap)
      }
      // (after the bootstrap node verified each address with a ping of its own)
      await waitFor(() => boot.toArray().filter((n) => n.id[0]! >= 0x80).length === 6)

      await advance(117 * 5000) // x's tick 119
      expect(x.stats.refreshes).toBe(joinRefreshes)
      expect(knownFar()).toBe(0)

      expect(x.toArray().length).toBeGreaterThanOrEqual(K) // still no re-bootstrap due at tick 120
      await advance(5000) // x's tick 120: the far range is looked up again, through the bootstrap node
      expect(x.stats.refreshes).toBeGreaterThan(joinRefreshes) // started on the tick itself
      // Let the lookup run; fake time goes on too (in case an answer got lost on a busy machine),
      // but less than the two ticks by which the far nodes' own refresh (which would reach x) lags.
      for (let steps = 0; knownFar() < 5 && steps < 30; steps++) {
        await settle(all())
        if (knownFar() < 5) await vi.advanceTimersByTimeAsync(250)
      }
      expect(knownFar()).toBeGreaterThanOrEqual(5)
      expect(x.toArray().length).toBeGreaterThanOrEqual(K + 5)
    } finally {
      vi.useRealTimers()
      await Promise.all(all().map((n) => n.destroy()))
    }
  }, 180_000)
})
