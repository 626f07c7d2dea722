// Whole-packet fuzzing of a live HyperDHT node over real loopback UDP: FUZZ_DATAGRAMS (default
// 100,000) datagrams from FUZZ_SOURCES (default 64) fuzzer addresses: valid, mutated and random
// dht-rpc and hyperdht messages (`peers` lookups/announces/unannounces, `immutable` and `mutable`
// gets and puts, their responses), every byte from one Prng seeded by FUZZ_SEED (printed). The
// victim holds honest announces and values, and the fuzz stream aims at their targets.
// Afterwards: it still answers `_ping`, `_find_node`, lookups and gets correctly; its table holds
// only honest nodes; nothing was stored (the fuzzer never holds a roundtrip token); every
// datagram is accounted for by a counter; its heap is bounded; no node sent outside loopback.
// Longer runs: `pnpm fuzz --minutes 10` (see docs/security.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  Prng, accountDrops, datagramStream, fuzzPackets, fuzzRunConfig, guardedSocket, heapAfterGc, isFuzzSourceHost, isLoopback,
  rawFindNode, replayLine, settled, withFailureReport, writeFuzzReport, type GuardedSocket
} from '@hyperdht-ts/test-utils'
import { requestEncoding, responseEncoding, toHex } from '@hyperdht-ts/dht-rpc'
import { testnetHost } from '@hyperdht-ts/dht-rpc/testnet'
import { HyperDHT } from '../../src/index.js'
import { sha256 } from '../../src/crypto.js'
import { confineForwards, hyperdhtSeeds, signedRecord } from '../fuzz/seeds.js'

const TEST_FILE = 'packages/hyperdht/test/integration/fuzz.test.ts'
const config = fuzzRunConfig(100_000)
const NODES = 5
const HEAP_BOUND = 24 * 1024 * 1024

describe('fuzz: whole datagrams at a live HyperDHT node', () => {
  const rand = new Prng(config.seed)
  const setup = rand.fork()
  const stream = rand.fork()
  const nodes: HyperDHT[] = []
  const sockets: GuardedSocket[] = []
  let victim: HyperDHT
  let unhandled = 0
  const warnings = new Map<string, number>()
  const onunhandled = (): void => { unhandled++ }
  // honest data stored on every node before the fuzz
  const key = setup.bytes(32)
  const value = setup.bytes(200)
  const record = signedRecord(setup, { salt: setup.bytes(8), seq: 5 })
  let announcedPort = 0

  beforeAll(async () => {
    console.log(`hyperdht whole-packet fuzz: seed ${config.seed}; replay: ${replayLine(config, null, TEST_FILE)}`)
    process.on('unhandledRejection', onunhandled)
    const logger = { warn: (msg: string) => { warnings.set(msg, (warnings.get(msg) ?? 0) + 1) } }
    for (let i = 0; i < NODES; i++) {
      const socket = guardedSocket()
      sockets.push(socket)
      const node = new HyperDHT({ id: setup.bytes(32), socket, ephemeral: false, logger, bootstrap: i === 0 ? [] : [`${testnetHost(0)}:${nodes[0]!.address().port}`] })
      nodes.push(node)
      await node.listen(0, testnetHost(i))
      await node.ready()
    }
    victim = nodes[1]!
    const honest = nodes[2]!
    announcedPort = honest.address().port
    await honest.announce(key)
    await honest.immutablePut(value)
    await honest.mutablePut({ publicKey: record.publicKey, secretKey: record.secretKey }, record.value, { seq: record.seq, salt: record.salt! })
  })

  afterAll(async () => {
    process.off('unhandledRejection', onunhandled)
    await Promise.all(nodes.map(async (n) => await n.destroy()))
  })

  it(`survives ${Number.isFinite(config.count) ? config.count.toLocaleString('en') : 'a timed run of'} datagrams${config.minutes > 0 ? ` (${config.minutes} min)` : ''}`, async () => {
    expect(victim.peerStore.size, 'the honest announce reached the victim').toBe(1)
    expect(victim.valueStore.size, 'the honest values reached the victim').toBe(2)
    const honest = new Map(nodes.map((n) => [`${n.address().host}:${n.address().port}`, toHex(n.id)]))
    const seeds = hyperdhtSeeds(setup, { keys: [key], values: [value], records: [record] })
    const confine = confineForwards((b) => requestEncoding.decode(b))
    const heapBefore = heapAfterGc()
    const before = victim.dht.stats
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

    await settled(() => JSON.stringify(victim.dht.stats.dropped) + victim.dht.stats.requestsIn + victim.dht.stats.responsesOut)
    const after = victim.dht.stats
    const acc = accountDrops(before, after)
    const background = sentToVictim() - backgroundBefore
    // every datagram that reached the node: counted as received, or a matched response
    const arrived = acc.received + after.responsesIn - before.responsesIn
    const heapAfter = heapAfterGc()
    const commands: Record<string, number> = {}
    for (const [name, s] of Object.entries(after.commands)) commands[name] = s.requestsIn - (before.commands[name]?.requestsIn ?? 0)
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
      requestsByCommand: commands,
      fuzzerReceived: result.received,
      heapGrowthKiB: Math.round((heapAfter - heapBefore) / 1024),
      replay
    }
    console.log('hyperdht whole-packet fuzz:', JSON.stringify(summary))
    writeFuzzReport(summary)

    await withFailureReport('hyperdht', config, replay, result.lastSent, summary, async () => {
      // every datagram accounted for (see the dht-rpc fuzz test for the identities)
      expect(acc.totalMismatch, why).toBe(0)
      expect(acc.unaccounted, why).toBe(0)
      // what reached the node is exactly what the fuzzer and the honest nodes sent it, less the
      // kernel's receive-buffer drops (system-wide, so an upper bound)
      const kernel = result.kernelDrops ?? Math.ceil(result.sent * 0.05)
      expect(arrived, why).toBeLessThanOrEqual(result.sent + background + 5)
      expect(arrived, why).toBeGreaterThanOrEqual(result.sent + background - kernel - 5)
      // the hyperdht handlers were exercised, not only the outer decoder
      for (const name of ['peers', 'immutable', 'mutable']) expect(commands[name] ?? 0, `${why}: ${name} requests`).toBeGreaterThan(Math.min(100, result.sent / 1000))
      expect(unhandled, why).toBe(0)
      expect(Object.fromEntries(warnings), why).toEqual({})
      // junk command names are pooled under '*', not kept one by one
      expect(Object.keys(after.commands).filter((c) => !['_ping', '_find_node', 'peers', 'immutable', 'mutable', '*'].includes(c)), why).toEqual([])

      // nothing stored: updates need a roundtrip token, which the fuzzer never has
      expect(victim.peerStore.size, why).toBe(1)
      expect(victim.valueStore.size, why).toBe(2)

      // the table holds verified contacts only
      const table = victim.dht.toArray()
      expect(table.length, why).toBeGreaterThan(0)
      for (const n of table) {
        expect(isFuzzSourceHost(n.host), `${why}: fuzzer address ${n.host}:${n.port} in the table`).toBe(false)
        expect(honest.get(`${n.host}:${n.port}`), `${why}: ${n.host}:${n.port} in the table`).toBe(toHex(n.id))
      }
      for (const s of sockets) {
        expect(s.blocked, why).toEqual([])
        for (const host of s.sentTo.keys()) expect(isLoopback(host), host).toBe(true)
      }
      expect(heapAfter - heapBefore, `${why}: heap grew by ${summary.heapGrowthKiB} KiB`).toBeLessThan(HEAP_BOUND)

      // still correct, from a fresh node
      const found = await rawFindNode(victim.address(), setup.bytes(32), { encodeRequest: requestEncoding.encode, decodeResponse: (b) => responseEncoding.decode(b) }, testnetHost(NODES + 2))
      expect(found, why).not.toBeNull()
      expect(toHex(found!.id!), why).toBe(toHex(victim.id))
      for (const n of found!.nodes) expect(honest.get(`${n.host}:${n.port}`), `${why}: _find_node returned ${n.host}:${n.port}`).toBe(n.id)
      const client = new HyperDHT({ bootstrap: [`${testnetHost(0)}:${nodes[0]!.address().port}`] })
      try {
        await client.listen(0, testnetHost(NODES + 1))
        await client.ready()
        const pong = await client.dht.ping(victim.address())
        expect(toHex(pong.node.id!), why).toBe(toHex(victim.id))
        const fromVictim = []
        for await (const r of client.lookup(key)) if (r.node.host === victim.address().host) fromVictim.push(...r.peers)
        expect(fromVictim, why).toEqual([{ host: testnetHost(2), port: announcedPort }])
        expect(toHex((await client.immutableGet(sha256(value)))!.value), why).toBe(toHex(value))
        const got = await client.mutableGet(record.publicKey, { salt: record.salt! })
        expect(got?.seq, why).toBe(record.seq)
        expect(toHex(got!.value), why).toBe(toHex(record.value))
      } finally {
        await client.destroy()
      }
    })
  }, config.timeoutMs)
})
