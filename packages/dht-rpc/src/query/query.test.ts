// Unit tests of the query core against a scripted world (test/query-world.ts): each node of the
// world answers with the nodes it knows, or fails as the test says, through a QueryContext with no
// sockets.
import { sleep } from '@hyperdht-ts/test-utils'
import { describe, expect, it } from 'vitest'
import { byText, closestTo, codec, hosts, id, seed, SELF, World, type WorldNode } from '../../test/query-world.js'
import { FIND_NODE, K } from '../constants.js'
import { DHTError } from '../errors.js'
import type { ResponseMessage } from '../messages/codec.js'
import { RoutingTable } from '../routing/table.js'
import type { Node, Peer, QueryResult } from '../types.js'
import { Query } from './query.js'

/** Holds this process's event loop for `ms` milliseconds (a long task). */
function busy (ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until);
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
            queueMicrotask(() => busy(30))
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

    it('a walk held up past a later deadline judges as of the deadline that was due: an answer queued meanwhile counts', async () => {
      // Answers take 25 ms; the silent node is asked at s. The loop is held up from s + 55 to
      // s + 62 (a long task, or a loaded machine that descheduled us), so the silent node's
      // overdue timer (due at s + 60) and the answer of the first request sent 20 ms or more
      // after it (timed for s + 61) run in one turn; that answer then takes 60 ms more to come
      // out. Judged as of now, that request would be overdue (sent over 90 ms before); as of
      // s + 60, when the check was due, it was not.
      const { world, target, silent } = silentClosest()
      const base = world.context()
      let silentAt: number | null = null
      let late: string | null = null
      const overdue: string[] = []
      const ctx = world.context({
        overdueAfter: () => 60,
        requestOverdue: (c) => overdue.push(c.host),
        request: async (msg, to, signal, bootstrap) => {
          const sentAt = performance.now()
          if (to.host === silent.host && silentAt === null) {
            silentAt = sentAt
            setTimeout(() => busy(7), 55)
          } else if (silentAt !== null && late === null && sentAt - silentAt >= 20) {
            late = to.host
            await sleep(silentAt + 61 - sentAt)
            busy(60)
            return await base.request(msg, to, signal, bootstrap)
          }
          await sleep(25)
          return await base.request(msg, to, signal, bootstrap)
        }
      })
      const q = new Query(ctx, { command: FIND_NODE, target }, { holepunching: false })
      const results = await q.toArray()
      expect(late).not.toBeNull()
      expect(results.map((r) => r.node.host)).toContain(late)
      expect(overdue).toEqual([silent.host])
      expect(q.overdue).toBe(1)
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
      let lateAnswers = 0
      const ctx = world.context({
        overdueAfter: () => 5,
        request: async (msg, to, signal, bootstrap) => {
          if (msg.roundtripToken != null) { // a commit: slow, so that the late walk answer comes while they run
            await sleep(150)
            return await base.request(msg, to, signal, bootstrap)
          }
          if (to.host !== silent.host) return await base.request(msg, to, signal, bootstrap)
          // the closest node answers well after it went overdue (at 5 ms: its check must come
          // first also where the test's process is held up for a while), and its answer was on its
          // way when the walk ended (the abort comes too late for it)
          await sleep(60)
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
