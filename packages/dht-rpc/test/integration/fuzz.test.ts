// Whole-packet fuzzing of a live dht-rpc node over real loopback UDP: FUZZ_DATAGRAMS (default
// 100,000) valid, mutated and random datagrams from FUZZ_SOURCES (default 64) fuzzer addresses,
// every byte drawn from one Prng seeded by FUZZ_SEED (printed). Afterwards the node answers
// `_ping` and `_find_node` correctly, its table holds only the honest nodes (the fuzzer never
// answers a ping, so none of its addresses may ever be verified), every datagram is accounted
// for by a counter, its heap is bounded, and no node ever sent anywhere but loopback.
// Longer runs: `pnpm fuzz --target dht-rpc --minutes 10`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  Prng, accountDrops, datagramStream, fuzzPackets, fuzzRunConfig, guardedSocket, heapAfterGc, isFuzzSourceHost, isLoopback,
  rawFindNode, replayLine, settled, withFailureReport, writeFuzzReport, type GuardedSocket
} from '@hyperdht-ts/test-utils'
import { DHT, requestEncoding, responseEncoding } from '../../src/index.js'
import { testnetHost } from '../../src/testnet.js'
import { confineForwards, dhtRpcSeeds } from '../fuzz/seeds.js'

const TEST_FILE = 'packages/dht-rpc/test/integration/fuzz.test.ts'
const config = fuzzRunConfig(100_000)
const NODES = 5
/** Heap growth allowed across the run, after GC (the node keeps bounded state only). */
const HEAP_BOUND = 24 * 1024 * 1024

describe('fuzz: whole datagrams at a live dht-rpc node', () => {
  const rand = new Prng(config.seed)
  const setup = rand.fork()
  const stream = rand.fork()
  const nodes: DHT[] = []
  const sockets: GuardedSocket[] = []
  let victim: DHT
  let unhandled = 0
  const failures = new Map<string, number>()
  const onunhandled = (): void => { unhandled++ }

  beforeAll(async () => {
    console.log(`dht-rpc whole-packet fuzz: seed ${config.seed}; replay: ${replayLine(config, null, TEST_FILE)}`)
    process.on('unhandledRejection', onunhandled)
    // counts warnings that mean an exception escaped request handling (handler errors are expected)
    const logger = { warn: (msg: string) => { failures.set(msg, (failures.get(msg) ?? 0) + 1) } }
    for (let i = 0; i < NODES; i++) {
      const socket = guardedSocket()
      sockets.push(socket)
      const node = new DHT({ id: setup.bytes(32), socket, ephemeral: false, logger, bootstrap: i === 0 ? [] : [`${testnetHost(0)}:${nodes[0]!.address().port}`] })
      nodes.push(node)
      await node.listen(0, testnetHost(i))
      await node.ready()
    }
    victim = nodes[1]!
    // one command that answers, one that throws on some inputs, one that answers later
    victim.command('echo', { query: (q) => q.value, update: (q) => q.value })
    victim.command('fail', { query: (q) => { if ((q.value?.[0] ?? 0) & 1) throw new Error('odd'); return null }, update: () => { throw new Error('no') } })
    victim.command('later', { query: async (q) => await new Promise((resolve) => setImmediate(() => resolve(q.value))) })
  })

  afterAll(async () => {
    process.off('unhandledRejection', onunhandled)
    await Promise.all(nodes.map(async (n) => await n.destroy()))
  })

  it(`survives ${Number.isFinite(config.count) ? config.count.toLocaleString('en') : 'a timed run of'} datagrams${config.minutes > 0 ? ` (${config.minutes} min)` : ''}`, async () => {
    const honest = new Map(nodes.map((n) => [`${n.address().host}:${n.address().port}`, Buffer.from(n.id).toString('hex')]))
    const encoders = { encodeRequest: requestEncoding.encode, encodeResponse: responseEncoding.encode }
    const seeds = dhtRpcSeeds(setup, encoders, ['echo', 'fail', 'later'], nodes.map((n) => n.id))
    const confine = confineForwards((b) => requestEncoding.decode(b))
    const heapBefore = heapAfterGc()
    const before = victim.stats
    // what honest nodes (and the victim itself) send to the victim's address: its background traffic
    const victimHost = victim.address().host
    const sentToVictim = (): number => sockets.reduce((n, s) => n + (s.sentTo.get(victimHost) ?? 0), 0)
    const backgroundBefore = sentToVictim()

    const result = await fuzzPackets({
      target: victim.address(),
      next: datagramStream(stream, seeds),
      count: config.count,
      deadline: config.minutes > 0 ? Date.now() + config.minutes * 60_000 : undefined,
      sources: config.sources,
      confine
    })
    const replay = replayLine(config, result.sent, TEST_FILE)
    const why = `seed ${config.seed} (replay: ${replay})`

    // the node is done when its counters stop moving
    await settled(() => JSON.stringify(victim.stats.dropped) + victim.stats.requestsIn + victim.stats.responsesOut)
    const after = victim.stats
    const acc = accountDrops(before, after)
    const background = sentToVictim() - backgroundBefore
    // every datagram that reached the node: counted as received, or a matched response
    const arrived = acc.received + after.responsesIn - before.responsesIn
    const heapAfter = heapAfterGc()
    const summary = {
      seed: config.seed,
      sent: result.sent,
      elapsedMs: result.elapsedMs,
      sources: config.sources,
      received: acc.received,
      background,
      kernelDrops: result.kernelDrops,
      answered: acc.answered,
      forwarded: acc.forwarded,
      confined: confine.stats.confined,
      dropped: acc.byReason,
      fuzzerReceived: result.received,
      heapGrowthKiB: Math.round((heapAfter - heapBefore) / 1024),
      replay
    }
    console.log('dht-rpc whole-packet fuzz:', JSON.stringify(summary))
    writeFuzzReport(summary)

    await withFailureReport('dht-rpc', config, replay, result.lastSent, summary, async () => {
      // every datagram is accounted for: by a drop reason, or as a request that was answered,
      // forwarded, or dropped with a reason
      expect(acc.totalMismatch, why).toBe(0)
      expect(acc.unaccounted, why).toBe(0)
      // what reached the node is exactly what the fuzzer and the honest nodes sent it, less the
      // kernel's receive-buffer drops (system-wide, so an upper bound; 0 in every run measured)
      const kernel = result.kernelDrops ?? Math.ceil(result.sent * 0.05)
      expect(arrived, why).toBeLessThanOrEqual(result.sent + background + 5)
      expect(arrived, why).toBeGreaterThanOrEqual(result.sent + background - kernel - 5)
      // the decoders were exercised (a per-IP rate limiter must let enough through: raise FUZZ_SOURCES)
      expect(acc.requestsIn, why).toBeGreaterThan(Math.min(1000, result.sent / 10))
      expect(acc.answered, why).toBeGreaterThan(0)
      expect(acc.byReason.undecodable, why).toBeGreaterThan(0)
      expect(unhandled, why).toBe(0)
      expect(Object.fromEntries(failures), why).not.toHaveProperty(['dht-rpc: request failed'])
      expect(Object.fromEntries(failures), why).not.toHaveProperty(['dht-rpc: response failed'])
      // junk command names are pooled, not kept one by one
      expect(Object.keys(after.commands).filter((c) => !['_ping', '_find_node', 'echo', 'fail', 'later', '*'].includes(c)), why).toEqual([])

      // the table holds verified contacts only: honest nodes with their own ids, no fuzzer address
      const table = victim.toArray()
      expect(table.length, why).toBeGreaterThan(0)
      for (const n of table) {
        expect(isFuzzSourceHost(n.host), `${why}: fuzzer address ${n.host}:${n.port} in the table`).toBe(false)
        expect(honest.get(`${n.host}:${n.port}`), `${why}: ${n.host}:${n.port} in the table`).toBe(Buffer.from(n.id).toString('hex'))
      }

      // nothing ever left loopback
      for (const s of sockets) {
        expect(s.blocked, why).toEqual([])
        for (const host of s.sentTo.keys()) expect(isLoopback(host), host).toBe(true)
      }
      expect(heapAfter - heapBefore, `${why}: heap grew by ${summary.heapGrowthKiB} KiB`).toBeLessThan(HEAP_BOUND)

      // still correct: _ping from a fresh node, _find_node answered with honest nodes only
      const probe = new DHT()
      try {
        await probe.listen(0, testnetHost(NODES + 1))
        // the probe is honest too: the victim may verify and add it once it has pinged
        honest.set(`${probe.address().host}:${probe.address().port}`, Buffer.from(probe.id).toString('hex'))
        const pong = await probe.ping(victim.address())
        expect(Buffer.from(pong.node.id!).equals(Buffer.from(victim.id)), why).toBe(true)
        const target = setup.bytes(32)
        const found = await rawFindNode(victim.address(), target, { encodeRequest: requestEncoding.encode, decodeResponse: (b) => responseEncoding.decode(b) }, testnetHost(NODES + 2))
        expect(found, why).not.toBeNull()
        expect(Buffer.from(found!.id!).equals(Buffer.from(victim.id)), why).toBe(true)
        expect(found!.nodes.length, why).toBeGreaterThan(0)
        for (const n of found!.nodes) expect(honest.get(`${n.host}:${n.port}`), `${why}: _find_node returned ${n.host}:${n.port}`).toBe(n.id)
        const q = await probe.query({ command: '_find_node', target }, { nodes: [victim.address()] }).toArray()
        expect(q.some((r) => Buffer.from(r.node.id!).equals(Buffer.from(victim.id))), why).toBe(true)
      } finally {
        await probe.destroy()
      }
    })
  }, config.timeoutMs)
})
