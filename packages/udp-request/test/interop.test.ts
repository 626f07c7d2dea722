// Interop with the reference implementation, udp-request@1.4.0, over real loopback sockets:
// our client with its server, its client with our server, and forwarding through a third socket
// in every mix of implementations.
import udp from 'udp-request'
import { afterEach, describe, expect, test } from 'vitest'
import { UDPRequest, UDPRequestError } from '../src/index.js'
import { HOST, dec, enc, rawServer, waitFor } from './helpers.js'

type Impl = 'ours' | 'ref'
interface Seen { host: string, port: number, tid: number }

/** One API over both implementations, so the forwarding scenarios can mix them freely. */
interface Node {
  impl: Impl
  port: number
  request: (body: string, port: number, forwarded?: boolean) => Promise<{ value: string, tid: number, from: number }>
  onRequest: (fn: (value: string, peer: Seen) => void) => void
  onResponse: (fn: (value: string, peer: Seen) => void) => void
  response: (value: string, peer: Seen) => void
  forwardRequest: (value: string, from: Seen, to: { host: string, port: number }) => void
  forwardResponse: (value: string, from: Seen, to: { host: string, port: number }) => void
  destroy: () => Promise<void>
}

const nodes: Node[] = []
afterEach(async () => {
  await Promise.all(nodes.splice(0).map(async (n) => { await n.destroy() }))
})

async function ours (): Promise<Node> {
  const rpc = new UDPRequest()
  await rpc.listen(0, HOST)
  const node: Node = {
    impl: 'ours',
    port: rpc.address().port,
    request: async (body, port, forwarded) => {
      const { value, peer } = await rpc.request(enc(body), { host: HOST, port }, { forwarded })
      return { value: dec(value), tid: peer.tid, from: peer.port }
    },
    onRequest: (fn) => rpc.on('request', (v, peer) => fn(dec(v), peer)),
    onResponse: (fn) => rpc.on('unmatched-response', (v, peer) => fn(dec(v), peer)),
    response: (v, peer) => rpc.response(enc(v), peer),
    forwardRequest: (v, from, to) => rpc.forwardRequest(enc(v), from, to),
    forwardResponse: (v, from, to) => rpc.forwardResponse(enc(v), from, to),
    destroy: async () => { await rpc.destroy() }
  }
  nodes.push(node)
  return node
}

async function ref (): Promise<Node> {
  const sock = udp()
  await new Promise<void>((resolve) => sock.listen(0, resolve))
  const peerOf = (p: { host: string, port: number, tid?: number }): Seen => ({ host: p.host, port: p.port, tid: p.tid! })
  const node: Node = {
    impl: 'ref',
    port: sock.address().port,
    request: async (body, port) => await new Promise((resolve, reject) => {
      sock.request(body, { host: HOST, port }, (err, value, peer) => {
        if (err) reject(err)
        else resolve({ value: value.toString(), tid: peer.tid!, from: peer.port })
      })
    }),
    onRequest: (fn) => sock.on('request', (v: Buffer, peer) => fn(v.toString(), peerOf(peer))),
    onResponse: (fn) => sock.on('response', (v: Buffer, peer) => fn(v.toString(), peerOf(peer))),
    response: (v, peer) => sock.response(v, peer),
    forwardRequest: (v, from, to) => sock.forwardRequest(v, from, to),
    forwardResponse: (v, from, to) => sock.forwardResponse(v, from, to),
    destroy: async () => {
      const closed = new Promise<void>((resolve) => sock.once('close', resolve))
      sock.destroy()
      await closed
    }
  }
  nodes.push(node)
  return node
}

const make = async (impl: Impl): Promise<Node> => impl === 'ours' ? await ours() : await ref()

function echo (node: Node): void {
  node.onRequest((v, peer) => node.response('echo:' + v, peer))
}

describe('client / server', () => {
  test.each([
    ['ours', 'ref'],
    ['ref', 'ours']
  ] as Array<[Impl, Impl]>)('%s client with %s server', async (clientImpl, serverImpl) => {
    const server = await make(serverImpl)
    const seen: Seen[] = []
    server.onRequest((_v, peer) => seen.push(peer))
    echo(server)
    const client = await make(clientImpl)

    const { value, tid } = await client.request('hello', server.port)
    expect(value).toBe('echo:hello')
    expect(seen[0]).toEqual({ host: HOST, port: client.port, tid })

    const many = await Promise.all(Array.from({ length: 50 }, async (_, i) => (await client.request(String(i), server.port)).value))
    expect(many).toEqual(Array.from({ length: 50 }, (_, i) => 'echo:' + String(i)))
  })

  test('our request and the reference request are the same bytes', async () => {
    const sink = await rawServer()
    try {
      const rpc = new UDPRequest({ firstTid: 1234 })
      const sock = udp()
      rpc.request(enc('same body'), { host: HOST, port: sink.port }).catch(() => {})
      sock.request('same body', { host: HOST, port: sink.port }, () => {})
      await waitFor(() => sink.received.length === 2)
      const [a, b] = sink.received.map(({ msg }) => msg)
      expect(a!.readUInt16BE(0)).toBe(0x8000 | 1234)
      expect(b!.readUInt16BE(0) & 0x8000).toBe(0x8000)
      expect(a!.subarray(2)).toEqual(b!.subarray(2))
      await rpc.destroy()
      sock.destroy()
    } finally {
      await sink.close()
    }
  })

  test('our client times out against a reference server that does not answer', async () => {
    const server = await ref() // no request handler: never answers
    const rpc = new UDPRequest({ timeout: 40, retry: true })
    try {
      let err: unknown
      await rpc.request(enc('x'), { host: HOST, port: server.port }).catch((e) => { err = e })
      expect(UDPRequestError.isInstance(err) && err.code).toBe('REQUEST_TIMEOUT')
      expect(rpc.stats.retries).toBe(3)
    } finally {
      await rpc.destroy()
    }
  })
})

describe('forwarding through a third socket', () => {
  const impls: Impl[] = ['ours', 'ref']
  const combos = impls.flatMap((a) => impls.flatMap((f) => impls.map((b) => [a, f, b] as [Impl, Impl, Impl])))

  test.each(combos)('A=%s requests via F=%s to B=%s; the response is forwarded back', async (aImpl, fImpl, bImpl) => {
    const [a, f, b] = [await make(aImpl), await make(fImpl), await make(bImpl)]

    // B answers whoever asked; it sees F as the sender, with A's tid.
    const seenByB: Seen[] = []
    b.onRequest((v, peer) => {
      seenByB.push(peer)
      b.response(v + '|B', peer)
    })

    // F forwards requests to B and routes the answers back by tid (request bit set, then cleared).
    const routes = new Map<number, { host: string, port: number }>()
    f.onRequest((v, from) => {
      routes.set(from.tid, { host: from.host, port: from.port })
      f.forwardRequest(v + '|F', from, { host: HOST, port: b.port })
    })
    f.onResponse((v, from) => {
      const back = routes.get(from.tid)
      if (back === undefined) return
      routes.delete(from.tid)
      f.forwardResponse(v + '|F', from, back)
    })

    const { value, tid } = await a.request('A', f.port)
    expect(value).toBe('A|F|B|F')
    expect(seenByB).toEqual([{ host: HOST, port: f.port, tid }])
  })
})

describe('holepunch pattern: forwarded request, answered directly', () => {
  // A asks F; F forwards to B with A's tid and tells B where A is (as dht-rpc's forwardResponse
  // field does); B answers A directly. A's response comes from B, not from F, so our client
  // needs { forwarded: true } (the reference matches on tid alone anyway).
  const impls: Impl[] = ['ours', 'ref']
  const combos = impls.flatMap((a) => impls.flatMap((f) => impls.map((b) => [a, f, b] as [Impl, Impl, Impl])))

  test.each(combos)('A=%s via F=%s, answered by B=%s', async (aImpl, fImpl, bImpl) => {
    const [a, f, b] = [await make(aImpl), await make(fImpl), await make(bImpl)]
    f.onRequest((v, from) => f.forwardRequest(`${v}|${from.port}`, from, { host: HOST, port: b.port }))
    b.onRequest((v, peer) => {
      const [body, aPort] = v.split('|')
      b.response(`${body!}|B`, { host: HOST, port: Number(aPort), tid: peer.tid })
    })
    const { value, from } = await a.request('A', f.port, true)
    expect(value).toBe('A|B')
    expect(from).toBe(b.port)
  })
})
