// Faults (issue 10, item 8): loss, reordering, duplication, nodes that answer slowly or never.
// Queries and updates must finish: with results where the network still allows it, else with a
// typed DHTError; no unhandled rejection; destroy() during a query is clean and leaves no timer
// or socket behind. Every node has its own address (testnetHost), the diversity limits stay on.
import { resourceCensus, seededRandom } from '@hyperdht-ts/test-utils'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DHT, DHTError, type Query, type QueryResult } from '../../src/index.js'
import { createTestnet, type Testnet } from '../../src/testnet.js'
import { hex, randomId } from '../helpers.js'

const unhandled: unknown[] = []
const onUnhandled = (err: unknown): void => { unhandled.push(err) }
beforeAll(() => { process.on('unhandledRejection', onUnhandled) })
afterAll(() => { process.off('unhandledRejection', onUnhandled) })
afterEach(() => {
  expect(unhandled).toEqual([])
  unhandled.length = 0
})

interface Outcome { results: QueryResult[], error: DHTError | null, query: Query }

/** Runs a query to its end; anything but a DHTError fails the test. */
async function settle (query: Query): Promise<Outcome> {
  try {
    return { results: await query.toArray(), error: null, query }
  } catch (err) {
    if (!DHTError.isInstance(err)) throw err
    return { results: [], error: err, query }
  }
}

/** A random live node other than `not`. */
function pick (net: Testnet, random: () => number, ...not: DHT[]): DHT {
  for (;;) {
    const n = net.nodes[1 + Math.floor(random() * (net.nodes.length - 1))]!
    if (!not.includes(n)) return n
  }
}

/** An `echo` command on every node: queries answer their value, updates are counted. */
function echo (net: Testnet): { updates: number } {
  const counter = { updates: 0 }
  for (const n of net.nodes) {
    n.command('echo', {
      query: (q) => q.value,
      update: (q) => { counter.updates++; return q.value }
    })
  }
  return counter
}

describe.each([0.1, 0.3])('%s loss', (loss) => {
  let net: Testnet
  const random = seededRandom(Math.round(loss * 100))

  beforeAll(async () => {
    // A short request timeout keeps the test quick; loss is what is being tested, not the timeout.
    net = await createTestnet(40, { timeout: 300, memory: { latency: [1, 10], loss, random } })
  }, 60_000)
  afterAll(async () => { await net?.destroy() })

  it('queries and updates finish; most succeed; the others fail with a typed error', async () => {
    const counter = echo(net)
    const queries = await Promise.all(Array.from({ length: 12 }, async () => {
      const node = pick(net, random)
      const table = node.toArray().length // when the query starts (it learns more while others run)
      return { ...await settle(node.query({ command: 'echo', target: randomId(), value: new Uint8Array([1]) })), table }
    }))
    for (const q of queries) {
      if (q.error !== null) expect(q.error.code).toMatch(/^NO_(CLOSE_)?NODES_RESPONDED$/)
      else expect(q.results.length).toBeGreaterThan(0)
      // every result is an answer to this query. (Not always from distinct nodes under loss: a
      // failed node leaves the k closest, an answered node pushed out of them earlier comes back
      // in from another answer and is asked again. Reported to the core; see the reorder test for
      // uniqueness where nothing fails.)
      for (const r of q.results) expect(r.value).toEqual(new Uint8Array([1]))
    }
    // Every node that knows a few others finds answers. A node that joined under loss may know
    // nobody: its query asks only the bootstrap node, once, and fails when that datagram is lost
    // (issue 11, goal 6; reported to the core: retry bootstrap requests).
    for (const q of queries) {
      const about = `a node with ${q.table} contacts: ${q.error?.code ?? 'no error'}, ${q.query.requests} requests, ${q.query.responses} responses`
      if (q.table >= 3) expect(q.results.length, about).toBeGreaterThan(0)
    }
    expect(queries.filter((q) => q.table >= 3).length).toBeGreaterThanOrEqual(4) // the check above had work to do
    if (loss < 0.2) expect(queries.filter((q) => q.results.length > 0).length).toBeGreaterThanOrEqual(11)

    const updates = await Promise.all(Array.from({ length: 6 }, async () => {
      const node = pick(net, random)
      const table = node.toArray().length
      try {
        return { table, committed: (await node.update({ command: 'echo', target: randomId(), value: new Uint8Array([2]) })).length, error: 'no error' }
      } catch (err) {
        expect(DHTError.isInstance(err)).toBe(true)
        expect((err as DHTError).code).toMatch(/^NO_(CLOSE_)?NODES_RESPONDED$/)
        return { table, committed: 0, error: `${(err as DHTError).code} (${String((err as DHTError).cause)})` }
      }
    }))
    for (const u of updates) if (u.table >= 3) expect(u.committed, `an update from a node with ${u.table} contacts: ${u.error}`).toBeGreaterThan(0)
    expect(counter.updates).toBeGreaterThan(0)
    // the loss was real
    expect(net.network!.stats.lost).toBeGreaterThan(net.network!.stats.sent * loss * 0.5)
  }, 30_000)

  it('a ping either answers or fails with REQUEST_TIMEOUT', async () => {
    const a = pick(net, random)
    const outcomes = await Promise.all(net.nodes.slice(1).filter((n) => n !== a).map(async (n) => {
      try {
        await a.ping({ host: n.address().host, port: n.address().port })
        return 'ok'
      } catch (err) {
        expect(DHTError.isInstance(err)).toBe(true)
        return (err as DHTError).code
      }
    }))
    for (const o of outcomes) expect(['ok', 'REQUEST_TIMEOUT']).toContain(o)
    // One try each: a ping is answered when neither datagram is lost, (1 - loss)^2 of them on
    // average (0.49 at 30% loss). More than a third of that fails once in 50,000 runs at 38 pings
    // (with 19 pings and a quarter of all, once in 80 runs: it failed in a loaded run).
    const expected = outcomes.length * (1 - loss) ** 2
    expect(outcomes.filter((o) => o === 'ok').length).toBeGreaterThan(expected / 3)
  })
})

describe('reordered and duplicated datagrams', () => {
  let net: Testnet
  const random = seededRandom(5)

  beforeAll(async () => {
    net = await createTestnet(30, { memory: { latency: [1, 20], reorder: 0.3, reorderDelay: [5, 60], duplicate: 0.3, random } })
  }, 60_000)
  afterAll(async () => { await net?.destroy() })

  it('queries give one result per node and each answer matches its request', async () => {
    echo(net)
    for (let i = 0; i < 6; i++) {
      const value = new Uint8Array([i])
      const q = await settle(pick(net, random).query({ command: 'echo', target: randomId(), value }))
      expect(q.error).toBeNull()
      expect(q.results.length).toBeGreaterThan(0)
      expect(new Set(q.results.map((r) => hex(r.node.id))).size).toBe(q.results.length)
      for (const r of q.results) expect(r.value).toEqual(value)
      // duplicated answers were not counted twice
      expect(q.query.responses).toBeLessThanOrEqual(q.query.requests)
    }
    expect(net.network!.stats.duplicated).toBeGreaterThan(0)
    expect(net.network!.stats.reordered).toBeGreaterThan(0)
    // the second copy of an answer matches no pending request any more: dropped and counted
    const unmatched = net.nodes.reduce((sum, n) => sum + n.stats.dropped.unmatched, 0)
    expect(unmatched).toBeGreaterThan(0)
  })

  it('updates commit to the closest nodes, duplicates or not', async () => {
    const counter = echo(net)
    const res = await pick(net, random).update({ command: 'echo', target: randomId(), value: new Uint8Array([9]) })
    expect(res.length).toBeGreaterThan(0)
    expect(new Set(res.map((r) => hex(r.node.id))).size).toBe(res.length)
    // a duplicated commit may run the handler twice (UDP: handlers must be idempotent), never less
    expect(counter.updates).toBeGreaterThanOrEqual(res.length)
  })
})

describe('nodes that answer slowly or never', () => {
  let net: Testnet
  const random = seededRandom(11)

  beforeAll(async () => {
    // The default timeout (about 1.25 s): a starved event loop in a loaded CI must not make a
    // healthy node look silent, since the first test checks who failed.
    net = await createTestnet(30, { memory: { latency: [1, 5], random } })
  }, 60_000)
  afterAll(async () => { await net?.destroy() })
  afterEach(() => { net.network!.clearFaults() })

  it('a query goes around silent and too slow nodes: each fails with REQUEST_TIMEOUT, the query succeeds', async () => {
    echo(net)
    const querier = net.nodes[1]!
    const faulty = net.nodes.slice(2, 14)
    faulty.forEach((n, i) => {
      // four never answer (one of them does not even hear), four answer after the timeout, four are slow but in time
      const fault = i < 3 ? { drop: 'out' as const } : i < 4 ? { drop: true } : i < 8 ? { delay: [1600, 2400] as [number, number] } : { delay: 100 }
      net.network!.setFault(n.address().host, fault)
    })
    const failures: DHTError[] = []
    const answered = new Set<string>()
    for (let i = 0; i < 5; i++) {
      // Without the holepunch retry: after a failed holepunch the error names the referrer, not
      // the silent node (reported to the core), and this test checks who failed.
      const query = querier.query({ command: 'echo', target: randomId(), value: new Uint8Array([1]) }, { holepunching: false })
      query.on('request-failed', (err) => failures.push(err))
      const q = await settle(query)
      expect(q.error).toBeNull()
      expect(q.results.length).toBeGreaterThan(0)
      for (const r of q.results) answered.add(r.node.host)
    }
    for (const err of failures) {
      expect(DHTError.isInstance(err)).toBe(true)
      expect(err.code).toBe('REQUEST_TIMEOUT')
      expect(faulty.slice(0, 8).map((n) => n.address().host)).toContain(err.peer?.host)
    }
    // silent and too-slow nodes never count as answers; the slow-but-in-time ones do when asked
    for (const n of faulty.slice(0, 8)) expect(answered.has(n.address().host)).toBe(false)
    expect(net.network!.stats.dropped + net.network!.stats.delayed).toBeGreaterThan(0)
  }, 30_000)

  it('asking only silent nodes ends with NO_NODES_RESPONDED, each node\'s REQUEST_TIMEOUT as cause', async () => {
    const querier = net.nodes[1]!
    const silent = net.nodes.slice(2, 6)
    for (const n of silent) net.network!.setFault(n.address().host, { drop: true })
    const nodes = silent.map((n) => ({ host: n.address().host, port: n.address().port }))
    const q = await settle(querier.query({ command: 'echo', target: randomId() }, { nodes }))
    expect(q.error?.code).toBe('NO_NODES_RESPONDED')
    const causes = (q.error?.cause as AggregateError).errors as DHTError[]
    expect(causes.map((e) => e.code)).toEqual(silent.map(() => 'REQUEST_TIMEOUT'))
    await expect(querier.update({ command: 'echo', target: randomId() }, { nodes })).rejects.toMatchObject({ code: 'NO_NODES_RESPONDED' })
    await expect(querier.ping(nodes[0]!)).rejects.toMatchObject({ code: 'REQUEST_TIMEOUT' })
  }, 30_000)

  it('a node cut off from everyone: its walks end with NO_NODES_RESPONDED', async () => {
    const querier = net.nodes[1]!
    for (const n of net.nodes) if (n !== querier) net.network!.setFault(n.address().host, { drop: true })
    const q = await settle(querier.query({ command: 'echo', target: randomId() }))
    expect(q.error?.code).toBe('NO_NODES_RESPONDED')
    await expect(querier.update({ command: 'echo', target: randomId() })).rejects.toMatchObject({ code: 'NO_NODES_RESPONDED' })
  }, 30_000)
})

describe('destroy() during a query', () => {
  it('on the in-memory network: the query ends with DESTROYED, no timer is left', async () => {
    const census = resourceCensus()
    try {
      const net = await createTestnet(15, { memory: { latency: [5, 20], random: seededRandom(3) } })
      const node = net.nodes[3]!
      // some peers never answer, so requests are pending when destroy() comes
      for (const n of net.nodes.slice(5, 10)) net.network!.setFault(n.address().host, { drop: true })
      const query = node.query({ command: '_find_node', target: randomId() })
      const update = node.update({ command: '_find_node', target: randomId() }).then(() => null, (err: unknown) => err)
      const idle = node.query({ command: '_find_node', target: randomId() }) // never iterated
      let seen = 0
      const iterated = (async () => {
        for await (const _ of query) {
          if (++seen === 1) void node.destroy()
        }
      })().then(() => null, (err: unknown) => err)
      const err = await iterated
      expect(DHTError.isInstance(err)).toBe(true)
      expect((err as DHTError).code).toBe('DESTROYED')
      expect(seen).toBeGreaterThanOrEqual(1) // results that had arrived are still handed out first
      expect((await update as DHTError).code).toBe('DESTROYED')
      await expect(idle.toArray()).rejects.toMatchObject({ code: 'DESTROYED' })
      await node.destroy() // idempotent
      await net.destroy()
      expect(net.network!.inflight).toBe(0)
      expect(net.network!.size).toBe(0)
      expect(await census.settle()).toEqual({})
    } finally {
      census.disable()
    }
  }, 30_000)

  it('on loopback UDP: the query ends with DESTROYED, no timer or socket is left', async () => {
    const census = resourceCensus()
    try {
      const net = await createTestnet(6)
      const node = new DHT({ bootstrap: net.bootstrap })
      await node.ready()
      expect(census.live().UDPWRAP).toBe(7)
      // one node nobody answers for: a request stays pending until destroy()
      const query = node.query({ command: '_find_node', target: randomId() }, {
        nodes: [...net.nodes.map((n) => ({ host: n.address().host, port: n.address().port })), { host: '127.0.0.1', port: 9 }]
      })
      const done = query.toArray().then(() => null, (err: unknown) => err)
      await new Promise((resolve) => setTimeout(resolve, 50))
      await Promise.all([node.destroy(), net.destroy()])
      expect((await done as DHTError).code).toBe('DESTROYED')
      expect(await census.settle()).toEqual({})
    } finally {
      census.disable()
    }
  }, 30_000)
})
