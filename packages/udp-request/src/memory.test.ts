import { describe, expect, it } from 'vitest'
import { MemoryNetwork, type MemorySocket } from './memory.js'

function bound (net: MemoryNetwork, host: string, opts: { nat?: boolean } = {}): Promise<MemorySocket> {
  const s = net.createSocket(opts)
  return new Promise((resolve, reject) => {
    s.once('error', reject)
    s.bind(0, host, () => resolve(s))
  })
}

function next (s: MemorySocket, ms = 100): Promise<{ msg: Buffer, from: { address: string, port: number } } | null> {
  return new Promise((resolve) => {
    const t = setTimeout(() => { s.off('message', on); resolve(null) }, ms)
    const on = (msg: Buffer, from: { address: string, port: number }): void => { clearTimeout(t); resolve({ msg, from }) }
    s.once('message', on)
  })
}

describe('MemoryNetwork', () => {
  it('delivers datagrams with the sender address, copies the bytes, and refuses a taken port', async () => {
    const net = new MemoryNetwork()
    const a = await bound(net, '10.0.0.1')
    const b = await bound(net, '10.0.0.2')
    const buf = Buffer.from('hello')
    const got = next(b)
    a.send(buf, b.address().port, '10.0.0.2')
    buf.fill(0)
    const r = await got
    expect(r!.msg.toString()).toBe('hello')
    expect(r!.from).toMatchObject({ address: '10.0.0.1', port: a.address().port })
    const c = net.createSocket()
    const err = await new Promise<Error>((resolve) => { c.once('error', resolve); c.bind(a.address().port, '10.0.0.1') })
    expect((err as NodeJS.ErrnoException).code).toBe('EADDRINUSE')
    a.close(); b.close(); c.close()
    net.destroy()
  })

  it('loses datagrams with probability `loss` and delays them by `latency`', async () => {
    const lossy = new MemoryNetwork({ loss: 1 })
    const a = await bound(lossy, '10.0.0.1')
    const b = await bound(lossy, '10.0.0.2')
    a.send(Buffer.from('x'), b.address().port, '10.0.0.2')
    expect(await next(b, 50)).toBeNull()
    expect(lossy.stats.lost).toBe(1)
    a.close(); b.close()

    const slow = new MemoryNetwork({ latency: 60 })
    const c = await bound(slow, '10.0.0.1')
    const d = await bound(slow, '10.0.0.2')
    const early = next(d, 20)
    c.send(Buffer.from('y'), d.address().port, '10.0.0.2')
    expect(await early).toBeNull()
    expect((await next(d, 200))!.msg.toString()).toBe('y')
    c.close(); d.close()
    slow.destroy()
  })

  it('a NATed socket only hears from addresses it sent to', async () => {
    const net = new MemoryNetwork()
    const inside = await bound(net, '192.168.0.2', { nat: true })
    const outside = await bound(net, '10.0.0.1')
    outside.send(Buffer.from('knock'), inside.address().port, '192.168.0.2')
    expect(await next(inside, 50)).toBeNull()
    expect(net.stats.filtered).toBe(1)
    inside.send(Buffer.from('out'), outside.address().port, '10.0.0.1')
    await next(outside)
    const got = next(inside)
    outside.send(Buffer.from('reply'), inside.address().port, '192.168.0.2')
    expect((await got)!.msg.toString()).toBe('reply')
    inside.close(); outside.close()
  })
})

/** A small seeded PRNG (mulberry32), so the fault tests replay exactly. */
function seeded (seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Collects what `s` receives. */
function collect (s: MemorySocket): Array<{ text: string, from: { address: string, port: number } }> {
  const got: Array<{ text: string, from: { address: string, port: number } }> = []
  s.on('message', (msg: Buffer, from: { address: string, port: number }) => got.push({ text: msg.toString(), from: { address: from.address, port: from.port } }))
  return got
}

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

describe('MemoryNetwork faults', () => {
  it('duplicates datagrams with probability `duplicate`; each copy has its own bytes', async () => {
    const net = new MemoryNetwork({ duplicate: 1 })
    const a = await bound(net, '10.0.0.1')
    const b = await bound(net, '10.0.0.2')
    const seen: Buffer[] = []
    b.on('message', (msg: Buffer) => seen.push(msg))
    a.send(Buffer.from('twice'), b.address().port, '10.0.0.2')
    await sleep(20)
    expect(seen.map((m) => m.toString())).toEqual(['twice', 'twice'])
    seen[0]!.fill(0)
    expect(seen[1]!.toString()).toBe('twice')
    expect(net.stats).toMatchObject({ sent: 1, duplicated: 1, delivered: 2 })

    const half = new MemoryNetwork({ duplicate: 0.5, random: seeded(1) })
    const c = await bound(half, '10.0.0.1')
    const d = await bound(half, '10.0.0.2')
    const got = collect(d)
    for (let i = 0; i < 200; i++) c.send(Buffer.from(String(i)), d.address().port, '10.0.0.2')
    await sleep(20)
    expect(half.stats.duplicated).toBeGreaterThan(60)
    expect(half.stats.duplicated).toBeLessThan(140)
    expect(got).toHaveLength(200 + half.stats.duplicated)
    a.close(); b.close(); c.close(); d.close()
  })

  it('reorders: held-back datagrams are overtaken by later ones, none is lost', async () => {
    const net = new MemoryNetwork({ reorder: 0.3, reorderDelay: [5, 40], random: seeded(7) })
    const a = await bound(net, '10.0.0.1')
    const b = await bound(net, '10.0.0.2')
    const got = collect(b)
    for (let i = 0; i < 50; i++) a.send(Buffer.from(String(i)), b.address().port, '10.0.0.2')
    for (let i = 0; i < 100 && got.length < 50; i++) await sleep(10)
    const order = got.map((g) => Number(g.text))
    expect([...order].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect(order).not.toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect(net.stats.reordered).toBeGreaterThan(0)
    // the others arrive first, in the order they were sent
    const prompt = order.slice(0, 50 - net.stats.reordered)
    expect(prompt).toEqual([...prompt].sort((x, y) => x - y))
    a.close(); b.close()
  })

  it('the same seed replays the same losses, duplicates and delays', async () => {
    const run = async (): Promise<{ stats: object, order: string[] }> => {
      const net = new MemoryNetwork({ loss: 0.2, duplicate: 0.2, reorder: 0.2, reorderDelay: [1, 20], latency: [1, 5], random: seeded(42) })
      const a = await bound(net, '10.0.0.1')
      const b = await bound(net, '10.0.0.2')
      const got = collect(b)
      for (let i = 0; i < 100; i++) a.send(Buffer.from(String(i)), b.address().port, '10.0.0.2')
      await sleep(60)
      a.close(); b.close()
      return { stats: { ...net.stats }, order: got.map((g) => g.text) }
    }
    const first = await run()
    const second = await run()
    expect(second.stats).toEqual(first.stats)
    expect(new Set(second.order)).toEqual(new Set(first.order))
  })

  it('a fault with drop: "in" hears nothing, "out" hears but its answers vanish, true both', async () => {
    const net = new MemoryNetwork()
    const a = await bound(net, '10.0.0.1')
    const b = await bound(net, '10.0.0.2')
    const atA = collect(a)
    const atB = collect(b)
    b.on('message', (_msg: Buffer, from: { address: string, port: number }) => b.send(Buffer.from('pong'), from.port, from.address))
    const ping = async (): Promise<void> => {
      a.send(Buffer.from('ping'), b.address().port, '10.0.0.2')
      await sleep(10)
    }

    net.setFault('10.0.0.2', { drop: 'in' })
    await ping()
    expect(atB).toHaveLength(0)
    expect(net.stats.dropped).toBe(1)

    net.setFault('10.0.0.2', { drop: 'out' })
    await ping()
    expect(atB).toHaveLength(1)
    expect(atA).toHaveLength(0)
    expect(net.stats.dropped).toBe(2)

    // a fault of host:port wins over the host's
    net.setFault({ host: '10.0.0.2', port: b.address().port }, { drop: true })
    await ping()
    expect(atB).toHaveLength(1)
    expect(net.faultOf('10.0.0.2', b.address().port)).toEqual({ drop: true })
    expect(net.faultOf('10.0.0.2', 1)).toEqual({ drop: 'out' })

    net.setFault({ host: '10.0.0.2', port: b.address().port }, null)
    net.setFault('10.0.0.2', null)
    expect(net.faultOf('10.0.0.2', b.address().port)).toBeNull()
    await ping()
    expect(atB).toHaveLength(2)
    expect(atA.map((g) => g.text)).toEqual(['pong'])
    a.close(); b.close()
  })

  it('a fault with delay answers slowly; a fault with loss loses both ways; clearFaults() heals', async () => {
    const net = new MemoryNetwork()
    const a = await bound(net, '10.0.0.1')
    const b = await bound(net, '10.0.0.2')
    const atA = collect(a)
    const atB = collect(b)
    const c = await bound(net, '10.0.0.3')
    net.setFault('10.0.0.2', { delay: 80 })
    b.send(Buffer.from('slow'), a.address().port, '10.0.0.1')
    c.send(Buffer.from('sent later'), a.address().port, '10.0.0.1')
    a.send(Buffer.from('fast'), b.address().port, '10.0.0.2') // only what the faulty one sends is slow
    for (let i = 0; i < 100 && atA.length < 2; i++) await sleep(10)
    expect(atA.map((g) => g.text)).toEqual(['sent later', 'slow'])
    expect(atB.map((g) => g.text)).toEqual(['fast'])
    expect(net.stats.delayed).toBe(1)
    atA.length = 0

    net.setFault('10.0.0.2', { loss: 1 })
    b.send(Buffer.from('out'), a.address().port, '10.0.0.1')
    a.send(Buffer.from('in'), b.address().port, '10.0.0.2')
    await sleep(10)
    expect(atA).toHaveLength(0)
    expect(atB).toHaveLength(1)
    expect(net.stats.lost).toBe(2)

    net.clearFaults()
    a.send(Buffer.from('healed'), b.address().port, '10.0.0.2')
    await sleep(10)
    expect(atB.map((g) => g.text)).toEqual(['fast', 'healed'])
    a.close(); b.close(); c.close()
  })

  it('inject() forges the source address; a NATed socket refuses forgeries from strangers', async () => {
    const net = new MemoryNetwork()
    const victim = await bound(net, '10.0.0.2')
    const atVictim = collect(victim)
    net.inject({ from: { host: '10.9.9.9', port: 4242 }, to: { host: '10.0.0.2', port: victim.address().port }, bytes: Buffer.from('spoofed') })
    await sleep(10)
    expect(atVictim).toEqual([{ text: 'spoofed', from: { address: '10.9.9.9', port: 4242 } }])
    expect(net.stats).toMatchObject({ forged: 1, sent: 0, delivered: 1 })

    const inside = await bound(net, '192.168.0.2', { nat: true })
    const atInside = collect(inside)
    const to = { host: '192.168.0.2', port: inside.address().port }
    net.inject({ from: { host: '10.9.9.9', port: 4242 }, to, bytes: Buffer.from('stranger') })
    inside.send(Buffer.from('hi'), 53, '10.0.0.53')
    net.inject({ from: { host: '10.0.0.53', port: 53 }, to, bytes: Buffer.from('as a friend') })
    await sleep(10)
    expect(atInside.map((g) => g.text)).toEqual(['as a friend'])
    expect(net.stats.filtered).toBe(1)
    expect(net.stats.unreachable).toBe(1) // nobody at 10.0.0.53
    victim.close(); inside.close()
  })

  it('observe() sees every delivered datagram until stopped; destroy() drops what is in flight', async () => {
    const net = new MemoryNetwork({ latency: 30 })
    const a = await bound(net, '10.0.0.1')
    const b = await bound(net, '10.0.0.2')
    const seen: string[] = []
    const stop = net.observe((bytes, from, to) => seen.push(`${from.address}>${to.address}:${Buffer.from(bytes).toString()}`))
    a.send(Buffer.from('one'), b.address().port, '10.0.0.2')
    expect(net.inflight).toBe(1)
    await sleep(60)
    stop()
    a.send(Buffer.from('two'), b.address().port, '10.0.0.2')
    await sleep(60)
    expect(seen).toEqual(['10.0.0.1>10.0.0.2:one'])
    expect(net.stats.delivered).toBe(2)

    const atB = collect(b)
    a.send(Buffer.from('never'), b.address().port, '10.0.0.2')
    expect(net.inflight).toBe(1)
    net.destroy()
    expect(net.inflight).toBe(0)
    await sleep(60)
    expect(atB).toHaveLength(0)
    expect(net.size).toBe(2)
    a.close(); b.close()
    expect(net.size).toBe(0)

    // without latency, datagrams wait for an immediate, which destroy() clears too
    const fast = new MemoryNetwork()
    const c = await bound(fast, '10.0.0.1')
    const d = await bound(fast, '10.0.0.2')
    const atD = collect(d)
    c.send(Buffer.from('never'), d.address().port, '10.0.0.2')
    fast.destroy()
    await sleep(10)
    expect(atD).toHaveLength(0)
    expect(fast.stats.delivered).toBe(0)
    c.close(); d.close()
  })
})

describe('MemoryNetwork delivery', () => {
  it('a listener that throws does not stop the other datagrams due at the same time', async () => {
    const net = new MemoryNetwork()
    const a = await bound(net, '10.0.0.1')
    const b = await bound(net, '10.0.0.2')
    const c = await bound(net, '10.0.0.3')
    const atC = collect(c)
    b.on('message', () => { throw new Error('listener failed') })
    const uncaught = new Promise<Error>((resolve) => {
      const listeners = process.listeners('uncaughtException')
      process.removeAllListeners('uncaughtException')
      process.once('uncaughtException', (err) => {
        for (const l of listeners) process.on('uncaughtException', l)
        resolve(err)
      })
    })
    a.send(Buffer.from('to b'), b.address().port, '10.0.0.2')
    a.send(Buffer.from('to c'), c.address().port, '10.0.0.3')
    expect((await uncaught).message).toBe('listener failed')
    await sleep(10)
    expect(atC.map((g) => g.text)).toEqual(['to c'])
    a.close(); b.close(); c.close()
  })
})

describe('MemorySocket', () => {
  it('binds implicitly on its first send, fails sends after close, and refuses a second close', async () => {
    const net = new MemoryNetwork()
    const b = await bound(net, '10.0.0.2')
    const atB = collect(b)
    const a = net.createSocket()
    expect(() => a.address()).toThrow(expect.objectContaining({ code: 'EBADF' }))
    const sent = await new Promise<Error | null>((resolve) => { a.send(Buffer.from('hi'), b.address().port, '10.0.0.2', resolve) })
    expect(sent).toBeNull()
    expect(a.address().address).toBe('127.0.0.1')
    await sleep(10)
    expect(atB).toEqual([{ text: 'hi', from: { address: '127.0.0.1', port: a.address().port } }])
    expect(a.ref()).toBe(a)
    expect(a.unref()).toBe(a)
    await new Promise<void>((resolve) => a.close(resolve))
    const failed = await new Promise<Error | null>((resolve) => { a.send(Buffer.from('late'), b.address().port, '10.0.0.2', resolve) })
    expect(failed?.message).toBe('Not running')
    expect(() => a.close()).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_DGRAM_NOT_RUNNING' }))
    b.close()
  })
})
