// Unit tests of the query core against a scripted world: each node of the world answers with the
// nodes it knows, or fails as the test says, through a QueryContext with no sockets.
import { compareDistance } from '@hyperdht-ts/kbucket'
import { describe, expect, it } from 'vitest'
import { FIND_NODE, K } from '../constants.js'
import { DHTError } from '../errors.js'
import { AddressCodec } from '../messages/addresses.js'
import type { RequestMessage, ResponseMessage } from '../messages/codec.js'
import { RoutingTable } from '../routing/table.js'
import type { Node, Peer, QueryResult } from '../types.js'
import { Query, type QueryContext } from './query.js'

/** A 32-byte id: `b0`, `b1`, then zeros. */
function id (b0: number, b1 = 0): Uint8Array {
  const out = new Uint8Array(32)
  out[0] = b0
  out[1] = b1
  return out
}

const codec = new AddressCodec(4)
const SELF = id(0, 0)

type Behaviour = 'answer' | 'timeout' | 'hang'

interface WorldNode extends Node {
  knows: Node[]
  behaviour: Behaviour
  token: Uint8Array
}

interface Sent {
  to: string
  msg: RequestMessage
}

/** A scripted network of `count` nodes with ids `id(0x80 + i)`, each knowing every other. */
class World {
  nodes: WorldNode[] = []
  sent: Sent[] = []
  inflight = 0
  maxInflight = 0
  holepunches: Array<{ to: string, referrer: string }> = []
  destroyed = false
  userQueries = 0
  table = new RoutingTable(SELF)
  #hanging: Array<() => void> = []

  constructor (count: number) {
    for (let i = 0; i < count; i++) {
      // a /16 of its own each: the table's diversity limits never get in the way
      this.nodes.push({ id: id(0x80 + i), host: `10.${i}.0.1`, port: 1000 + i, knows: [], behaviour: 'answer', token: id(0xaa, i) })
    }
    for (const n of this.nodes) n.knows = this.nodes.filter((m) => m !== n)
  }

  byHost (host: string): WorldNode {
    return this.nodes.find((n) => n.host === host)!
  }

  /** Releases every hanging request with a timeout. */
  releaseHanging (): void {
    for (const fn of this.#hanging.splice(0)) fn()
  }

  context (overrides: Partial<QueryContext> = {}): QueryContext {
    const world = this
    return {
      id: SELF,
      queryId: SELF,
      concurrency: 16,
      get destroyed () { return world.destroyed },
      get userQueries () { return world.userQueries },
      table: this.table,
      codec,
      bootstrapPeers: async () => [],
      request: (msg, to, signal) => this.#request(msg, to, signal),
      holepunch: async (to, referrer) => { this.holepunches.push({ to: to.host, referrer: referrer.host }) },
      shouldHolepunch: () => true,
      requestFailed: () => {},
      queryStarted: () => {},
      queryEnded: () => {},
      ...overrides
    }
  }

  async #request (msg: RequestMessage, to: Peer, signal: AbortSignal): Promise<{ value: ResponseMessage, peer: Peer }> {
    this.sent.push({ to: to.host, msg })
    const node = this.byHost(to.host)
    this.inflight++
    this.maxInflight = Math.max(this.maxInflight, this.inflight)
    try {
      await new Promise<void>((resolve, reject) => {
        const timeout = (): void => reject(DHTError.REQUEST_TIMEOUT(undefined, { host: to.host, port: to.port }))
        signal.addEventListener('abort', () => reject(DHTError.ABORTED()), { once: true })
        if (node.behaviour === 'answer') setImmediate(resolve)
        else if (node.behaviour === 'timeout') setImmediate(timeout)
        else this.#hanging.push(timeout)
      })
    } finally {
      this.inflight--
    }
    // a few more than k, so that the nodes behind failed ones are named too
    const closest = [...node.knows].sort((a, b) => compareDistance(msg.target!, a.id, b.id)).slice(0, K + 5)
    return {
      value: { id: node.id, nodes: codec.encodeNodes(closest), roundtripToken: node.token, value: msg.value ?? null },
      peer: { host: node.host, port: node.port }
    }
  }
}

/** Puts `count` nodes of the world in our table: the last ones (far from the targets used here). */
function seed (world: World, count = 3): void {
  for (const n of world.nodes.slice(-count)) world.table.add(n.id, n, 0)
}

const byText = (a: string, b: string): number => a < b ? -1 : a > b ? 1 : 0
const hosts = (nodes: Array<{ host: string }>): string[] => nodes.map((n) => n.host).sort(byText)

function closestTo (world: World, target: Uint8Array, exclude: WorldNode[] = []): WorldNode[] {
  return world.nodes.filter((n) => !exclude.includes(n)).sort((a, b) => compareDistance(target, a.id, b.id)).slice(0, K)
}

describe('Query', () => {
  it('walks to the k closest nodes and yields every response', async () => {
    const world = new World(60)
    seed(world)
    const target = id(0xc0)
    const results = await new Query(world.context(), { command: FIND_NODE, target }).toArray()
    const answered = new Set(results.map((r) => r.node.host))
    for (const n of closestTo(world, target)) expect(answered.has(n.host)).toBe(true)
  })

  it('commits to exactly the k closest nodes that answered, each with its own token', async () => {
    const world = new World(60)
    seed(world)
    const target = id(0xc0)
    const dead = closestTo(world, target).slice(0, 3)
    for (const n of dead) n.behaviour = 'timeout'
    const q = new Query(world.context(), { command: 'put', target, value: Uint8Array.of(1) }, { commit: true, holepunching: false })
    const commits = await q.toArray()
    const committed = world.sent.filter((s) => s.msg.roundtripToken != null)
    // the three dead nodes gave up their places to the next three
    expect(hosts(committed.map((s) => ({ host: s.to })))).toEqual(hosts(closestTo(world, target, dead)))
    for (const s of committed) expect(s.msg.roundtripToken).toEqual(world.byHost(s.to).token)
    expect(hosts(commits.map((r) => r.node))).toEqual(hosts(closestTo(world, target, dead)))
    expect(q.commits).toBe(K)
  })

  it('a failed node is not taken in again when other nodes list it', async () => {
    const world = new World(40)
    seed(world)
    const target = id(0xa0)
    const dead = closestTo(world, target)[0]!
    dead.behaviour = 'timeout'
    const q = new Query(world.context(), { command: FIND_NODE, target }, { holepunching: false })
    await q.toArray()
    expect(world.sent.filter((s) => s.to === dead.host)).toHaveLength(1)
    expect(q.errors).toBe(1)
  })

  it('asks a node once: one pushed out of the k closest and referred again after failures is not asked again', async () => {
    const world = new World(26) // every node names all others: the far seeds keep being referred
    seed(world, 3)
    const target = id(0x81)
    for (const n of closestTo(world, target).slice(0, 8)) n.behaviour = 'timeout'
    await new Query(world.context(), { command: FIND_NODE, target }, { holepunching: false }).toArray()
    const asked = new Map<string, number>()
    for (const s of world.sent) asked.set(s.to, (asked.get(s.to) ?? 0) + 1)
    expect([...asked.values()].every((n) => n === 1)).toBe(true)
    expect(asked.size).toBe(26)
  })

  it('names the silent node, not its referrer, when the holepunch for it fails', async () => {
    const world = new World(30)
    seed(world, 1)
    const target = id(0xb0)
    const silent = closestTo(world, target)[0]!
    silent.behaviour = 'timeout'
    const failed: DHTError[] = []
    const ctx = world.context({ holepunch: async (to, referrer) => { throw DHTError.REQUEST_TIMEOUT(undefined, referrer) } })
    const q = new Query(ctx, { command: FIND_NODE, target })
    q.on('request-failed', (err) => failed.push(err))
    await q.toArray()
    const forSilent = failed.filter((e) => e.peer?.host === silent.host)
    expect(forSilent).toHaveLength(1)
    expect(forSilent[0]!.code).toBe('REQUEST_TIMEOUT')
    expect((forSilent[0]!.cause as DHTError).peer?.host).not.toBe(silent.host) // the referrer's error, as the cause
    expect(failed.filter((e) => e.peer?.host !== silent.host)).toHaveLength(0)
  })

  it('keeps at most two nodes of one /24 and ten of one /16 among the k closest, closest first', async () => {
    const world = new World(40)
    // the 12 nodes closest to the target share one /24: Sybils answering with one another
    const target = id(0x81)
    const sybils = closestTo(world, target).slice(0, 12)
    sybils.forEach((n, i) => { n.host = `10.200.0.${i + 1}` })
    seed(world, 3)
    const results = await new Query(world.context(), { command: FIND_NODE, target }).toArray()
    const answered = results.map((r) => r.node.host)
    expect(answered.filter((h) => h.startsWith('10.200.0.')).length).toBeLessThanOrEqual(2)
    // the two kept are the closest two of them
    expect(hosts(answered.filter((h) => h.startsWith('10.200.0.')).map((host) => ({ host })))).toEqual(hosts(sybils.slice(0, 2)))
    // the honest nodes the answers named (each names its 25 closest: 12 of them are the /24) were all asked
    for (const n of closestTo(world, target, sybils).slice(0, 13)) expect(answered).toContain(n.host)
  })

  it('never has more than `concurrency` requests in flight', async () => {
    const world = new World(80)
    seed(world, 20)
    await new Query(world.context(), { command: FIND_NODE, target: id(0x81) }, { concurrency: 3 }).toArray()
    expect(world.maxInflight).toBe(3)
    expect(world.sent.length).toBeGreaterThan(20)
  })

  describe('alpha: a walk far from the target asks a few nodes at a time', () => {
    /**
     * The world's nodes (ids 0x80..) plus k nodes next to our own id, which fill our table's
     * nearest places: our k-th closest is id(0, 20), so the close range is id(0, 30).
     */
    function nearWorld (): World {
      const world = new World(40)
      const near: WorldNode[] = Array.from({ length: K }, (_, i) => ({ id: id(0, i + 1), host: `10.${100 + i}.0.1`, port: 1, knows: [], behaviour: 'answer', token: id(0xab, i) }))
      world.nodes.push(...near)
      for (const n of world.nodes) n.knows = world.nodes.filter((m) => m !== n)
      for (const n of near) world.table.add(n.id, n, 0)
      seed(world, 3 + K) // and three far ones
      return world
    }
    const settle = async (): Promise<void> => { for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve)) }

    it('asks alpha at a time while its candidates are out of range and the closest have not answered', async () => {
      for (const [alpha, expected] of [[undefined, 3], [2, 2], [16, 16]] as const) {
        const world = nearWorld()
        for (const n of world.nodes) n.behaviour = 'hang'
        const q = new Query(world.context(), { command: FIND_NODE, target: id(0xc0) }, { alpha, holepunching: false })
        const done = q.toArray().catch(() => {})
        await settle()
        expect(world.inflight).toBe(expected)
        q.destroy()
        await done
      }
    })

    it('asks candidates in range at once', async () => {
      const world = nearWorld()
      for (const n of world.nodes) n.behaviour = 'hang'
      const q = new Query(world.context(), { command: FIND_NODE, target: id(0, 5) }, { holepunching: false })
      const done = q.toArray().catch(() => {})
      await settle()
      expect(world.inflight).toBe(16)
      q.destroy()
      await done
    })

    it('widens once the closest nodes answered, reaches the k closest with fewer requests', async () => {
      const target = id(0xc0)
      const sent: Record<string, number> = {}
      for (const alpha of [3, 16]) {
        const world = nearWorld()
        const results = await new Query(world.context(), { command: FIND_NODE, target }, { alpha }).toArray()
        const answered = new Set(results.map((r) => r.node.host))
        for (const n of closestTo(world, target)) expect(answered.has(n.host)).toBe(true)
        sent[alpha] = world.sent.length
        if (alpha === 3) expect(world.maxInflight).toBeGreaterThan(3) // the rest of the k closest went out together
      }
      expect(sent[3]).toBeLessThan(sent[16]!)
    })

    it('rejects an alpha that is not a positive integer', () => {
      const world = new World(3)
      expect(() => new Query(world.context(), { command: FIND_NODE, target: id(0xc0) }, { alpha: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
    })
  })

  it('a background query runs at reduced concurrency while user queries run', async () => {
    const world = new World(80)
    seed(world, 20)
    world.userQueries = 1
    await new Query(world.context(), { command: FIND_NODE, target: id(0xf0) }, { concurrency: 16, background: true }).toArray()
    expect(world.maxInflight).toBe(2)
  })

  it('punches through the referrer and retries once, unless holepunching is false', async () => {
    for (const holepunching of [true, false]) {
      const world = new World(30)
      seed(world, 1)
      const target = id(0xb0)
      const silent = closestTo(world, target)[0]!
      silent.behaviour = 'timeout'
      await new Query(world.context(), { command: FIND_NODE, target }, { holepunching }).toArray()
      expect(world.holepunches.length).toBe(holepunching ? 1 : 0)
      expect(world.sent.filter((s) => s.to === silent.host)).toHaveLength(holepunching ? 2 : 1)
      if (holepunching) expect(world.holepunches[0]!.to).toBe(silent.host)
    }
  })

  it('does not punch where the context says nothing suggests a NAT', async () => {
    const world = new World(30)
    seed(world, 1)
    const target = id(0xb0)
    closestTo(world, target)[0]!.behaviour = 'timeout'
    await new Query(world.context({ shouldHolepunch: () => false }), { command: FIND_NODE, target }).toArray()
    expect(world.holepunches).toHaveLength(0)
  })

  it('reports each failed node as an event naming it, and every error in NO_NODES_RESPONDED', async () => {
    const world = new World(5)
    seed(world, 5)
    for (const n of world.nodes) n.behaviour = 'timeout'
    const q = new Query(world.context(), { command: FIND_NODE, target: id(0x90) }, { holepunching: false })
    const failed: string[] = []
    q.on('request-failed', (err) => failed.push(`${err.code} ${err.peer?.host ?? '?'}`))
    const err = await q.toArray().then(() => null, (e: unknown) => e)
    expect(err).toMatchObject({ code: 'NO_NODES_RESPONDED' })
    const cause = (err as DHTError).cause as AggregateError
    expect(cause.errors.map((e: DHTError) => e.peer?.host ?? '').sort(byText)).toEqual(hosts(world.nodes))
    expect(failed.sort(byText)).toEqual(world.nodes.map((n) => `REQUEST_TIMEOUT ${n.host}`).sort(byText))
  })

  it('a throwing map ends the query with QUERY_FAILED and cancels its requests', async () => {
    const world = new World(40)
    seed(world, 5)
    world.nodes[7]!.behaviour = 'hang'
    let ended = 0
    const boom = new Error('boom')
    const q = new Query<number>(world.context({ queryEnded: () => { ended++ } }), { command: FIND_NODE, target: id(0x87) }, {
      map: (r: QueryResult) => { if (r.node.host === world.nodes[3]!.host) throw boom; return r.node.port }
    })
    const err = await q.toArray().then(() => null, (e: unknown) => e)
    expect(err).toMatchObject({ code: 'QUERY_FAILED', cause: boom })
    expect(q.ended).toBe(true)
    expect(ended).toBe(1)
    await new Promise((resolve) => setImmediate(resolve))
    expect(world.inflight).toBe(0) // the hanging request was aborted
  })

  it('a map that drops every result still ends normally, with nothing yielded', async () => {
    const world = new World(10)
    seed(world, 3)
    const q = new Query(world.context(), { command: FIND_NODE, target: id(0x85) }, { map: () => null })
    expect(await q.toArray()).toEqual([])
    expect(q.responses).toBeGreaterThanOrEqual(10)
  })

  it('runs once: a second iterator is ALREADY_ITERATED, during and after the first', async () => {
    const world = new World(10)
    seed(world, 3)
    const q = new Query(world.context(), { command: FIND_NODE, target: id(0x85) })
    const first = q[Symbol.asyncIterator]()
    expect(() => q[Symbol.asyncIterator]()).toThrow(expect.objectContaining({ code: 'ALREADY_ITERATED' }))
    let n = 0
    while (!(await first.next()).done) n++
    expect(n).toBeGreaterThan(0)
    await expect(q.toArray()).rejects.toMatchObject({ code: 'ALREADY_ITERATED' })
  })

  it('a query created before the DHT was destroyed and iterated after fails with DESTROYED', async () => {
    const world = new World(10)
    seed(world, 3)
    const q = new Query(world.context(), { command: FIND_NODE, target: id(0x85) })
    world.destroyed = true
    await expect(q.toArray()).rejects.toMatchObject({ code: 'DESTROYED' })
    expect(world.sent).toHaveLength(0)
  })

  it('destroy() during a query ends it with that error and cancels its requests', async () => {
    const world = new World(30)
    seed(world, 3)
    for (const n of world.nodes.slice(0, -3)) n.behaviour = 'hang'
    const q = new Query(world.context(), { command: FIND_NODE, target: id(0x99) })
    const done = q.toArray().then(() => null, (e: unknown) => e)
    while (world.inflight < 3) await new Promise((resolve) => setImmediate(resolve))
    q.destroy(DHTError.DESTROYED())
    expect(await done).toMatchObject({ code: 'DESTROYED' })
    await new Promise((resolve) => setImmediate(resolve))
    expect(world.inflight).toBe(0)
  })

  it('breaking out of for await stops the query', async () => {
    const world = new World(30)
    seed(world, 3)
    for (const n of world.nodes.slice(0, -3)) n.behaviour = 'hang'
    const q = new Query(world.context(), { command: FIND_NODE, target: id(0x99) })
    for await (const _ of q) break
    expect(q.ended).toBe(true)
    await new Promise((resolve) => setImmediate(resolve))
    expect(world.inflight).toBe(0)
  })

  it('an aborted signal ends it with ABORTED', async () => {
    const world = new World(30)
    seed(world, 3)
    for (const n of world.nodes.slice(0, -3)) n.behaviour = 'hang'
    const ac = new AbortController()
    const q = new Query(world.context(), { command: FIND_NODE, target: id(0x99) }, { signal: ac.signal })
    const done = q.toArray().then(() => null, (e: unknown) => e)
    while (world.inflight < 3) await new Promise((resolve) => setImmediate(resolve))
    ac.abort(new Error('stop'))
    expect(await done).toMatchObject({ code: 'ABORTED' })
    world.releaseHanging()
  })

  describe('overdue requests: a walk does not wait out the timeout of a node that went silent', () => {
    /**
     * The round-trip estimate of the tests with one silent node: far past an answer here (one
     * turn of the event loop), so that only the silent node goes overdue, also on a loaded
     * machine (at 5 ms a live node held up that long went overdue too, and could be left behind).
     */
    const OVERDUE_MS = 40

    /** A 40-node world whose closest node to the target hangs (a vanished node: only its timeout would end its request). */
    function silentClosest (): { world: World, target: Uint8Array, silent: WorldNode } {
      const world = new World(40)
      seed(world)
      const target = id(0xa0)
      const silent = closestTo(world, target)[0]!
      silent.behaviour = 'hang'
      return { world, target, silent }
    }

    it('a lookup ends without the overdue node, with the closest that answered, and reports it', async () => {
      const { world, target, silent } = silentClosest()
      const overdue: string[] = []
      const ctx = world.context({ overdueAfter: () => OVERDUE_MS, requestOverdue: (c) => overdue.push(c.host) })
      const q = new Query(ctx, { command: FIND_NODE, target }, { holepunching: false })
      const results = await q.toArray() // the hanging request is never released: only the overdue rule ends the walk
      // the k - 1 closest live ones: every answer came before the silent node went overdue, so
      // none named the next one after it (as when a node fails)
      const answered = hosts(results.map((r) => r.node))
      for (const n of closestTo(world, target, [silent]).slice(0, K - 1)) expect(answered).toContain(n.host)
      expect(results.some((r) => r.node.host === silent.host)).toBe(false)
      expect(q.overdue).toBe(1)
      expect(q.errors).toBe(0)
      expect(overdue).toEqual([silent.host])
      await new Promise((resolve) => setImmediate(resolve))
      expect(world.inflight).toBe(0) // its request was cancelled with the query
    })

    it('an overdue request gives its place in the window: a walk of concurrency 1 goes on', async () => {
      const { world, target, silent } = silentClosest()
      const ctx = world.context({ overdueAfter: () => OVERDUE_MS })
      const results = await new Query(ctx, { command: FIND_NODE, target }, { concurrency: 1, holepunching: false }).toArray()
      expect(results.length).toBeGreaterThanOrEqual(K - 1)
      expect(world.sent.filter((s) => s.to === silent.host)).toHaveLength(1)
    })

    it('without a round-trip estimate (overdueAfter null) the walk waits for the request to end', async () => {
      const { world, target } = silentClosest()
      const q = new Query(world.context({ overdueAfter: () => null }), { command: FIND_NODE, target }, { holepunching: false })
      const done = q.toArray()
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(q.ended).toBe(false)
      world.releaseHanging()
      await done
      expect(q.overdue).toBe(0)
      expect(q.errors).toBe(1)
    })

    it('a walk whose requests are nearly all overdue waits for them: the round-trip estimate does not fit them', async () => {
      // every node answers after 30 ms, six times what the estimate says (a longer path than the
      // one it was measured on)
      const world = new World(40)
      seed(world)
      const base = world.context()
      let inflight = 0
      let maxInflight = 0
      const ctx = world.context({
        overdueAfter: () => 5,
        request: async (msg, to, signal, bootstrap) => {
          maxInflight = Math.max(maxInflight, ++inflight)
          try {
            await new Promise((resolve) => setTimeout(resolve, 30))
            return await base.request(msg, to, signal, bootstrap)
          } finally {
            inflight--
          }
        }
      })
      const q = new Query(ctx, { command: FIND_NODE, target: id(0xa0) }, { holepunching: false })
      const results = await q.toArray()
      expect(hosts(results.map((r) => r.node))).toEqual(expect.arrayContaining(hosts(closestTo(world, id(0xa0)))))
      expect(q.errors).toBe(0)
      // each answer lets the walk give up one overdue request, no more: the window holds
      expect(maxInflight).toBeLessThanOrEqual(16 + q.responses)
    })

    it('a walk held up by its own event loop counts the answers that came meanwhile before judging', async () => {
      const world = new World(40)
      seed(world)
      const base = world.context()
      let stalled = false
      const ctx = world.context({
        overdueAfter: () => 20, // answers take 10 ms: none is overdue unless the loop stalls
        request: async (msg, to, signal, bootstrap) => {
          if (!stalled) {
            stalled = true
            // once this round of sends is out, our event loop is held up for 30 ms (a long task)
            queueMicrotask(() => { const until = Date.now() + 30; while (Date.now() < until); })
          }
          // the answer is there 10 ms after the request: during the stall, for the first round
          await new Promise((resolve) => setTimeout(resolve, 10))
          return await base.request(msg, to, signal, bootstrap)
        }
      })
      const q = new Query(ctx, { command: FIND_NODE, target: id(0xa0) }, { holepunching: false })
      await q.toArray()
      expect(q.requests).toBeGreaterThan(0)
      expect(q.overdue).toBe(0)
    })

    it('an update walks on without an overdue node and commits to the closest that answered', async () => {
      const { world, target, silent } = silentClosest()
      const overdue: string[] = []
      const ctx = world.context({ overdueAfter: () => OVERDUE_MS, requestOverdue: (c) => overdue.push(c.host) })
      const q = new Query(ctx, { command: 'put', target, value: Uint8Array.of(1) }, { commit: true, holepunching: false })
      const commits = await q.toArray() // the hanging request is never released: only the overdue rule ends the walk
      const committed = hosts(world.sent.filter((s) => s.msg.roundtripToken != null).map((s) => ({ host: s.to })))
      expect(committed).not.toContain(silent.host)
      for (const n of closestTo(world, target, [silent]).slice(0, K - 1)) expect(committed).toContain(n.host)
      expect(hosts(commits.map((r) => r.node))).toEqual(committed)
      expect(q.commits).toBe(committed.length)
      expect(q.overdue).toBe(1)
      expect(overdue).toEqual([silent.host])
      await new Promise((resolve) => setImmediate(resolve))
      expect(world.inflight).toBe(0) // the walk's request to it was cancelled when the commits started
    })

    it('a walk answer that comes while the commits run is not a commit', async () => {
      const { world, target, silent } = silentClosest()
      silent.behaviour = 'answer'
      const base = world.context()
      const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }
      let lateAnswers = 0
      const ctx = world.context({
        overdueAfter: () => 5,
        request: async (msg, to, signal, bootstrap) => {
          if (msg.roundtripToken != null) { // a commit: slow, so that the late walk answer comes while they run
            await sleep(60)
            return await base.request(msg, to, signal, bootstrap)
          }
          if (to.host !== silent.host) return await base.request(msg, to, signal, bootstrap)
          // the closest node answers after it went overdue, and its answer was on its way when the
          // walk ended (the abort comes too late for it)
          await sleep(30)
          const res = await base.request(msg, to, new AbortController().signal, bootstrap)
          lateAnswers++
          return res
        }
      })
      const q = new Query(ctx, { command: 'put', target, value: Uint8Array.of(1) }, { commit: true, holepunching: false })
      const commits = await q.toArray()
      expect(lateAnswers).toBe(1)
      const committed = world.sent.filter((s) => s.msg.roundtripToken != null)
      expect(committed.some((s) => s.to === silent.host)).toBe(false)
      expect(q.commits).toBe(committed.length)
      expect(commits.some((r) => r.node.host === silent.host)).toBe(false)
      expect(commits).toHaveLength(committed.length)
    })
  })

  it('asks a bootstrap node the table knows, even when nodes learnt later push it out of the k closest', async () => {
    const target = new Uint8Array(32).fill(0xff)
    const table = new RoutingTable(SELF, K, { maxPer16: Infinity })
    // 20 table nodes, 10.0.19.0 nearest to the target; the bootstrap node 10.0.0.0 is the 20th
    const known: Node[] = Array.from({ length: 20 }, (_, i) => ({ id: id(0x80, i), host: `10.0.${i}.0`, port: 1 }))
    for (const n of known) table.add(n.id, n, 0)
    // three nodes nearer than all of them, which the first node asked tells us about
    const nearer: Node[] = Array.from({ length: 3 }, (_, i) => ({ id: id(0xc0, i), host: `10.1.${i}.0`, port: 1 }))
    const all = [...known, ...nearer]
    const asked: string[] = []
    const world = new World(0)
    const ctx = world.context({
      concurrency: 1,
      table,
      bootstrapPeers: async () => [{ host: '10.0.0.0', port: 1 }],
      request: async (_msg, to: Peer) => {
        asked.push(to.host)
        const node = all.find((n) => n.host === to.host)!
        const value: ResponseMessage = { id: node.id, nodes: asked.length === 1 ? codec.encodeNodes(nearer) : null, roundtripToken: null }
        return { value, peer: { host: to.host, port: to.port } }
      }
    })
    const q = new Query(ctx, { command: FIND_NODE, target }, { askBootstrap: true, concurrency: 1 })
    await q.toArray()
    expect(asked).toContain('10.0.0.0')
    expect(asked.filter((h) => h === '10.0.0.0').length).toBe(1) // once, not again as a candidate
    expect(asked).toContain('10.1.0.0')
  })
})
