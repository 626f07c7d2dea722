// Rate limiting, attacked over real loopback UDP (docs/security.md, "Rate limiting"): one source
// floods a HyperDHT node at full speed with valid `_find_node` and `peers` requests (from a
// worker thread, so the flood does not share the test's event loop) while honest peers on other
// addresses announce and look up through that node. They must still succeed with a latency
// close to what the same operations took unloaded (measured in the same test), the flooder must
// be banned, the node's heap must stay flat, and the rate limiter's own state must stay bounded
// when the flood comes from more addresses than it tracks (forged on the in-memory network).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_RATE_LIMIT, requestEncoding } from '@hyperdht-ts/dht-rpc'
import { MemoryNetwork } from '@hyperdht-ts/dht-rpc/testnet'
import { RawPeer, forge, heapAfterGc, median, requestFrame, sleep, udpCounters, waitFor } from '@hyperdht-ts/test-utils'
import { DEFAULT_MAX_SOURCES } from '../../../dht-rpc/src/io/guard.js'
import { HyperDHT } from '../../src/index.js'
import { peersRequest } from '../../src/messages/index.js'
import { collectLookup, createHyperNetwork, has, randomKey, type HyperNetwork } from '../helpers/network.js'

const FLOODER = '127.66.0.1'
const OPS = 6

/**
 * The flooder: a bare socket sending `msgs` round robin (fresh tids) at `to` as fast as the node
 * reads its socket (libuv reads at most 32 datagrams a turn of the event loop), until stopped.
 * It runs in the test's own process. Faster, the kernel drops datagrams of everyone alike at the
 * full receive buffer (measured: a flooder on another core sending 65,000 a second got a third
 * of them dropped, and honest requests timed out): a capacity limit, not the rate limit's.
 */
function startFlood (peer: RawPeer, to: { host: string, port: number }, msgs: Uint8Array[]): { stop: () => Promise<number> } {
  let stop = false
  let sent = 0
  const run = (async () => {
    while (!stop) {
      const batch: Array<Promise<void>> = []
      for (let i = 0; i < 32; i++) {
        const m = Buffer.from(msgs[sent % msgs.length]!)
        m.writeUInt16BE(0x8000 | (sent & 0x7fff), 0)
        sent++
        batch.push(peer.send(m, to))
      }
      await Promise.all(batch)
      await new Promise((resolve) => setImmediate(resolve))
    }
  })()
  return {
    stop: async () => {
      stop = true
      await run
      return sent
    }
  }
}

describe('a flood from one source over loopback UDP', () => {
  let net: HyperNetwork
  let victim: HyperDHT
  const honest: HyperDHT[] = []
  const unloaded: number[] = []
  const loaded: number[] = []
  let found = 0
  const flood = { sent: 0, kernelDrops: null as number | null }
  let flooder: RawPeer
  let heap = { before: 0, after: 0 }
  let floodSeconds = 0

  /** One honest operation through the network: an announce, then a lookup from another peer that must find it. */
  async function operation (i: number): Promise<number> {
    const a = honest[i % honest.length]!
    const b = honest[(i + 1) % honest.length]!
    const key = randomKey()
    const started = performance.now()
    await a.announce(key, { port: 5000 + i })
    const peers = await collectLookup(b, key)
    const ms = performance.now() - started
    if (has(peers, a.address().host, 5000 + i)) found++
    return ms
  }

  beforeAll(async () => {
    // fewer than k nodes: every announce and lookup asks the victim too
    net = await createHyperNetwork(6)
    victim = net.nodes[1]!
    for (const host of ['127.71.0.1', '127.72.0.1', '127.73.0.1']) {
      const n = new HyperDHT({ bootstrap: net.bootstrap, mode: 'client' })
      honest.push(n)
      await n.listen(0, host)
      await n.ready()
    }
    for (let i = 0; i < OPS; i++) unloaded.push(await operation(i))

    const to = { host: victim.address().host, port: victim.address().port }
    const msgs = [
      requestEncoding.encode({ command: '_find_node', target: randomKey() }),
      requestEncoding.encode({ command: 'peers', target: randomKey(), value: peersRequest.encode({ type: 0 }) })
    ].map((body) => requestFrame(0, body))
    heap.before = heapAfterGc()
    const kernel = udpCounters()
    flooder = await RawPeer.bind(FLOODER)
    const f = startFlood(flooder, to, msgs)
    const t0 = performance.now()
    await sleep(300) // the flood is on before the first honest operation
    for (let i = 0; i < OPS; i++) loaded.push(await operation(OPS + i))
    // tens of thousands of datagrams, for at least 3 s
    await waitFor(() => performance.now() - t0 > 3000, 30_000)
    flood.sent = await f.stop()
    floodSeconds = (performance.now() - t0) / 1000
    const k = udpCounters()
    flood.kernelDrops = kernel !== null && k !== null ? k.rcvbufErrors - kernel.rcvbufErrors : null
    await sleep(200)
    heap = { ...heap, after: heapAfterGc() }
  }, 60_000)

  afterAll(async () => {
    await flooder?.close()
    await Promise.all(honest.map(async (n) => await n.destroy()))
    await net?.destroy()
  })

  it('prints the measurement', () => {
    const s = victim.dht.stats
    console.log(`flood: ${flood.sent.toLocaleString('en')} datagrams in ${floodSeconds.toFixed(1)} s (${Math.round(flood.sent / floodSeconds).toLocaleString('en')}/s, kernel receive-buffer drops ${flood.kernelDrops ?? 'unknown'}); ` +
      `victim dropped ${s.dropped.rateLimited.toLocaleString('en')} by the rate limit, answered ${s.responsesOut.toLocaleString('en')} requests in all; bans ${s.guard.bans}; ` +
      `honest announce+lookup median ${median(unloaded).toFixed(0)} ms unloaded, ${median(loaded).toFixed(0)} ms loaded; heap ${((heap.after - heap.before) / 1048576).toFixed(2)} MiB after GC`)
    expect(flood.sent).toBeGreaterThan(10_000)
  })

  it('the honest announces and lookups all succeed under the flood', () => {
    expect(found).toBe(2 * OPS)
  })

  it('with a latency close to the unloaded one (same test, generous factor)', () => {
    // unbounded, each honest request to the victim would wait behind the flood or time out (1 s)
    expect(median(loaded)).toBeLessThan(Math.max(3 * median(unloaded), median(unloaded) + 500))
  })

  it('the flooder is banned and its requests are dropped before decoding; it got a bounded number of answers', () => {
    const s = victim.dht.stats
    expect(s.guard.bans).toBeGreaterThanOrEqual(1)
    expect(s.guard.banned).toBeGreaterThanOrEqual(1)
    expect(s.dropped.rateLimited).toBeGreaterThan(flood.sent / 2) // the rest the kernel dropped or is still queued
    // what the victim handled from it: the burst, and the rate until the ban
    const { burst, banAfter } = DEFAULT_RATE_LIMIT
    expect(s.commands._find_node!.requestsIn + (s.commands.peers?.requestsIn ?? 0)).toBeLessThan(burst + banAfter + 200)
  })

  it('the victim\'s heap stays flat', () => {
    expect(heap.after - heap.before).toBeLessThan(8 * 1024 * 1024)
  })

  it('the victim still answers afterwards; only the flooder is banned', async () => {
    const r = await honest[0]!.dht.ping(victim.address())
    expect(r.address.host).toBe('127.71.0.1')
    // every rate-limited request came from the flooder: one source tracked as banned
    expect(victim.dht.stats.guard.banned).toBe(1)
  })
})

describe('a flood whose requests carry an id (forged, in memory)', () => {
  it('is banned all the same: the ping that verifies the claimed id does not make the flooder a host we contacted', async () => {
    const network = new MemoryNetwork()
    const victim = new HyperDHT({ mode: 'server', socket: network.createSocket() })
    try {
      await victim.listen(0, '10.0.0.1')
      const to = { host: '10.0.0.1', port: victim.address().port }
      // an id in the request: the victim pings the sender to verify it before it enters the table
      const body = requestEncoding.encode({ command: '_ping', id: randomKey() })
      const { burst, banAfter } = DEFAULT_RATE_LIMIT
      for (let i = 0; i < burst + banAfter + 10; i++) forge(network, { host: '10.67.0.1', port: 1 }, to, requestFrame(i, body))
      await waitFor(() => victim.dht.stats.guard.bans === 1)
      expect(victim.dht.stats.verifications).toBeGreaterThanOrEqual(1)
      expect(victim.dht.stats.guard.banned).toBe(1)
    } finally {
      await victim.destroy()
      network.destroy()
    }
  })
})

describe('a flood from more source addresses than the rate limiter tracks (forged, in memory)', () => {
  it(`tracks at most ${DEFAULT_MAX_SOURCES.toLocaleString('en')} sources, keeps the first flooder banned, and the heap stays bounded`, async () => {
    const network = new MemoryNetwork()
    const victim = new HyperDHT({ mode: 'server', socket: network.createSocket() })
    const client = new HyperDHT({ mode: 'client', socket: network.createSocket() })
    try {
      await victim.listen(0, '10.0.0.1')
      await client.listen(0, '10.0.0.2')
      const to = { host: '10.0.0.1', port: victim.address().port }
      const body = requestEncoding.encode({ command: 'peers', target: randomKey(), value: peersRequest.encode({ type: 0 }) })
      // a flooder that gets itself banned
      const { burst, banAfter } = DEFAULT_RATE_LIMIT
      for (let i = 0; i < burst + banAfter; i++) forge(network, { host: '10.66.0.1', port: 1 }, to, requestFrame(i, body))
      await waitFor(() => victim.dht.stats.guard.bans === 1)
      // the guard keeps its state in ArrayBuffers (outside the JS heap): both count
      const memory = (): number => heapAfterGc() + process.memoryUsage().arrayBuffers
      const before = memory()
      // then one request from each of 100,000 other addresses
      const count = 100_000
      for (let i = 0; i < count; i++) {
        forge(network, { host: `10.${100 + (i >> 16)}.${(i >> 8) & 0xff}.${i & 0xff}`, port: 1 }, to, requestFrame(i & 0x7fff, body))
        if ((i & 1023) === 1023) await new Promise((resolve) => setImmediate(resolve))
      }
      await waitFor(() => victim.dht.stats.requestsIn >= count, 30_000)
      const s = victim.dht.stats.guard
      expect(s.sources).toBeLessThanOrEqual(DEFAULT_MAX_SOURCES)
      expect(s.sources).toBeGreaterThan(DEFAULT_MAX_SOURCES / 2)
      expect(s.banned).toBe(1)
      // the banned flooder is still ignored
      const rateLimited = victim.dht.stats.dropped.rateLimited
      forge(network, { host: '10.66.0.1', port: 1 }, to, requestFrame(1, body))
      await waitFor(() => victim.dht.stats.dropped.rateLimited === rateLimited + 1)
      // an honest peer is still answered
      expect((await client.dht.ping(to)).address.host).toBe('10.0.0.2')
      const grown = memory() - before
      console.log(`100,000 forged sources: ${s.sources.toLocaleString('en')} tracked, heap + ArrayBuffers +${(grown / 1048576).toFixed(1)} MiB after GC`)
      expect(grown).toBeLessThan(64 * 1024 * 1024)
    } finally {
      await client.destroy()
      await victim.destroy()
      network.destroy()
    }
  }, 60_000)
})
