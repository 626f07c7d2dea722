import { createSocket } from 'node:dgram'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DHT, requestEncoding, responseEncoding } from '../../src/index.js'
import { hex, network, randomId } from '../helpers.js'

// Deterministic PRNG (mulberry32) so a failure can be replayed with the printed seed.
function prng (seed: number): () => number {
  return () => {
    seed |= 0; seed = seed + 0x6D2B79F5 | 0
    let t = Math.imul(seed ^ seed >>> 15, 1 | seed)
    t = t + Math.imul(t ^ t >>> 7, 61 | t) ^ t
    return ((t ^ t >>> 14) >>> 0) / 4294967296
  }
}

function frame (request: boolean, tid: number, body: Uint8Array): Buffer {
  const b = Buffer.alloc(body.length + 2)
  b.writeUInt16BE((request ? 0x8000 : 0) | (tid & 0x7fff), 0)
  b.set(body, 2)
  return b
}

describe('fuzz: random and mutated datagrams at a live node', () => {
  let net: Awaited<ReturnType<typeof network>>
  let victim: DHT
  let unhandled = 0
  const onunhandled = (): void => { unhandled++ }

  beforeAll(async () => {
    process.on('unhandledRejection', onunhandled)
    net = await network(5)
    victim = net.nodes[1]!
    victim.command('kv', { query: (q) => q.value, update: (q) => { if (q.value?.[0] === 1) throw new Error('boom') } })
  })

  afterAll(async () => {
    process.off('unhandledRejection', onunhandled)
    await net?.destroy()
  })

  it('survives 30,000 datagrams and still answers _ping and _find_node', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1e9)
    const rand = prng(seed)
    const int = (n: number): number => Math.floor(rand() * n)
    const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(256)))

    // Seeds: valid messages of every kind (no forward fields: mutating those could make the
    // node relay to random internet addresses).
    const seeds: Buffer[] = [
      frame(true, 1, requestEncoding.encode({ command: '_ping', id: randomId() })),
      frame(true, 2, requestEncoding.encode({ command: '_find_node', id: randomId(), target: randomId() })),
      frame(true, 3, requestEncoding.encode({ command: '_find_node', target: bytes(31) })),
      frame(true, 4, requestEncoding.encode({ command: 'kv', id: randomId(), target: randomId(), value: bytes(40), roundtripToken: bytes(32) })),
      frame(true, 5, requestEncoding.encode({ command: 'unknown', target: randomId(), value: bytes(1000) })),
      frame(true, 6, requestEncoding.encode({ command: 'kv', id: bytes(33), target: randomId() })),
      frame(false, 7, responseEncoding.encode({ id: randomId(), nodes: bytes(38 * 3), roundtripToken: bytes(32), value: bytes(6) })),
      frame(false, 8, responseEncoding.encode({ nodes: bytes(37) }))
    ]

    const sock = createSocket('udp4')
    sock.on('message', () => {})
    await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve))
    const { host, port } = victim.address()
    const send = (b: Buffer): Promise<void> => new Promise((resolve) => sock.send(b, port, host, () => resolve()))

    const TOTAL = 30_000
    let batch: Array<Promise<void>> = []
    for (let i = 0; i < TOTAL; i++) {
      let d: Buffer
      const kind = int(4)
      if (kind === 0) {
        d = bytes(int(300)) // pure noise, including empty and 1-byte datagrams
      } else {
        d = Buffer.from(seeds[int(seeds.length)]!)
        const flips = 1 + int(kind === 3 ? 20 : 3)
        for (let f = 0; f < flips && d.length > 0; f++) d[int(d.length)] = int(256)
        if (kind === 2 && d.length > 2) d = d.subarray(0, int(d.length)) // truncate
        if (kind === 3 && rand() < 0.3) d = Buffer.concat([d, bytes(int(64))]) // extend
      }
      batch.push(send(d))
      if (batch.length === 16) { // libuv reads 32 datagrams per poll: stay below, or the kernel drops them
        await Promise.all(batch)
        batch = []
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
    await Promise.all(batch)
    await new Promise((resolve) => setTimeout(resolve, 200))
    sock.close()

    const stats = victim.stats
    if (process.env.FUZZ_DEBUG) console.log(JSON.stringify(stats))
    const received = stats.requestsIn + stats.responsesIn + stats.dropped.tooShort + stats.dropped.undecodable
    expect(received, `seed ${seed}`).toBeGreaterThan(20_000)
    expect(stats.dropped.total, `seed ${seed}`).toBeGreaterThan(0)
    expect(stats.requestsIn).toBeGreaterThan(0)
    // junk command names are pooled under '*', not kept one by one
    expect(Object.keys(stats.commands).sort()).toEqual(expect.arrayContaining(['*']))
    expect(Object.keys(stats.commands).length).toBeLessThanOrEqual(4)
    expect(unhandled, `seed ${seed}`).toBe(0)

    // still alive: _ping and _find_node from a fresh node
    const probe = new DHT()
    try {
      await probe.listen(0, '127.0.0.1')
      const pong = await probe.ping({ host, port })
      expect(hex(pong.node.id)).toBe(hex(victim.id))
      const found = await probe.query({ command: '_find_node', target: randomId() }, { nodes: [{ host, port }] }).toArray()
      expect(found.length).toBe(1)
      expect(hex(found[0]!.node.id)).toBe(hex(victim.id))
    } finally {
      await probe.destroy()
    }
  })
})
