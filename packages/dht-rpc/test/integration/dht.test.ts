import { createSocket } from 'node:dgram'
import { afterEach, describe, expect, it } from 'vitest'
import { DHT, DHTError, requestEncoding, responseEncoding } from '../../src/index.js'
import { MemoryNetwork } from '../../src/testnet.js'
import { hex, network, randomId, waitFor } from '../helpers.js'

const cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!()
})

/** A socket that never answers; `received` counts what reached it. */
async function silentSocket (host = '127.0.0.1'): Promise<{ port: number, received: number, close: () => void }> {
  const s = createSocket('udp4')
  const out = { port: 0, received: 0, close: () => s.close() }
  s.on('message', () => { out.received++ })
  await new Promise<void>((resolve) => s.bind(0, host, resolve))
  out.port = s.address().port
  return out
}

describe('roundtrip tokens', () => {
  it('a token is only valid from the host it was issued to', async () => {
    const server = new DHT()
    const updates: string[] = []
    const queries: string[] = []
    server.command('kv', {
      query: (q) => { queries.push(q.node.host) },
      update: (q) => { updates.push(q.node.host) }
    })
    const a = new DHT()
    const b = new DHT()
    cleanup.push(() => server.destroy(), () => a.destroy(), () => b.destroy())
    await server.listen(0, '127.0.0.1')
    await a.listen(0, '127.0.0.1')
    await b.listen(0, '127.0.0.2') // another loopback host
    const nodes = [{ host: '127.0.0.1', port: server.address().port }]
    const target = randomId()

    // query + commit with the token the server issued: an update
    await a.update({ command: 'kv', target }, { nodes })
    await b.update({ command: 'kv', target }, { nodes })
    expect(queries).toEqual(['127.0.0.1', '127.0.0.2'])
    expect(updates).toEqual(['127.0.0.1', '127.0.0.2'])

    // a token issued to 127.0.0.1, replayed from 127.0.0.2, is only a query
    const raw = async (host: string, body: Uint8Array): Promise<Buffer> => {
      const s = createSocket('udp4')
      await new Promise<void>((resolve) => s.bind(0, host, resolve))
      try {
        return await new Promise<Buffer>((resolve) => {
          s.once('message', (m) => resolve(m))
          s.send(Buffer.concat([Buffer.from([0x80, 0x01]), body]), server.address().port, '127.0.0.1')
        })
      } finally {
        s.close()
      }
    }
    const res = await raw('127.0.0.1', requestEncoding.encode({ command: '_find_node', target }))
    const token = responseEncoding.decode(res.subarray(2)).roundtripToken!
    expect(token.byteLength).toBe(32)
    updates.length = 0
    queries.length = 0
    await raw('127.0.0.2', requestEncoding.encode({ command: 'kv', target, roundtripToken: token }))
    expect(updates).toEqual([])
    expect(queries).toEqual(['127.0.0.2'])
    await raw('127.0.0.1', requestEncoding.encode({ command: 'kv', target, roundtripToken: token }))
    expect(updates).toEqual(['127.0.0.1'])
  })
})

describe('commands', () => {
  it('a throwing or rejecting handler sends no response', async () => {
    const server = new DHT({ timeout: 200 })
    server.command('sync-throw', { query: () => { throw new Error('no') } })
    server.command('async-throw', { query: async () => { throw new Error('no') } })
    server.command('ok', { query: async () => new Uint8Array([1, 2, 3]) })
    const client = new DHT({ timeout: 200 })
    cleanup.push(() => server.destroy(), () => client.destroy())
    await server.listen(0, '127.0.0.1')
    const nodes = [{ host: '127.0.0.1', port: server.address().port }]
    for (const command of ['sync-throw', 'async-throw']) {
      const err = await client.query({ command, target: randomId() }, { nodes }).toArray().catch((e) => e)
      expect(err.code).toBe('NO_NODES_RESPONDED')
    }
    expect(server.stats.dropped.handlerError).toBe(2)
    const [res] = await client.query({ command: 'ok', target: randomId() }, { nodes }).toArray()
    expect([...res!.value!]).toEqual([1, 2, 3])
    // unknown command: answered with nodes, no value
    const [unknown] = await client.query({ command: 'nope', target: randomId() }, { nodes }).toArray()
    expect(unknown!.value).toBeNull()
    expect(server.stats.commands.ok!.requestsIn).toBe(1)
    expect(server.stats.commands.ok!.responsesOut).toBe(1)
  })

  it('rejects invalid arguments with typed errors', () => {
    const d = new DHT()
    cleanup.push(() => d.destroy())
    expect(() => d.command('_ping', {})).toThrow(DHTError)
    expect(() => d.query({ command: 'x', target: new Uint8Array(31) })).toThrowError(/32 bytes/)
    expect(() => d.query({ command: '', target: randomId() })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
    expect(() => d.query({ command: 'x', target: randomId() }, { map: 5 as never })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
    expect(() => new DHT({ id: new Uint8Array(3) })).toThrow(DHTError)
  })
})

describe('flow control', () => {
  it('keeps at most `maxInflight` query requests in flight, queues up to maxQueue, refuses the rest with QUEUE_FULL naming the node', async () => {
    const silent = await silentSocket()
    const d = new DHT({ maxInflight: 2, maxQueue: 3, timeout: 4000 })
    cleanup.push(() => silent.close(), () => d.destroy())
    await d.listen(0, '127.0.0.1')
    const nodes = Array.from({ length: 10 }, () => ({ host: '127.0.0.1', port: silent.port }))
    const q = d.query({ command: 'x', target: randomId() }, { nodes, concurrency: 10 })
    const failures: DHTError[] = []
    q.on('request-failed', (err) => failures.push(err))
    const done = q.toArray().then(() => 'ok', (e: DHTError) => e.code)
    await waitFor(() => d.stats.inflight === 2 && d.stats.queued === 3 && d.stats.queueFull === 5)
    expect(failures.map((e) => `${e.code} ${e.peer?.port ?? '?'}`)).toEqual(Array(5).fill(`QUEUE_FULL ${silent.port}`))
    await d.destroy()
    expect(await done).toBe('DESTROYED')
  })

  it('a query stuck on silent nodes does not delay a ping: pings have their own lane', async () => {
    const silent = await Promise.all(Array.from({ length: 20 }, async () => await silentSocket()))
    const live = new DHT()
    const d = new DHT({ timeout: 4000 })
    cleanup.push(...silent.map((s) => () => s.close()), () => live.destroy(), () => d.destroy())
    await live.listen(0, '127.0.0.1')
    await d.listen(0, '127.0.0.1')
    // 20 silent nodes, 16 in flight: the whole per-query window (and, before the lanes, the node's) is stuck
    const q = d.query({ command: 'x', target: randomId() }, { nodes: silent.map((s) => ({ host: '127.0.0.1', port: s.port })) })
    const done = q.toArray().catch(() => null)
    await waitFor(() => d.stats.inflight === 16)
    const started = performance.now()
    const pong = await d.ping({ host: '127.0.0.1', port: live.address().port })
    const ms = performance.now() - started
    expect(pong.node.id).not.toBeNull()
    // answered while every query request was still waiting for its (4 s) timeout
    expect(d.stats.timeouts).toBe(0)
    expect(d.stats.inflight).toBeGreaterThanOrEqual(16)
    expect(ms).toBeLessThan(2000)
    q.destroy()
    await done
  })
})

describe('ephemeral', () => {
  it('switches at run time whether our id is sent', async () => {
    const net = await network(4)
    const e = new DHT({ bootstrap: [net.bootstrap], ephemeral: true })
    cleanup.push(net.destroy, () => e.destroy())
    await e.ready()
    expect(e.ephemeral).toBe(true)
    for (const n of net.nodes) expect(n.findLocal(e.id)).toBeNull()
    const pong = await net.nodes[0]!.ping({ host: '127.0.0.1', port: e.address().port })
    expect(pong.node.id).toBeNull()

    e.ephemeral = false
    await e.query({ command: '_find_node', target: e.id }).toArray()
    // the nodes it asked verify its address with a ping before they add it
    await waitFor(() => net.nodes.every((n) => n.findLocal(e.id) !== null))
    for (const n of net.nodes) expect(hex(n.findLocal(e.id)?.id)).toBe(hex(e.id))
    const pong2 = await net.nodes[0]!.ping({ host: '127.0.0.1', port: e.address().port })
    expect(hex(pong2.node.id)).toBe(hex(e.id))

    e.ephemeral = true
    const late = new DHT()
    cleanup.push(() => late.destroy())
    await late.listen(0, '127.0.0.1')
    await e.ping({ host: '127.0.0.1', port: late.address().port })
    expect(late.findLocal(e.id)).toBeNull()
  })
})

describe('introspection', () => {
  it('stats, routingTableStats, findLocal, toArray', async () => {
    const net = await network(6)
    cleanup.push(net.destroy)
    const node = net.nodes[2]!
    await waitFor(() => node.toArray().length === 5) // later joiners are verified by a ping first
    const table = node.toArray()
    expect(table.length).toBe(5)
    for (const n of table) expect(hex(node.findLocal(n.id)?.id)).toBe(hex(n.id))
    expect(node.findLocal(randomId())).toBeNull()
    const rts = node.routingTableStats()
    expect(rts.size).toBe(5)
    expect(rts.buckets.reduce((s, b) => s + b.size, 0)).toBe(5)
    // every node of the test network has a /16 of its own
    expect(rts.diversity.prefixes24).toBe(5)
    expect(rts.diversity.prefixes16).toBe(5)
    expect(rts.diversity.largest24).toMatchObject({ count: 1, share: 1 / 5 })
    const s = node.stats
    expect(s.requestsOut).toBeGreaterThan(0)
    expect(s.responsesIn).toBeGreaterThan(0)
    expect(s.commands._find_node!.requestsOut).toBeGreaterThan(0)
    expect(s.queued).toBe(0)
  })
})

describe('query lifecycle', () => {
  it('breaking out of for-await stops the query; a signal aborts it', async () => {
    const net = await network(10)
    cleanup.push(net.destroy)
    const d = net.nodes[3]!
    const q = d.query({ command: '_find_node', target: randomId() })
    for await (const r of q) {
      expect(r.node.id).toBeDefined()
      break
    }
    expect(q.ended).toBe(true)
    expect(d.inflightQueries).toBe(0)

    const ac = new AbortController()
    const q2 = d.query({ command: '_find_node', target: randomId() }, { signal: ac.signal })
    ac.abort()
    const err = await q2.toArray().catch((e) => e)
    expect(err.code).toBe('ABORTED')

    // a map function transforms and filters results: exactly the even ports of what was answered
    const seen: number[] = []
    const ports = await d.query({ command: '_find_node', target: randomId() }, {
      map: (r) => { seen.push(r.node.port); return r.node.port % 2 === 0 ? r.node.port : null }
    }).toArray()
    expect(seen.length).toBeGreaterThanOrEqual(5)
    expect(ports.sort((a, b) => a - b)).toEqual(seen.filter((p) => p % 2 === 0).sort((a, b) => a - b))
  })

  it('update fails with NO_CLOSE_NODES_RESPONDED when nobody answers the commit', async () => {
    const server = new DHT({ timeout: 200 })
    // the query phase is answered, the commit (a valid token, so `update`) is not
    server.command('once', { query: () => null, update: () => { throw new Error('refuse') } })
    const client = new DHT({ timeout: 200 })
    cleanup.push(() => server.destroy(), () => client.destroy())
    await server.listen(0, '127.0.0.1')
    const err = await client.update({ command: 'once', target: randomId() }, { nodes: [{ host: '127.0.0.1', port: server.address().port }] }).catch((e) => e)
    expect(DHTError.isInstance(err)).toBe(true)
    expect(err.code).toBe('NO_CLOSE_NODES_RESPONDED')
  })
})

describe('holepunching', () => {
  it('over loopback UDP: requester, referrer and target are all ours', async () => {
    const net = await network(3)
    cleanup.push(net.destroy)
    const [a, r, b] = net.nodes as [DHT, DHT, DHT]
    const relayed: unknown[] = []
    r.on('holepunch', (from, to) => relayed.push({ from, to }))
    const addr = (n: DHT): { host: string, port: number } => ({ host: n.address().host, port: n.address().port })
    const res = await a.holepunch(addr(b), addr(r))
    expect(hex(res.id)).toBe(hex(b.id))
    expect(relayed).toEqual([{ from: addr(a), to: addr(b) }])
    expect(b.stats.holepunches.answered).toBe(1)
    expect(a.stats.holepunches.requested).toBe(1)

    // many at once (one listener for all of them, no MaxListeners warning)
    const warnings: Error[] = []
    const onwarning = (w: Error): void => { warnings.push(w) }
    process.on('warning', onwarning)
    try {
      // (within the referrer's relay budget for one requester: a burst of 20)
      const many = await Promise.all(Array.from({ length: 15 }, () => a.holepunch(addr(b), addr(r))))
      for (const m of many) expect(hex(m.id)).toBe(hex(b.id))
      await new Promise((resolve) => setImmediate(resolve))
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([])
    } finally {
      process.off('warning', onwarning)
    }
  })

  it('a referrer is no open relay: only towards peers it knows, and rate limited per requester', async () => {
    const net = await network(3)
    cleanup.push(net.destroy)
    const [a, r, b] = net.nodes as [DHT, DHT, DHT]
    const addr = (n: DHT): { host: string, port: number } => ({ host: n.address().host, port: n.address().port })
    // a stranger's address: r never heard of it, so it refuses to send there
    const stranger = await silentSocket('127.77.0.1')
    cleanup.push(() => stranger.close())
    const refused = await a.holepunch({ host: '127.77.0.1', port: stranger.port }, addr(r), { signal: AbortSignal.timeout(500) }).catch((e: DHTError) => e.code)
    expect(refused).toBe('ABORTED')
    expect(r.stats.dropped.relayRefused).toBe(1)
    expect(stranger.received).toBe(0)
    // a known peer, more often than the per-requester budget (burst 20): the rest is refused
    const results = await Promise.all(Array.from({ length: 30 }, async () => await a.holepunch(addr(b), addr(r), { signal: AbortSignal.timeout(3000) }).then(() => 'ok', () => 'refused')))
    expect(results.filter((x) => x === 'ok').length).toBeLessThanOrEqual(21)
    expect(r.stats.dropped.relayRefused).toBeGreaterThanOrEqual(1 + 9)
    expect(r.stats.holepunches.forwarded).toBeLessThanOrEqual(21)
  })

  it('inside a query: a node behind a (simulated) NAT is punched through its referrer, then asked again', async () => {
    const mem = new MemoryNetwork()
    const opts = { timeout: 200 }
    const r = new DHT({ ...opts, socket: mem.createSocket() })
    cleanup.push(() => mem.destroy(), () => r.destroy())
    await r.listen(0, '10.0.0.1')
    const bootstrap = [`10.0.0.1:${r.address().port}`]
    const b = new DHT({ ...opts, bootstrap, socket: mem.createSocket({ nat: true }) })
    cleanup.push(() => b.destroy())
    await b.listen(0, '10.0.0.2')
    await b.ready()
    expect(hex(r.findLocal(b.id)?.id)).toBe(hex(b.id))

    const a = new DHT({ ...opts, bootstrap, socket: mem.createSocket() })
    cleanup.push(() => a.destroy())
    await a.listen(0, '10.0.0.3')
    await a.ready()
    b.command('hello', { query: () => new TextEncoder().encode('from behind the NAT') })
    const q = a.query({ command: 'hello', target: randomId() })
    const results = await q.toArray()
    const fromB = results.find((x) => hex(x.node.id) === hex(b.id))
    expect(fromB).toBeDefined()
    expect(new TextDecoder().decode(fromB!.value!)).toBe('from behind the NAT')
    expect(r.stats.holepunches.forwarded).toBeGreaterThan(0)
    expect(b.stats.holepunches.answered).toBeGreaterThan(0)
    expect(a.stats.holepunches.requested).toBeGreaterThan(0)
    expect(mem.stats.filtered).toBeGreaterThan(0)
  })
})

describe('destroy', () => {
  it('is idempotent and leaves no sockets or timers behind', async () => {
    const count = (): Record<string, number> => {
      const out: Record<string, number> = {}
      for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1
      return out
    }
    const before = count()
    const net = await network(3)
    await net.nodes[1]!.query({ command: '_find_node', target: randomId() }).toArray()
    const during = count()
    expect(during.UDPWrap ?? 0).toBeGreaterThanOrEqual((before.UDPWrap ?? 0) + 3)
    await net.destroy()
    await net.destroy()
    await Promise.all(net.nodes.map((n) => n.destroy()))
    // handles are released a turn or so after 'close'
    let after = count()
    for (let i = 0; i < 200 && (after.UDPWrap ?? 0) > (before.UDPWrap ?? 0); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10))
      after = count()
    }
    expect(after.UDPWrap ?? 0).toBeLessThanOrEqual(before.UDPWrap ?? 0)
    expect(after.Timeout ?? 0).toBeLessThanOrEqual(before.Timeout ?? 0)
    for (const n of net.nodes) expect(n.destroyed).toBe(true)
    await expect(net.nodes[0]!.ready()).rejects.toThrow(DHTError)
  })
})

describe('bad input from the application side', () => {
  it('a value too large for a datagram fails the request, and a too large reply sends nothing; nothing crashes', async () => {
    const server = new DHT({ timeout: 200 })
    server.command('big', { query: () => new Uint8Array(70_000) })
    const client = new DHT({ timeout: 200 })
    cleanup.push(() => server.destroy(), () => client.destroy())
    await server.listen(0, '127.0.0.1')
    const nodes = [{ host: '127.0.0.1', port: server.address().port }]
    // over maxValueSize: refused before anything is sent
    expect(() => client.query({ command: 'x', target: randomId(), value: new Uint8Array(70_000) }, { nodes })).toThrow(expect.objectContaining({ code: 'VALUE_TOO_LARGE' }))
    // within maxValueSize but over a datagram: the send fails, the query ends normally
    const big = new DHT({ timeout: 200, maxValueSize: 100_000 })
    cleanup.push(() => big.destroy())
    const e1 = await big.query({ command: 'x', target: randomId(), value: new Uint8Array(70_000) }, { nodes }).toArray().catch((e) => e)
    expect(e1.code).toBe('NO_NODES_RESPONDED')
    expect(e1.cause.errors[0].code).toBe('REQUEST_FAILED')
    // a reply too large for our budget towards an unproven requester goes without its value
    const e2 = await client.query({ command: 'big', target: randomId() }, { nodes }).toArray()
    expect(e2.map((r) => r.value)).toEqual([null])
    expect(server.stats.guard.trimmed).toBe(1)
    // still fine
    expect((await client.ping(nodes[0]!)).node.id).not.toBeNull()
  })
})

describe('IPv6', () => {
  it('runs a network over ::1 with 18-byte peers and 50-byte nodes', async () => {
    // IPv6 loopback is one address: all five nodes share every prefix, so the per-prefix limits
    // of the table and of a walk's closest nodes (2 per /48) are lifted, as the testnet does
    const diversity = { maxPer24PerBucket: Infinity, maxPer16: Infinity }
    const a = new DHT({ ipv6: true, diversity })
    cleanup.push(() => a.destroy())
    await a.listen(0, '::1')
    const bootstrap = [`[::1]:${a.address().port}`]
    const others = Array.from({ length: 4 }, () => new DHT({ ipv6: true, bootstrap, diversity }))
    cleanup.push(...others.map((o) => () => o.destroy()))
    await Promise.all(others.map(async (o) => { await o.listen(0, '::1'); await o.ready() }))
    const pong = await others[0]!.ping(`[::1]:${a.address().port}`)
    expect(pong.address).toEqual({ host: '::1', port: others[0]!.address().port })
    const results = await others[1]!.query({ command: '_find_node', target: randomId() }).toArray()
    expect(new Set(results.map((r) => hex(r.node.id))).size).toBe(4)
    for (const r of results) expect(r.node.host).toBe('::1')
  })
})

describe('cancellation', () => {
  it('ping and holepunch reject with ABORTED when their signal fires, queued or in flight', async () => {
    const silent = await silentSocket()
    const d = new DHT({ concurrency: 1 })
    cleanup.push(() => silent.close(), () => d.destroy())
    await d.listen(0, '127.0.0.1')
    const to = { host: '127.0.0.1', port: silent.port }
    const ac = new AbortController()
    const inflight = d.ping(to, { signal: ac.signal }).catch((e) => e)
    const queued = d.holepunch(to, to, { signal: ac.signal }).catch((e) => e)
    await new Promise((resolve) => setTimeout(resolve, 20))
    ac.abort()
    expect((await inflight).code).toBe('ABORTED')
    expect((await queued).code).toBe('ABORTED')
    expect(d.stats.inflight).toBe(0)
    expect(d.stats.queued).toBe(0)
  })
})
