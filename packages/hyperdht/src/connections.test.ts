// connectToPeers' choices (which peer, through which referrer, which failures rule a host out)
// and the Server's bookkeeping, against a holepuncher and an announcer that only record: the
// punching itself is tested in @hyperdht-ts/holepunch and end to end in test/integration.
import { EventEmitter } from 'node:events'
import { HolepunchError, Listener, SELF_PEER_MESSAGE, type Connection, type ConnectTarget, type Holepuncher } from '@hyperdht-ts/holepunch'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Announcer } from './announcer.js'
import { connectToPeers, LISTEN_KEEPALIVE, Server } from './connections.js'
import { HyperDHTError } from './errors.js'
import type { AnnounceResult, LookupResult, Peer } from './types.js'

const KEY = new Uint8Array(32).fill(1)
const NODE_ID = new Uint8Array(32).fill(2)
const TOKEN = new Uint8Array(32).fill(3)

/** A lookup result of the node at `host:port` holding `peers`. */
function result (referrer: Peer, peers: Peer[], opts: { own?: boolean } = {}): LookupResult {
  return { node: { id: opts.own === true ? null : NODE_ID, ...referrer }, token: opts.own === true ? null : TOKEN, peers, localPeers: [] }
}

async function * lookup (results: LookupResult[]): AsyncGenerator<LookupResult> {
  for (const r of results) yield r
}

/** A holepuncher whose connect() answers from `outcome` (per peer) and records every target. */
function fakeHolepuncher (outcome: (peer: Peer) => Error | 'ok'): { hp: Holepuncher, tried: ConnectTarget[], conn: Connection } {
  const tried: ConnectTarget[] = []
  const conn = { id: 1 } as unknown as Connection
  const hp = {
    connect: async (target: ConnectTarget) => {
      tried.push(target)
      const o = outcome(target.peer)
      if (o !== 'ok') throw o
      return conn
    }
  } as unknown as Holepuncher
  return { hp, tried, conn }
}

const at = (host: string, port: number): Peer => ({ host, port })

describe('connectToPeers', () => {
  it('connects through the node that answered with the peer, with its token', async () => {
    const { hp, tried, conn } = fakeHolepuncher(() => 'ok')
    const got = await connectToPeers(hp, KEY, lookup([result(at('10.0.0.1', 1), [at('10.0.1.1', 7)])]), null, undefined)
    expect(got).toBe(conn)
    expect(tried).toHaveLength(1)
    expect(tried[0]).toMatchObject({ key: KEY, peer: at('10.0.1.1', 7), referrer: at('10.0.0.1', 1), token: TOKEN })
  })

  it('skips our own store, ourselves, and a peer already tried through another referrer', async () => {
    const self = at('10.0.9.9', 9)
    const { hp, tried } = fakeHolepuncher((peer) => peer.port === 8 ? 'ok' : HolepunchError.PEER_NOT_FOUND('not listening', peer))
    await connectToPeers(hp, KEY, lookup([
      result(at('10.0.0.1', 1), [at('10.0.1.1', 7)], { own: true }), // no referrer to punch through
      result(at('10.0.0.2', 1), [self, at('10.0.1.1', 7)]),
      result(at('10.0.0.3', 1), [at('10.0.1.1', 7), at('10.0.1.2', 8)])
    ]), self, undefined)
    expect(tried.map((t) => [`${t.peer.host}:${t.peer.port}`, t.referrer.host])).toEqual([['10.0.1.1:7', '10.0.0.2'], ['10.0.1.2:8', '10.0.0.3']])
  })

  it('does not try a host again under another port once its punch failed; a refusal does not rule it out', async () => {
    const { hp, tried } = fakeHolepuncher((peer) => {
      if (peer.host === '10.0.1.1') return HolepunchError.HOLEPUNCH_FAILED('no way through', { peer })
      if (peer.port === 5) return HolepunchError.PEER_NOT_FOUND('not listening', peer)
      return 'ok'
    })
    await connectToPeers(hp, KEY, lookup([
      result(at('10.0.0.1', 1), [at('10.0.1.1', 7), at('10.0.1.1', 8), at('10.0.1.2', 5)]),
      result(at('10.0.0.2', 1), [at('10.0.1.1', 9), at('10.0.1.2', 6)])
    ]), null, undefined)
    expect(tried.map((t) => `${t.peer.host}:${t.peer.port}`)).toEqual(['10.0.1.1:7', '10.0.1.2:5', '10.0.1.2:6'])
  })

  it('fails with the last punch failure, as a HyperDHTError keeping its code and retryAfter', async () => {
    const { hp } = fakeHolepuncher((peer) => peer.port === 7
      ? HolepunchError.HOLEPUNCH_FAILED('no way through', { peer })
      : HolepunchError.RATE_LIMITED('slow down', peer, 1500))
    const err = await connectToPeers(hp, KEY, lookup([result(at('10.0.0.1', 1), [at('10.0.1.1', 7), at('10.0.1.2', 8)])]), null, undefined).catch((e: unknown) => e)
    expect(HyperDHTError.isInstance(err)).toBe(true)
    expect((err as HyperDHTError).code).toBe('RATE_LIMITED')
    expect((err as HyperDHTError).retryAfter).toBe(1500)
  })

  it('PEER_NOT_FOUND when nobody announced, or the only peer found is ourselves', async () => {
    const { hp, tried } = fakeHolepuncher(() => 'ok')
    const none = await connectToPeers(hp, KEY, lookup([result(at('10.0.0.1', 1), [])]), null, undefined).catch((e: unknown) => e)
    expect((none as HyperDHTError).code).toBe('PEER_NOT_FOUND')
    expect(tried).toHaveLength(0)

    // we announced under another port than the one we know (a NAT): the referrer relays to us
    const selfOnly = fakeHolepuncher((peer) => HolepunchError.PEER_NOT_FOUND(SELF_PEER_MESSAGE, peer))
    const err = await connectToPeers(selfOnly.hp, KEY, lookup([result(at('10.0.0.1', 1), [at('10.0.1.1', 7)])]), null, undefined).catch((e: unknown) => e)
    expect((err as HyperDHTError).code).toBe('PEER_NOT_FOUND')
    expect((err as HyperDHTError).message).toBe('No peer announced on that key')
  })

  it('a real failure is reported rather than meeting ourselves after it', async () => {
    const { hp } = fakeHolepuncher((peer) => peer.port === 7
      ? HolepunchError.BOTH_NATS_RANDOM(peer)
      : HolepunchError.PEER_NOT_FOUND(SELF_PEER_MESSAGE, peer))
    const err = await connectToPeers(hp, KEY, lookup([result(at('10.0.0.1', 1), [at('10.0.1.1', 7), at('10.0.1.2', 8)])]), null, undefined).catch((e: unknown) => e)
    expect((err as HyperDHTError).code).toBe('BOTH_NATS_RANDOM')
  })

  it('stops with ABORTED when the signal aborts during a punch', async () => {
    const ac = new AbortController()
    const { hp, tried } = fakeHolepuncher(() => {
      ac.abort(new Error('enough'))
      return HolepunchError.ABORTED(ac.signal.reason)
    })
    const err = await connectToPeers(hp, KEY, lookup([result(at('10.0.0.1', 1), [at('10.0.1.1', 7), at('10.0.1.2', 8)])]), null, ac.signal).catch((e: unknown) => e)
    expect((err as HyperDHTError).code).toBe('ABORTED')
    expect(tried).toHaveLength(1)
  })
})

class FakeAnnouncer extends EventEmitter {
  stops = 0
  async stop (): Promise<void> { this.stops++ }
}

describe('Server', () => {
  afterEach(() => { vi.useRealTimers() })

  function server (opts: { client?: boolean } = {}): { server: Server, listener: Listener, announcer: FakeAnnouncer, pinged: Peer[], listenerClosed: () => boolean } {
    let closed = false
    const listener = new Listener(KEY, () => { closed = true })
    const announcer = new FakeAnnouncer()
    const pinged: Peer[] = []
    const s = new Server(KEY, listener, {
      holepuncher: {} as unknown as Holepuncher,
      announcer: announcer as unknown as Announcer,
      ping: async (p) => { pinged.push(p); if (p.port === 0) throw new Error('unreachable') },
      isClient: () => opts.client ?? true
    })
    return { server: s, listener, announcer, pinged, listenerClosed: () => closed }
  }

  const announced = (peers: Peer[]): AnnounceResult => ({ committed: peers.map((p) => ({ id: NODE_ID, ...p })), results: [] })

  it('knows which nodes store its announce, and passes on announce failures only to a listener', () => {
    const { server: s, announcer } = server()
    expect(s.storing).toEqual([])
    announcer.emit('announced', announced([at('10.0.0.1', 1), at('10.0.0.2', 2)]))
    expect(s.storing).toEqual([at('10.0.0.1', 1), at('10.0.0.2', 2)])
    announcer.emit('announce-failed', new HyperDHTError('REQUEST_TIMEOUT', 'nobody')) // nobody listens: not an unhandled error
    const failures: HyperDHTError[] = []
    s.on('announce-failed', (e) => failures.push(e))
    announcer.emit('announce-failed', new HyperDHTError('REQUEST_TIMEOUT', 'nobody'))
    expect(failures.map((e) => e.code)).toEqual(['REQUEST_TIMEOUT'])
  })

  it('hands over the listener\'s connections, as events and by iteration', async () => {
    const { server: s, listener } = server()
    const events: Connection[] = []
    s.on('connection', (c) => events.push(c))
    const conn = Object.assign(new EventEmitter(), { id: 5 }) as unknown as Connection
    listener.accept(conn)
    expect(events).toEqual([conn])
    const it = s[Symbol.asyncIterator]()
    expect(await it.next()).toEqual({ value: conn, done: false })
  })

  it('close() stops the listener and the announcer once, and says so once', async () => {
    const { server: s, announcer, listenerClosed } = server()
    let closes = 0
    s.on('close', () => closes++)
    await s.close()
    await s.close()
    expect(s.closed).toBe(true)
    expect(listenerClosed()).toBe(true)
    expect(announcer.stops).toBe(1)
    expect(closes).toBe(1)
  })

  it('is closed when its listener is (the node was destroyed): nothing to unannounce', async () => {
    const { server: s, listener, announcer } = server()
    let closes = 0
    s.on('close', () => closes++)
    listener.close()
    expect(s.closed).toBe(true)
    expect(closes).toBe(1)
    await s.close()
    expect(announcer.stops).toBe(0)
    expect(closes).toBe(1)
  })

  it('in client mode pings the storing nodes on every keepalive tick; in server mode it does not', async () => {
    vi.useFakeTimers()
    const client = server({ client: true })
    const srv = server({ client: false })
    for (const x of [client, srv]) x.announcer.emit('announced', announced([at('10.0.0.1', 1), at('10.0.0.2', 0)]))
    await vi.advanceTimersByTimeAsync(LISTEN_KEEPALIVE)
    expect(client.pinged).toEqual([at('10.0.0.1', 1), at('10.0.0.2', 0)]) // a failed ping is only a lost keepalive
    expect(srv.pinged).toEqual([])
    await client.server.close()
    await vi.advanceTimersByTimeAsync(LISTEN_KEEPALIVE * 2)
    expect(client.pinged).toHaveLength(2) // closed: no more keepalives
    await srv.server.close()
  })
})
