import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HyperDHT, HyperDHTError, type TamperReport } from '../../src/index.js'
import { testnetHost } from '@hyperdht-ts/dht-rpc/testnet'
import { collectLookup, createHyperNetwork, has, randomKey, type HyperNetwork } from '../helpers/network.js'

describe('announce / lookup / unannounce (20 nodes in memory)', () => {
  let net: HyperNetwork
  beforeAll(async () => { net = await createHyperNetwork(20, { memory: true }) })
  afterAll(async () => { await net.destroy() })

  it('a lookup from another node finds the announce, with LAN peers in the same /16', async () => {
    const a = net.nodes[3] as HyperDHT
    const b = net.nodes[15] as HyperDHT
    const key = randomKey()
    const stored: string[] = []
    for (const n of net.nodes) n.on('announce', (k, peer) => { if (Buffer.from(k).equals(key)) stored.push(`${peer.host}:${peer.port}`) })
    const res = await a.announce(key, { port: 7000, localAddress: { host: '192.168.3.4', port: 7001 } })
    expect(res.committed.length).toBeGreaterThan(0)
    expect(stored.length).toBe(res.committed.length)
    expect(stored.every((s) => s === `${a.address().host}:7000`)).toBe(true)

    const results = []
    for await (const r of b.lookup(key, { localAddress: { host: '192.168.9.9', port: 0 } })) results.push(r)
    expect(results.some((r) => has(r.peers, a.address().host, 7000))).toBe(true)
    expect(results.some((r) => has(r.localPeers, '192.168.3.4', 7001))).toBe(true)
    const other = []
    for await (const r of b.lookup(key, { localAddress: { host: '10.1.9.9', port: 1 } })) other.push(...r.localPeers)
    expect(other).toEqual([])
  })

  it('announces the source port when no port is given, and unannounce removes it', async () => {
    const a = net.nodes[5] as HyperDHT
    const b = net.nodes[9] as HyperDHT
    const key = randomKey()
    await a.announce(key)
    expect(has(await collectLookup(b, key), a.address().host, a.address().port)).toBe(true)
    await a.unannounce(key)
    expect(await collectLookup(b, key)).toEqual([])
  })

  it('a lookup includes our own store first', async () => {
    const a = net.nodes[1] as HyperDHT
    const key = randomKey()
    await a.announce(key, { port: 9999 })
    const storing = net.nodes.find((n) => n.peerStore.has(Buffer.from(key).toString('hex'), Date.now())) as HyperDHT
    const first = await storing.lookup(key)[Symbol.asyncIterator]().next()
    expect(first.value?.node.id).toEqual(storing.id)
    expect(has(first.value?.peers ?? [], a.address().host, 9999)).toBe(true)
  })

  it('rejects keys that are not 32-byte Uint8Arrays with INVALID_ARGUMENT', async () => {
    const a = net.nodes[0] as HyperDHT
    await expect(a.announce(new Uint8Array(31))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    expect(() => a.lookup('x'.repeat(32) as unknown as Uint8Array)).toThrow(HyperDHTError)
    await expect(a.unannounce(new Uint8Array(33))).rejects.toSatisfy((e) => HyperDHTError.isInstance(e) && e.code === 'INVALID_ARGUMENT')
  })

  it('emits lookup on the storing nodes', async () => {
    const key = randomKey()
    let lookups = 0
    const listeners = net.nodes.map((n) => {
      const fn = (): void => { lookups++ }
      n.on('lookup', fn)
      return () => n.off('lookup', fn)
    })
    await collectLookup(net.nodes[2] as HyperDHT, key)
    for (const off of listeners) off()
    expect(lookups).toBeGreaterThan(0)
  })

  it('a lookup can be aborted', async () => {
    const ac = new AbortController()
    ac.abort()
    await expect(collectLookup(net.nodes[2] as HyperDHT, randomKey(), { signal: ac.signal })).rejects.toMatchObject({ code: 'ABORTED' })
  })
})

describe('announces expire on the network', () => {
  it('a lookup after maxAge finds nothing, a re-announce makes it findable again', async () => {
    let clock = 1_000_000
    const net = await createHyperNetwork(10, { memory: true, now: () => clock, peerMaxAge: 60_000 })
    try {
      const key = randomKey()
      const a = net.nodes[4] as HyperDHT
      await a.announce(key, { port: 4444 })
      expect(has(await collectLookup(net.nodes[7] as HyperDHT, key), a.address().host, 4444)).toBe(true)
      clock += 60_001
      expect(await collectLookup(net.nodes[7] as HyperDHT, key)).toEqual([])
      await a.announce(key, { port: 4444 })
      expect(has(await collectLookup(net.nodes[7] as HyperDHT, key), a.address().host, 4444)).toBe(true)
    } finally {
      await net.destroy()
    }
  })
})

describe('announce flood', () => {
  it('one host announcing many keys cannot grow any store past its per-host cap', async () => {
    // (15 announces cost each node 30 requests: within the per-source rate limit's burst, so
    // that the per-host cap, not the rate limit, is what stops this flood)
    const net = await createHyperNetwork(6, { memory: true, maxPeersPerHost: 10, maxPeers: 1000 })
    try {
      const flooder = net.nodes[5] as HyperDHT
      const keys = Array.from({ length: 15 }, () => randomKey())
      for (const [j, k] of keys.entries()) await flooder.announce(k, { port: 1000 + j })
      for (const n of net.nodes) expect(n.peerStore.stats().peers).toBeLessThanOrEqual(10)
      expect(net.nodes.filter((n) => n !== flooder).every((n) => n.peerStore.stats().peers === 10)).toBe(true)
      for (const n of net.nodes) expect(n.dht.stats.dropped.rateLimited).toBe(0)
    } finally {
      await net.destroy()
    }
  })
})

describe('announcer', () => {
  it('re-announces on its interval and on refresh, and unannounces on stop', async () => {
    const net = await createHyperNetwork(10, { memory: true })
    try {
      const key = randomKey()
      const a = net.nodes[2] as HyperDHT
      const b = net.nodes[8] as HyperDHT
      let seen = 0
      const waiters: Array<() => void> = []
      for (const n of net.nodes) {
        n.on('announce', (k) => {
          if (!Buffer.from(k).equals(key)) return
          seen++
          waiters.splice(0).forEach((w) => w())
        })
      }
      const handle = a.announcer(key, { port: 5151, interval: 200 })
      const announced: number[] = []
      handle.on('announced', (r) => announced.push(r.committed.length))
      // first announce, then at least two periodic re-announces
      while (handle.announces < 3) await new Promise<void>((resolve) => waiters.push(resolve))
      expect(seen).toBeGreaterThanOrEqual(3)
      expect(has(await collectLookup(b, key), a.address().host, 5151)).toBe(true)
      const before = handle.announces
      await handle.refresh()
      expect(handle.announces).toBeGreaterThan(before)
      await handle.stop()
      expect(handle.stopped).toBe(true)
      expect(await collectLookup(b, key)).toEqual([])
      expect(announced.every((n) => n > 0)).toBe(true)
    } finally {
      await net.destroy()
    }
  })

  it('re-announces after the routing table was emptied and refilled', async () => {
    const net = await createHyperNetwork(8, { memory: true, timeout: 100 })
    const fresh: HyperDHT[] = []
    try {
      const key = randomKey()
      const a = net.nodes[3] as HyperDHT
      const handle = a.announcer(key, { interval: 60_000 })
      while (handle.announces < 1) await new Promise((resolve) => handle.once('announced', resolve))
      // the network goes away: every other node dies, and a's queries time out on each of them
      // until its table is empty (three failures in a row remove a node)
      await Promise.all(net.nodes.filter((n) => n !== a).map(async (n) => await n.destroy()))
      while (a.dht.tableSize > 0) await a.lookup(randomKey()).toArray().catch(() => null)
      expect(handle.announces).toBe(1)
      // a new network forms around a: it learns these nodes, and announces to them
      const boot = [`${a.address().host}:${a.address().port}`]
      for (let i = 0; i < 3; i++) {
        const n = new HyperDHT({ bootstrap: boot, mode: 'server', socket: net.network!.createSocket() })
        fresh.push(n)
        await n.listen(0, testnetHost(20 + i))
        await n.ready()
      }
      while (handle.announces < 2) await new Promise((resolve) => handle.once('announced', resolve))
      const found = await collectLookup(fresh[2]!, key)
      expect(found.some((p) => p.port === a.address().port)).toBe(true)
      await handle.refresh() // an explicit refresh announces too
      expect(handle.announces).toBe(3)
      await handle.stop()
    } finally {
      await Promise.all(fresh.map(async (n) => await n.destroy()))
      await net.destroy()
    }
  })
})

describe('announcer failures', () => {
  it('reports failed announces and retries them', async () => {
    const net = await createHyperNetwork(1, { memory: true })
    // bootstraps off an address nobody listens on: every announce fails
    const lonely = await net.add({ bootstrap: ['127.0.0.1:9'], timeout: 100 })
    try {
      const handle = lonely.announcer(randomKey(), { retryDelay: 10, interval: 1000 })
      const errors: string[] = []
      handle.on('announce-failed', (err) => errors.push(err.code))
      while (errors.length < 2) await new Promise((resolve) => handle.once('announce-failed', resolve))
      expect(errors.slice(0, 2)).toEqual(['NO_NODES_RESPONDED', 'NO_NODES_RESPONDED'])
      expect(handle.failures).toBeGreaterThanOrEqual(2)
      expect(handle.announces).toBe(0)
      await handle.stop()
    } finally {
      await net.destroy()
    }
  })
})

describe('bootstrap outcome', () => {
  it('ready() passes dht-rpc\'s outcome through and BOOTSTRAP_FAILED is forwarded as a warning (loopback UDP)', async () => {
    const dead = createSocket('udp4') // receives, never answers
    dead.bind(0, '127.0.0.1')
    await once(dead, 'listening')
    const node = new HyperDHT({ bootstrap: [`127.0.0.1:${dead.address().port}`], timeout: 200 })
    const first = new HyperDHT({ mode: 'server' })
    try {
      const warnings: unknown[] = []
      node.on('warning', (err) => warnings.push(err))
      await node.listen(0, '127.0.0.1')
      const failed = await node.ready()
      expect(failed.error?.code).toBe('BOOTSTRAP_FAILED')
      expect(failed.nodes).toBe(0)
      expect(warnings).toEqual([failed.error])
      expect(node.dht.bootstrapResult).toBe(failed)

      await first.listen(0, '127.0.0.1')
      expect(await first.ready()).toEqual({ nodes: 0, responses: 0, error: null })
    } finally {
      await Promise.all([node.destroy(), first.destroy(), new Promise<void>((resolve) => dead.close(() => resolve()))])
    }
  })
})

describe('destroy', () => {
  it('is idempotent and refuses later calls with DESTROYED', async () => {
    const node = new HyperDHT()
    await node.listen(0, '127.0.0.1')
    await node.destroy()
    await node.destroy()
    await expect(node.announce(new Uint8Array(32))).rejects.toMatchObject({ code: 'DESTROYED' })
  })
})

export type { TamperReport }
