// Framing fuzz of a real UDPRequest (on the in-memory transport, so the run is deterministic):
// a seeded stream of valid, mutated and random datagrams, from the host a request went to and
// from another one, including responses that carry the tids of pending requests. Properties:
// nothing escapes the message handler; every datagram lands in exactly one counter; warnings are
// UDPRequestErrors of the three drop codes; a request event carries the header's tid and the body
// as a view of the datagram; a pending request resolves only from the address it went to.
import { describe, expect, it } from 'vitest'
import { Prng, envCount, fuzzSeed, mutate } from '@hyperdht-ts/test-utils'
import { UDPRequest, UDPRequestError, type Encoding } from '../src/index.js'
import { frame, isRequest, tidOf } from '../src/header.js'
import { MemoryNetwork } from '../src/memory.js'

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')

/** Bytes through, except a body starting with 0xff, which "does not decode" (a TypeError). */
const strict: Encoding<Uint8Array> = {
  encode: (v) => v,
  decode: (b) => {
    if (b[0] === 0xff) throw new TypeError('bad body')
    return b
  }
}

describe('udp-request framing under fuzz', () => {
  it('header pieces: frame, isRequest and tidOf agree for every tid and body', () => {
    const rand = new Prng(1)
    for (let i = 0; i < 5000; i++) {
      const tid = rand.int(0x10000) // beyond 15 bits too: frame masks it
      const request = rand.chance(0.5)
      const body = rand.bytes(rand.length(100))
      const m = frame(request, tid, body)
      expect(isRequest(m)).toBe(request)
      expect(tidOf(m)).toBe(tid & 0x7fff)
      expect(hex(m.subarray(2))).toBe(hex(body))
    }
  })

  it('a seeded stream of datagrams: every one counted once, typed warnings, responses only from where requests went', async () => {
    const seed = fuzzSeed()
    const count = envCount('FUZZ_FRAMES', 20_000)
    console.log(`udp-request framing: seed ${seed}, ${count} datagrams (replay: FUZZ_SEED=${seed} FUZZ_FRAMES=${count})`)
    const rand = new Prng(seed)
    const net = new MemoryNetwork()
    const rpc = new UDPRequest({ socket: net.createSocket(), requestEncoding: strict, responseEncoding: strict, timeout: 60_000 })
    const peer = net.createSocket() // the host our requests go to
    const other = net.createSocket() // a third party that knows nothing
    await rpc.listen(0, '127.0.0.1')
    await Promise.all([peer, other].map(async (s) => await new Promise<void>((resolve) => s.bind(0, '127.0.0.2', () => resolve()))))
    const to = { host: '127.0.0.2', port: peer.address().port }

    // requests in flight to `peer`: their tids are what the fuzzer will try to answer from `other`
    const tids: number[] = []
    peer.on('message', (m: Uint8Array) => { if (m.length >= 2 && isRequest(m)) tids.push(tidOf(m)) })
    const pending = Array.from({ length: 8 }, () => rpc.request(new Uint8Array([1, 2, 3]), to).then((r) => ({ ok: true as const, r }), (err: unknown) => ({ ok: false as const, err })))
    while (tids.length < 8) await new Promise((resolve) => setImmediate(resolve))

    const warnings = new Map<string, number>()
    rpc.on('warning', (err) => {
      expect(UDPRequestError.isInstance(err)).toBe(true)
      warnings.set(err.code, (warnings.get(err.code) ?? 0) + 1)
    })
    const sent = new Map<string, Uint8Array>() // what the fuzzer sent, by the body's hex, to check request events
    let requests = 0
    rpc.on('request', (value, from) => {
      requests++
      expect(value).toBeInstanceOf(Uint8Array)
      expect(from.tid).toBeGreaterThanOrEqual(0)
      expect(from.tid).toBeLessThan(0x8000)
      const original = sent.get(hex(value) + ':' + from.tid)
      expect(original, `a request event for a datagram nobody sent: tid ${from.tid} body ${hex(value)}`).toBeDefined()
    })
    const resolvedBy: string[] = []
    rpc.on('response', (_value, from) => resolvedBy.push(`${from.host}:${from.port}`))

    const seeds = [
      ...tids.map((t) => frame(false, t, new Uint8Array([9, 9]))),
      frame(true, 5, new Uint8Array(0)),
      frame(true, 0x7fff, rand.bytes(40)),
      frame(false, 1234, rand.bytes(10)),
      frame(true, 1, new Uint8Array([0xff, 1]))
    ]
    let delivered = 0
    for (let i = 0; i < count; i++) {
      const base = rand.pick(seeds)
      const bytes = rand.chance(0.1) ? rand.bytes(rand.int(6)) : rand.chance(0.2) ? base : mutate(rand, base, { maxOps: 2, headerBytes: 2 }).bytes
      if (bytes.length >= 2) sent.set(hex(bytes.subarray(2)) + ':' + tidOf(bytes), bytes)
      // answers to pending tids come mostly from the third party: those must never resolve
      const from = rand.chance(0.9) ? other : peer
      from.send(bytes, rpc.address().port, '127.0.0.1')
      delivered++
      if (i % 64 === 63) await new Promise((resolve) => setImmediate(resolve))
    }
    while (net.stats.delivered < delivered + 8) await new Promise((resolve) => setImmediate(resolve))

    const s = rpc.stats
    // every datagram in exactly one counter
    expect(s.dropped.tooShort + s.dropped.undecodable + s.requestsReceived + s.responsesReceived).toBe(delivered)
    expect(s.requestsReceived).toBe(requests)
    expect(s.dropped.tooShort).toBe(warnings.get('MESSAGE_TOO_SHORT') ?? 0)
    expect(s.dropped.undecodable).toBe(warnings.get('DECODE_FAILED') ?? 0)
    expect(s.dropped.wrongHost).toBe(warnings.get('WRONG_HOST') ?? 0)
    expect([...warnings.keys()].filter((c) => !['MESSAGE_TOO_SHORT', 'DECODE_FAILED', 'WRONG_HOST'].includes(c))).toEqual([])
    // a matched response is one that settled a pending request, from the host it went to
    const matched = s.responsesReceived - s.dropped.unmatchedResponse - s.dropped.wrongHost
    expect(matched).toBe(resolvedBy.length)
    expect(s.dropped.wrongHost).toBeGreaterThan(0)
    expect(matched).toBeGreaterThan(0)
    for (const by of resolvedBy) expect(by).toBe(`${to.host}:${to.port}`)
    expect(rpc.inflight).toBe(8 - matched)

    await rpc.destroy()
    const outcomes = await Promise.all(pending)
    expect(outcomes.filter((o) => o.ok).length).toBe(matched)
    for (const o of outcomes) if (o.ok) expect(o.r.peer.port).toBe(to.port)
    for (const o of outcomes) if (!o.ok) expect((o.err as UDPRequestError).code).toBe('DESTROYED')
    peer.close()
    other.close()
    net.destroy()
  })
})
