// Unit behaviour over real loopback sockets (127.0.0.1). Short timeouts keep it fast:
// timeout 40 -> 10 ms tick.
import { createHook } from 'node:async_hooks'
import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import { afterEach, describe, expect, test } from 'vitest'
import { HOST, dec, enc, packet, rawServer, sendRaw, waitFor, type RawServer } from '../test/helpers.js'
import { internHost, UDPRequest, UDPRequestError, type Encoding } from './index.js'

const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map(async (fn) => await fn()))
})

function track<T extends { destroy: () => Promise<void> }> (rpc: T): T {
  cleanup.push(async () => { await rpc.destroy() })
  return rpc
}

async function echoServer (opts: { timeout?: number, retry?: boolean } = {}): Promise<UDPRequest> {
  const server = track(new UDPRequest(opts))
  server.on('request', (value, peer) => server.response(value, peer))
  await server.listen(0, HOST)
  return server
}

async function silent (reply?: Parameters<typeof rawServer>[0]): Promise<RawServer> {
  const s = await rawServer(reply)
  cleanup.push(s.close)
  return s
}

async function rejection (p: Promise<unknown>): Promise<UDPRequestError> {
  try {
    await p
  } catch (err) {
    expect(UDPRequestError.isInstance(err)).toBe(true)
    return err as UDPRequestError
  }
  throw new Error('expected a rejection')
}

const json: Encoding<unknown> = {
  encode: (v) => enc(JSON.stringify(v)),
  decode: (b) => JSON.parse(dec(b))
}

describe('request / response', () => {
  test('echoes a request and reports the responding peer with the tid', async () => {
    const server = await echoServer()
    const seen: Array<{ tid: number, port: number }> = []
    server.on('request', (_v, peer) => seen.push(peer))
    const client = track(new UDPRequest())
    const { port } = server.address()

    const { value, peer } = await client.request(enc('hello'), { host: HOST, port })
    expect(dec(value)).toBe('hello')
    expect(peer).toEqual({ host: HOST, port, tid: seen[0]!.tid })
    expect(seen[0]!.port).toBe(client.address().port)
    expect(client.inflight).toBe(0)
    expect(client.stats).toMatchObject({ requestsSent: 1, responsesReceived: 1, retries: 0, timeouts: 0 })
    expect(server.stats).toMatchObject({ requestsReceived: 1, responsesSent: 1 })
  })

  test('uses the request and response encodings', async () => {
    const server = track(new UDPRequest<unknown, unknown>({ requestEncoding: json, responseEncoding: json }))
    server.on('request', (value, peer) => server.response({ got: value }, peer))
    await server.listen(0, HOST)
    const client = track(new UDPRequest<unknown, unknown>({ requestEncoding: json, responseEncoding: json }))
    const { value } = await client.request({ n: 1 }, { host: HOST, port: server.address().port })
    expect(value).toEqual({ got: { n: 1 } })
  })

  test('many concurrent requests all resolve with their own answers', async () => {
    const server = await echoServer()
    // retry: loopback drops datagrams when a socket's receive buffer fills up
    const client = track(new UDPRequest({ timeout: 200, retry: true }))
    const port = server.address().port
    const results = await Promise.all(Array.from({ length: 500 }, async (_, i) => {
      const { value } = await client.request(enc(String(i)), { host: HOST, port })
      return dec(value)
    }))
    expect(results).toEqual(Array.from({ length: 500 }, (_, i) => String(i)))
    expect(client.inflight).toBe(0)
  })

  test('inflight counts pending requests', async () => {
    const server = await silent()
    const client = track(new UDPRequest({ timeout: 40 }))
    const p = Promise.allSettled([1, 2, 3].map(async (i) => await client.request(Uint8Array.of(i), { host: HOST, port: server.port })))
    expect(client.inflight).toBe(3)
    await p
    expect(client.inflight).toBe(0)
  })

  test('emits response only for a response that matched a request; others as unmatched-response', async () => {
    const server = await rawServer((msg, rinfo, socket) => {
      socket.send(packet(false, msg.readUInt16BE(0) & 0x7fff, enc('ok')), rinfo.port, rinfo.address)
    })
    const client = track(new UDPRequest())
    await client.listen(0, HOST)
    const other = await silent()
    const responses: number[] = []
    const unmatched: number[] = []
    client.on('response', (_v, peer) => responses.push(peer.tid))
    client.on('unmatched-response', (_v, peer) => unmatched.push(peer.tid))
    await sendRaw(other.socket, packet(false, 77, enc('late')), client.address().port)
    await waitFor(() => unmatched.length === 1)
    const { peer } = await client.request(enc('hi'), { host: HOST, port: server.port })
    // a response with a pending tid from the wrong sender is not reported either
    const pending = client.request(enc('again'), { host: HOST, port: (await silent()).port }).catch(() => {})
    await sendRaw(other.socket, packet(false, (peer.tid + 1) % 32767, enc('spoof')), client.address().port)
    await waitFor(() => client.stats.dropped.wrongHost === 1)
    expect(responses).toEqual([peer.tid])
    expect(unmatched).toEqual([77])
    expect(client.stats.dropped.unmatchedResponse).toBe(1)
    expect(client.stats.responsesReceived).toBe(3)
    await client.destroy()
    await pending
    await server.close()
  })
})

describe('forwarding', () => {
  test('forwardRequest / forwardResponse reuse the tid and set / clear the request bit', async () => {
    const b = await silent()
    const f = track(new UDPRequest())
    await f.listen(0, HOST)
    const a = await silent()
    f.on('request', (v, from) => f.forwardRequest(v, from, { host: HOST, port: b.port }))
    f.on('unmatched-response', (v, from) => f.forwardResponse(v, from, { host: HOST, port: a.port }))
    const fPort = f.address().port

    await sendRaw(a.socket, packet(true, 4242, enc('req')), fPort)
    await waitFor(() => b.received.length === 1)
    expect([...b.received[0]!.msg]).toEqual([...packet(true, 4242, enc('req'))])

    await sendRaw(b.socket, packet(false, 4242, enc('res')), fPort)
    await waitFor(() => a.received.length === 1)
    expect([...a.received[0]!.msg]).toEqual([...packet(false, 4242, enc('res'))])
    expect(f.stats).toMatchObject({ forwardedRequests: 1, forwardedResponses: 1, requestsReceived: 1, responsesReceived: 1 })
    expect(f.stats.dropped.unmatchedResponse).toBe(1)
  })
})

describe('timeouts and retries', () => {
  test('without retry a request is sent once and times out', async () => {
    const server = await silent()
    const client = track(new UDPRequest({ timeout: 40 }))
    const err = await rejection(client.request(enc('x'), { host: HOST, port: server.port }))
    expect(err.code).toBe('REQUEST_TIMEOUT')
    expect(err.peer).toEqual({ host: HOST, port: server.port })
    expect(server.received).toHaveLength(1)
    expect(client.stats).toMatchObject({ timeouts: 1, retries: 0 })
  })

  test('with retry a request is resent 3 times, then times out', async () => {
    const server = await silent()
    const client = track(new UDPRequest({ timeout: 40, retry: true }))
    const err = await rejection(client.request(enc('x'), { host: HOST, port: server.port }))
    expect(err.code).toBe('REQUEST_TIMEOUT')
    expect(server.received).toHaveLength(4)
    const tids = new Set(server.received.map(({ msg }) => msg.readUInt16BE(0)))
    expect(tids.size).toBe(1) // every copy carries the same header
    expect(client.stats).toMatchObject({ timeouts: 1, retries: 3 })
  })

  test('the per-request retry option overrides the instance default', async () => {
    const server = await silent()
    const client = track(new UDPRequest({ timeout: 40, retry: true }))
    await rejection(client.request(enc('x'), { host: HOST, port: server.port }, { retry: false }))
    expect(server.received).toHaveLength(1)
    const plain = track(new UDPRequest({ timeout: 40 }))
    await rejection(plain.request(enc('y'), { host: HOST, port: server.port }, { retry: true }))
    expect(server.received).toHaveLength(5)
  })

  test('a retried request resolves when a later copy is answered', async () => {
    let copies = 0
    const server = await silent((msg, rinfo, socket) => {
      if (++copies === 2) socket.send(packet(false, msg.readUInt16BE(0) & 0x7fff, enc('second')), rinfo.port, rinfo.address)
    })
    const client = track(new UDPRequest({ timeout: 40, retry: true }))
    const { value } = await client.request(enc('x'), { host: HOST, port: server.port })
    expect(dec(value)).toBe('second')
    expect(client.stats.retries).toBe(1)
    expect(server.received).toHaveLength(2)
  })
})

describe('cancellation and destroy', () => {
  test('an AbortSignal cancels a pending request', async () => {
    const server = await silent()
    const client = track(new UDPRequest())
    const ac = new AbortController()
    const p = client.request(enc('x'), { host: HOST, port: server.port }, { signal: ac.signal })
    expect(client.inflight).toBe(1)
    ac.abort(new Error('user gave up'))
    const err = await rejection(p)
    expect(err.code).toBe('REQUEST_CANCELLED')
    expect((err.cause as Error).message).toBe('user gave up')
    expect(client.inflight).toBe(0)
    expect(client.stats.cancelled).toBe(1)
  })

  test('an already-aborted signal rejects at once and sends nothing', async () => {
    const server = await silent()
    const client = track(new UDPRequest())
    const err = await rejection(client.request(enc('x'), { host: HOST, port: server.port }, { signal: AbortSignal.abort() }))
    expect(err.code).toBe('REQUEST_CANCELLED')
    expect(client.inflight).toBe(0)
    expect(client.stats.requestsSent).toBe(0)
  })

  test('aborting after the response has no effect', async () => {
    const server = await echoServer()
    const client = track(new UDPRequest())
    const ac = new AbortController()
    const { value } = await client.request(enc('ok'), { host: HOST, port: server.address().port }, { signal: ac.signal })
    ac.abort()
    expect(dec(value)).toBe('ok')
    expect(client.stats.cancelled).toBe(0)
  })

  test('destroy cancels pending requests with DESTROYED, is idempotent and emits close once', async () => {
    const server = await silent()
    const client = new UDPRequest({ retry: true })
    await client.listen(0, HOST)
    let closes = 0
    client.on('close', () => { closes++ })
    const pending = [1, 2].map(async (i) => await client.request(Uint8Array.of(i), { host: HOST, port: server.port }))
    const d1 = client.destroy()
    const d2 = client.destroy()
    expect(d1).toBe(d2)
    for (const p of pending) expect((await rejection(p)).code).toBe('DESTROYED')
    await d1
    await client.destroy()
    expect(closes).toBe(1)
    expect(client.destroyed).toBe(true)
    expect(client.inflight).toBe(0)
    expect((await rejection(client.request(enc('x'), { host: HOST, port: server.port }))).code).toBe('DESTROYED')
    expect((await rejection(client.listen())).code).toBe('DESTROYED')
    expect(() => client.response(enc('x'), { host: HOST, port: server.port, tid: 1 })).not.toThrow()
  })

  test('destroy during listen rejects the listen', async () => {
    const rpc = new UDPRequest()
    const listening = rpc.listen(0, 'localhost')
    await rpc.destroy()
    expect((await rejection(listening)).code).toBe('DESTROYED')
  })

  test('a socket closed from outside tears the instance down', async () => {
    const socket = createSocket('udp4')
    const rpc = new UDPRequest({ socket })
    await rpc.listen(0, HOST)
    const server = await silent()
    const p = rpc.request(enc('x'), { host: HOST, port: server.port })
    const closed = once(rpc, 'close')
    socket.close()
    expect((await rejection(p)).code).toBe('DESTROYED')
    await closed
    expect(rpc.destroyed).toBe(true)
    await rpc.destroy()
  })

  test('after destroy no timer or socket of ours remains', async () => {
    // Track every timer and UDP handle created while the instances run; each must be destroyed.
    // (Counting process.getActiveResourcesInfo() instead is flaky: vitest's own RPC timers come and go.)
    const live = new Map<number, string>()
    let recording = true
    const hook = createHook({
      init (id, type) { if (recording && (type === 'Timeout' || type === 'UDPWRAP')) live.set(id, type) },
      destroy (id) { live.delete(id) }
    }).enable()
    try {
      const server = new UDPRequest({ timeout: 400 })
      server.on('request', (v, peer) => server.response(v, peer))
      await server.listen(0, HOST)
      // A 10 s tick: only destroy() itself can stop this interval within the test.
      const client = new UDPRequest({ timeout: 40_000, retry: true })
      await client.request(enc('a'), { host: HOST, port: server.address().port })
      const pending = client.request(enc('b'), { host: HOST, port: 9 }).catch((err) => err)
      const during = [...live.values()]
      expect(during.filter((t) => t === 'UDPWRAP')).toHaveLength(2)
      expect(during).toContain('Timeout')
      await Promise.all([client.destroy(), server.destroy()])
      expect((await pending).code).toBe('DESTROYED')
      recording = false
      await waitFor(() => live.size === 0, 1000).catch(() => {})
      expect([...live.values()]).toEqual([])
    } finally {
      hook.disable()
    }
  })
})

describe('transaction ids', () => {
  test('the tid counter wraps below 32767', async () => {
    const server = await silent((msg, rinfo, socket) => { socket.send(packet(false, msg.readUInt16BE(0) & 0x7fff), rinfo.port, rinfo.address) })
    const client = track(new UDPRequest({ firstTid: 32765 }))
    const tids: number[] = []
    for (let i = 0; i < 4; i++) tids.push((await client.request(enc('x'), { host: HOST, port: server.port })).peer.tid)
    expect(tids).toEqual([32765, 32766, 0, 1])
    expect(server.received.map(({ msg }) => msg.readUInt16BE(0))).toEqual([0x8000 | 32765, 0x8000 | 32766, 0x8000, 0x8001])
  })

  test('the tid counter starts at a random value', async () => {
    const server = await silent()
    const rpcs = Array.from({ length: 5 }, () => new UDPRequest())
    const pending = rpcs.map(async (rpc) => await rpc.request(enc('x'), { host: HOST, port: server.port }).catch(() => {}))
    await waitFor(() => server.received.length === 5)
    await Promise.all(rpcs.map(async (rpc) => { await rpc.destroy() }))
    await Promise.all(pending)
    expect(new Set(server.received.map(({ msg }) => msg.readUInt16BE(0))).size).toBeGreaterThan(1)
  })

  test('the counter skips tids still pending; with every tid pending requests are refused', async () => {
    const closed = await rawServer()
    await closed.close() // a port nobody listens on: unconnected UDP sends there vanish silently
    const server = await silent()
    const client = track(new UDPRequest({ firstTid: 0, timeout: 60_000 }))
    const pending: Array<Promise<unknown>> = []
    const ac = new AbortController()
    for (let i = 0; i < 32767; i++) {
      const signal = i === 5 ? ac.signal : undefined
      pending.push(client.request(new Uint8Array(0), { host: HOST, port: closed.port }, { signal }).catch((err) => err))
    }
    expect(client.inflight).toBe(32767)
    expect((await rejection(client.request(enc('x'), { host: HOST, port: server.port }))).code).toBe('TOO_MANY_REQUESTS')
    ac.abort() // frees tid 5 only; the counter has wrapped to 0, which is still pending
    void client.request(enc('x'), { host: HOST, port: server.port }).catch(() => {})
    // behind 32,767 queued sends: generous on a loaded machine
    await waitFor(() => server.received.length === 1, 30_000)
    expect(server.received[0]!.msg.readUInt16BE(0)).toBe(0x8000 | 5)
    await client.destroy()
    const codes = new Set((await Promise.all(pending)).map((err) => (err as UDPRequestError).code))
    expect(codes).toEqual(new Set(['REQUEST_CANCELLED', 'DESTROYED']))
  })
})

describe('sharing the socket', () => {
  test('an interceptor consumes the datagrams it claims; send() writes raw bytes', async () => {
    const a = track(new UDPRequest())
    await a.listen(0, HOST)
    const seen: string[] = []
    a.intercept((msg) => {
      if (msg[0] !== 0x48) return false // 'H': ours; anything else goes on to udp-request
      seen.push(dec(msg))
      return true
    })
    a.on('request', (v, peer) => a.response(v, peer))
    const peer = await silent()
    await sendRaw(peer.socket, enc('Hello'), a.address().port)
    await waitFor(() => seen.length === 1)
    expect(seen).toEqual(['Hello'])
    // a normal request still gets through
    await sendRaw(peer.socket, packet(true, 9, enc('x')), a.address().port)
    await waitFor(() => peer.received.length === 1)
    expect(a.stats.intercepted).toBe(1)
    a.send(enc('raw'), { host: HOST, port: peer.port })
    await waitFor(() => peer.received.length === 2)
    expect(dec(peer.received[1]!.msg)).toBe('raw')
    expect(a.stats.datagramsSent).toBe(1)
    a.intercept(null)
    expect(() => a.intercept(5 as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
  })

  test('a per-request timeout overrides the instance timeout', async () => {
    const server = await silent()
    const client = track(new UDPRequest({ timeout: 4000 }))
    const t0 = Date.now()
    const err = await rejection(client.request(enc('x'), { host: HOST, port: server.port }, { timeout: 200 }))
    expect(err.code).toBe('REQUEST_TIMEOUT')
    // well before the instance's ~5 s (200 ms rounds up to whole 1 s ticks: at most ~2 s)
    expect(Date.now() - t0).toBeLessThan(4000)
    expect((await rejection(client.request(enc('x'), { host: HOST, port: server.port }, { timeout: -1 }))).code).toBe('INVALID_ARGUMENT')
  })

  test('an encoding with encodeInto is framed in one buffer and decoded in place', async () => {
    const calls: string[] = []
    const enc2 = {
      encode: (v: Uint8Array) => { calls.push('encode'); return v },
      encodingLength: (v: Uint8Array) => v.byteLength,
      encodeInto: (v: Uint8Array, buf: Uint8Array, offset: number) => { calls.push('encodeInto'); buf.set(v, offset); return offset + v.byteLength },
      decode: (b: Uint8Array, offset = 0, end = b.byteLength) => { calls.push(`decode@${offset}`); return b.subarray(offset, end) }
    }
    const server = track(new UDPRequest({ requestEncoding: enc2, responseEncoding: enc2 }))
    await server.listen(0, HOST)
    server.on('request', (v, peer) => server.response(v, peer))
    const client = track(new UDPRequest({ requestEncoding: enc2, responseEncoding: enc2 }))
    const { value } = await client.request(enc('ping'), { host: HOST, port: server.address().port })
    expect(dec(value)).toBe('ping')
    expect(calls).not.toContain('encode')
    expect(calls.filter((c) => c === 'decode@2')).toHaveLength(2)
  })
})

describe('sendRequest (a handler instead of a promise)', () => {
  function recorder (): { calls: string[], results: unknown[], handler: { resolve: (r: unknown) => void, reject: (e: Error) => void } } {
    const calls: string[] = []
    const results: unknown[] = []
    return {
      calls,
      results,
      handler: {
        resolve: (r) => { calls.push('resolve'); results.push(r) },
        reject: (e) => { calls.push('reject'); results.push(e) }
      }
    }
  }

  test('calls resolve once with the answer and the peer, as request() resolves', async () => {
    const server = await echoServer()
    const client = track(new UDPRequest())
    const r = recorder()
    client.sendRequest(enc('hello'), { host: HOST, port: server.address().port }, {}, r.handler)
    expect(r.calls).toEqual([]) // the answer is asynchronous
    await waitFor(() => r.calls.length > 0)
    expect(r.calls).toEqual(['resolve'])
    const { value, peer } = r.results[0] as { value: Uint8Array, peer: { host: string, port: number } }
    expect(dec(value)).toBe('hello')
    expect(peer).toMatchObject({ host: HOST, port: server.address().port })
    expect(client.inflight).toBe(0)
  })

  test('calls reject once with REQUEST_TIMEOUT when nobody answers', async () => {
    const s = await silent()
    const client = track(new UDPRequest({ timeout: 40 }))
    const r = recorder()
    client.sendRequest(enc('x'), { host: HOST, port: s.port }, {}, r.handler)
    await waitFor(() => r.calls.length > 0)
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(r.calls).toEqual(['reject'])
    expect((r.results[0] as UDPRequestError).code).toBe('REQUEST_TIMEOUT')
  })

  test('never throws: a request that cannot be sent is rejected before it returns', async () => {
    const client = track(new UDPRequest())
    const r = recorder()
    client.sendRequest(enc('x'), { host: '', port: 1 }, {}, r.handler)
    client.sendRequest(enc('x'), { host: HOST, port: 1 }, { timeout: -1 }, r.handler)
    await client.destroy()
    client.sendRequest(enc('x'), { host: HOST, port: 1 }, {}, r.handler)
    expect(r.calls).toEqual(['reject', 'reject', 'reject'])
    expect(r.results.map((e) => (e as UDPRequestError).code)).toEqual(['INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'DESTROYED'])
  })

  test('options may be undefined; a handler without resolve and reject is refused at once', async () => {
    const server = await echoServer()
    const client = track(new UDPRequest())
    const r = recorder()
    client.sendRequest(enc('x'), { host: HOST, port: server.address().port }, undefined, r.handler)
    await waitFor(() => r.calls.length > 0)
    expect(r.calls).toEqual(['resolve'])
    for (const bad of [null, {}, { resolve: () => {} }]) {
      let err: unknown
      try {
        client.sendRequest(enc('x'), { host: HOST, port: server.address().port }, {}, bad as never)
      } catch (e) {
        err = e
      }
      expect((err as UDPRequestError).code).toBe('INVALID_ARGUMENT')
    }
    expect(client.inflight).toBe(0)
  })

  test('destroy rejects a pending request through its handler with DESTROYED', async () => {
    const s = await silent()
    const client = track(new UDPRequest())
    const r = recorder()
    client.sendRequest(enc('x'), { host: HOST, port: s.port }, {}, r.handler)
    await client.destroy()
    expect(r.calls).toEqual(['reject'])
    expect((r.results[0] as UDPRequestError).code).toBe('DESTROYED')
  })
})

describe('internHost', () => {
  // (which object comes back is not observable from JS; the value is)
  test('returns the host it was given, whether it is the last one interned, one before, or new', () => {
    const copy = (s: string): string => s.split('').join('') // an equal string built at run time
    expect(internHost(copy('198.51.100.1'))).toBe('198.51.100.1')
    expect(internHost(copy('198.51.100.2'))).toBe('198.51.100.2')
    expect(internHost(copy('198.51.100.2'))).toBe('198.51.100.2') // the last one
    expect(internHost(copy('198.51.100.1'))).toBe('198.51.100.1') // from the table
    expect(internHost(copy('198.51.100.1'))).toBe('198.51.100.1')
  })
})
