// The holepuncher's connect paths over real loopback UDP, beyond the plain punch of
// loopback.test.ts: punch() on its own, a listener as an async iterable, the answers that refuse
// (SELF, RATE_LIMITED from the referrer, from the listener and from our own birthday budget),
// abort and destroy in the middle of a connect, and a birthday attempt carried out end to end.
// No NAT is in the way here, so a "random" NAT is what the node is told by the remotes it asks
// (the DHT's `observed-address` reports, which are all the holepuncher ever sees of its NAT).
import { randomBytes } from 'node:crypto'
import { createSocket, type Socket } from 'node:dgram'
import { DHT } from '@hyperdht-ts/dht-rpc'
import { testnetHost } from '@hyperdht-ts/dht-rpc/testnet'
import { waitFor } from '@hyperdht-ts/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { failureOf } from '../failure'
import { Holepuncher, HolepunchError, SELF_PEER_MESSAGE, type Connection, type HolepuncherOptions, type Peer } from '../../src/index'
import { decodeFrame, encodeFrame, FRAME_TYPE } from '../../src/connection/frame'
import { Addresses, ANSWER, encodeNat, PunchAnswer, PunchOffer } from '../../src/messages/index'
import { CONNECT_COMMAND } from '../../src/punch/signal'

const cleanup: Array<() => Promise<unknown> | unknown> = []
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!()
})

interface TestNode { dht: DHT, hp: Holepuncher, address: Peer }

/** A DHT node on its own loopback address (testnetHost(i)), with a holepuncher. */
async function node (i: number, opts: HolepuncherOptions & { bootstrap?: Peer, socket?: Socket } = {}): Promise<TestNode> {
  const dht = new DHT({ bootstrap: opts.bootstrap === undefined ? [] : [`${opts.bootstrap.host}:${opts.bootstrap.port}`], socket: opts.socket })
  const hp = new Holepuncher(dht, opts)
  cleanup.push(async () => { await hp.destroy(); await dht.destroy() })
  await dht.listen(0, testnetHost(i))
  await dht.ready()
  return { dht, hp, address: { host: dht.address().host, port: dht.address().port } }
}

/**
 * A referrer `r` and a listener `b` announced on it under `key` (b talked to r, so it accepts r's
 * relays). Nodes get hosts from `first`: each test its own range.
 */
async function network (first: number, opts: { b?: HolepuncherOptions, key?: Uint8Array, socket?: Socket } = {}): Promise<{ r: TestNode, b: TestNode, key: Uint8Array }> {
  const key = opts.key ?? randomBytes(32)
  const r = await node(first, { mode: 'server', socket: opts.socket })
  const b = await node(first + 1, { mode: 'client', bootstrap: r.address, ...opts.b })
  r.hp.announced = (k, peer) => Buffer.from(k).equals(key) && peer.host === b.address.host && peer.port === b.address.port
  await b.dht.ping(r.address)
  return { r, b, key }
}

/**
 * A UDP socket that loses the next response it sends to `dropNext` (then clears it): a lost
 * datagram on the way back, where a lost request would leave the listener out of the test.
 */
function losingSocket (): { socket: Socket, dropNext: Peer | null, dropped: number } {
  const socket = createSocket('udp4')
  const state = { socket, dropNext: null as Peer | null, dropped: 0 }
  const send = socket.send.bind(socket) as (msg: Uint8Array, port: number, host: string, cb?: (err: Error | null) => void) => void
  socket.send = ((msg: Uint8Array, port: number, host: string, cb?: (err: Error | null) => void): void => {
    const to = state.dropNext
    const response = (msg[0]! & 0x80) === 0 // udp-request's header: the top bit marks requests
    if (to !== null && response && to.host === host && to.port === port) {
      state.dropNext = null
      state.dropped++
      cb?.(null)
      return
    }
    send(msg, port, host, cb)
  }) as Socket['send']
  return state
}

/** Makes `n` believe its NAT maps ports randomly: remotes on distinct hosts each report another port. */
function reportRandomNat (n: TestNode): void {
  for (let i = 0; i < 3; i++) n.dht.emit('observed-address', { host: n.address.host, port: 20000 + i * 97 }, { host: `198.51.100.${i + 1}`, port: 49737 })
}

/** The roundtrip token `r` issued `dht` (what a lookup gives): an offer sent with it is verified. */
async function tokenFrom (dht: DHT, r: TestNode, key: Uint8Array): Promise<Uint8Array> {
  if (!commandsOn.has(r.dht)) {
    r.dht.command('test_token', { query: () => null })
    commandsOn.add(r.dht)
  }
  for await (const res of dht.query({ command: 'test_token', target: key })) {
    if (res.node.host === r.address.host && res.node.port === r.address.port && res.token !== null) return res.token
  }
  throw new Error('no token from the referrer')
}
const commandsOn = new WeakSet<DHT>()


describe('holepuncher paths over loopback', () => {
  it('punch() finds the path without opening a connection; connect() then opens one the listener yields', async () => {
    const { r, b, key } = await network(110)
    const logged: string[] = []
    const a = await node(112, { mode: 'client', bootstrap: r.address, logger: { debug: (msg: string) => logged.push(msg) } })
    const listener = b.hp.listen(key)
    expect(() => b.hp.listen(key)).toThrow(/already listening/)

    const result = await a.hp.punch({ key, peer: b.address, referrer: r.address })
    expect(result.remoteAddress).toEqual(b.address)
    expect(['direct', 'holepunch']).toContain(result.path)
    expect(result.rtt).toBeGreaterThanOrEqual(0)
    expect(logged).toContain('holepunch: plan')
    expect(b.hp.stats.connections).toBe(0) // a punch alone opens nothing

    const conn = await a.hp.connect({ key, peer: b.address, referrer: r.address })
    expect(conn.closed).toBe(false)
    expect(conn.maxMessageSize).toBeGreaterThan(0)
    const accepted: Connection[] = []
    const iterating = (async () => { for await (const c of listener) accepted.push(c) })()
    await waitFor(() => accepted.length === 1)
    expect(accepted[0]!.remoteAddress).toEqual(a.address)
    expect(accepted[0]!.initiator).toBe(false)

    listener.close()
    await iterating // closing ends the iteration
    expect(listener.closed).toBe(true)
    listener.close() // idempotent
    // the key is free again, and the connection outlived its listener
    b.hp.listen(key).close()
    await conn.send(Buffer.from('still open'))
    await conn.close()
    expect(conn.closed).toBe(true)
  })

  it('a connect to a key we listen on ourselves, relayed back to us, is PEER_NOT_FOUND (SELF)', async () => {
    const { r, b, key } = await network(120)
    b.hp.listen(key)
    const err = await failureOf(b.hp.connect({ key, peer: b.address, referrer: r.address }))
    expect(err.code).toBe('PEER_NOT_FOUND')
    expect(err.message).toBe(SELF_PEER_MESSAGE)
    expect(b.hp.stats.signal.offers).toBe(1)
    expect(b.hp.stats.connections).toBe(0)
  })

  it('the referrer answers RATE_LIMITED, with retryAfter, once an initiator spent its relay budget', async () => {
    const { r, b, key } = await network(130)
    const a = await node(132, { mode: 'client', bootstrap: r.address })
    // b listens on nothing: every relayed offer is answered NOT_LISTENING at once
    const errors = await Promise.all(Array.from({ length: 40 }, async () => await failureOf(a.hp.punch({ key, peer: b.address, referrer: r.address }))))
    const limited = errors.filter((e) => e.code === 'RATE_LIMITED')
    expect(limited.length).toBeGreaterThan(0)
    expect(errors.filter((e) => e.code === 'PEER_NOT_FOUND').length).toBe(errors.length - limited.length)
    expect(limited[0]!.retryAfter).toBe(500) // one token every 1000 / 2 ms
    expect(limited[0]!.message).toContain('retry in 500 ms')
    expect(r.hp.stats.signal.refused).toBe(limited.length)
  })

  it('an abort or a destroy in the middle of a connect rejects with ABORTED; then everything is DESTROYED', async () => {
    const r = await node(140, { mode: 'server' })
    const a = await node(141, { mode: 'client', bootstrap: r.address })
    const silent = { host: testnetHost(142), port: 9 } // a referrer that never answers
    const target = { key: randomBytes(32), peer: { host: testnetHost(143), port: 9 }, referrer: silent }

    const ac = new AbortController()
    const aborted = a.hp.connect(target, { signal: ac.signal })
    setTimeout(() => ac.abort(new Error('changed my mind')), 100)
    const err = await failureOf(aborted)
    expect(err.code).toBe('ABORTED')
    expect((err.cause as Error).message).toBe('changed my mind')

    const connecting = a.hp.connect(target)
    setTimeout(() => { void a.hp.destroy() }, 100)
    const destroyed = await failureOf(connecting)
    expect(destroyed.code).toBe('ABORTED')
    expect((destroyed.cause as HolepunchError).code).toBe('DESTROYED')
    await a.hp.destroy() // idempotent
    expect((await failureOf(a.hp.connect(target))).code).toBe('DESTROYED')
    expect(() => a.hp.listen(randomBytes(32))).toThrow(HolepunchError)
  })

  it('a peer that answers probes but not OPEN: HOLEPUNCH_FAILED after the open timeout, ABORTED on abort; REFUSE: PEER_NOT_FOUND', async () => {
    // a referrer without our signalling (a bare DHT node): the classic _ping forwarding, then the
    // punch; the "peer" is a socket that answers probes and ignores everything else
    const plain = new DHT({ bootstrap: [] })
    cleanup.push(async () => await plain.destroy())
    await plain.listen(0, testnetHost(212))
    const referrer = { host: plain.address().host, port: plain.address().port }
    const a = await node(213, { mode: 'client', bootstrap: referrer })
    const mute = createSocket('udp4')
    cleanup.push(() => { mute.close() })
    const opens: number[] = []
    let refuse = false
    mute.on('message', (msg, rinfo) => {
      let frame
      try {
        frame = decodeFrame(msg)
      } catch {
        return // a _ping forwarded by the referrer, not a frame
      }
      if (frame.type === FRAME_TYPE.PROBE) mute.send(encodeFrame({ type: FRAME_TYPE.PROBE_ACK, id: frame.id, seq: frame.seq, ack: 0 }), rinfo.port, rinfo.address)
      if (frame.type === FRAME_TYPE.OPEN) {
        opens.push(frame.id)
        if (refuse) mute.send(encodeFrame({ type: FRAME_TYPE.REFUSE, id: frame.id, seq: 0, ack: 0 }), rinfo.port, rinfo.address)
      }
    })
    await new Promise<void>((resolve) => mute.bind(0, testnetHost(214), resolve))
    const peer = { host: testnetHost(214), port: mute.address().port }
    const target = { key: randomBytes(32), peer, referrer }

    const failed = await failureOf(a.hp.connect(target))
    expect(failed.code).toBe('HOLEPUNCH_FAILED')
    expect(failed.message).toBe('The peer did not open the connection')
    expect(new Set(opens).size).toBe(1) // one connection id,
    expect(opens.length).toBeGreaterThan(1) // its OPEN sent again and again

    const ac = new AbortController()
    const before = opens.length
    const aborted = a.hp.connect(target, { signal: ac.signal })
    await waitFor(() => opens.length > before) // punched: now waiting for the OPEN's answer
    ac.abort(new Error('stop'))
    expect((await failureOf(aborted)).code).toBe('ABORTED')

    refuse = true // a peer that answers OPEN with REFUSE does not listen on the key
    const refused = await failureOf(a.hp.connect(target))
    expect(refused.code).toBe('PEER_NOT_FOUND')
    expect(refused.peer).toEqual(peer)
    expect(a.hp.stats.connections).toBe(0)
   }, 60_000)

  it('mode: setMode switches the setting at run time; checkReachability runs a round on demand', async () => {
    const servers: TestNode[] = []
    for (let i = 0; i < 6; i++) servers.push(await node(150 + i, { mode: 'server', bootstrap: servers[0]?.address }))
    await Promise.all(servers.map(async (s) => await s.dht.bootstrap()))
    const x = await node(160, { mode: 'client', bootstrap: servers[0]!.address, promoteAfter: 200, demoteAfter: 200, minDwell: 0, reachInterval: 300, dialbackWait: 1500 })
    expect(x.hp.modeSetting).toBe('client')
    // a round on demand (again if a loaded machine delayed the dialbacks past the wait)
    await waitFor(async () => await x.hp.checkReachability() === 'reachable', 20_000)
    expect(x.hp.stats.reach.dialbacks).toBeGreaterThanOrEqual(3)
    expect(x.hp.mode).toBe('client') // the verdict does not move a node set to client

    x.hp.setMode('server')
    expect(x.hp.modeSetting).toBe('server')
    await waitFor(() => x.hp.mode === 'server')
    expect(x.dht.ephemeral).toBe(false)

    x.hp.setMode('client')
    await waitFor(() => x.hp.mode === 'client')
    expect(x.dht.ephemeral).toBe(true)
    x.hp.setMode('auto') // rounds on a timer again: reachable, so back to server
    expect(x.hp.modeSetting).toBe('auto')
    await waitFor(() => x.hp.mode === 'server', 20_000)
  }, 60_000)
})

describe('holepuncher: birthday attempts (one NAT reported random)', () => {
  const birthday = { sockets: 8, probes: 400, probeInterval: 5 }

  it('the random side opens extra sockets; the connection runs on the one that met the peer', async () => {
    // b sees one remote (r) report a steady address: consistent; a is told its ports are random
    const { r, b, key } = await network(170, { b: { minRemotes: 1 } })
    const a = await node(172, { mode: 'client', bootstrap: r.address, birthday })
    reportRandomNat(a)
    expect(a.hp.natType).toBe('random')
    expect(a.hp.publicAddress).toEqual({ host: a.address.host, port: 0 })
    await waitFor(() => b.hp.natType === 'consistent')
    const listener = b.hp.listen(key)
    const accepted = new Promise<Connection>((resolve) => listener.once('connection', resolve))

    const conn = await a.hp.connect({ key, peer: b.address, referrer: r.address })
    expect(conn.path).toBe('holepunch')
    expect(conn.remoteAddress).toEqual(b.address)
    const other = await accepted
    expect(other.remoteAddress.host).toBe(a.address.host)
    expect(other.remoteAddress.port).not.toBe(a.address.port) // not a's DHT socket: an extra one
    expect(other.path).toBe('holepunch')

    await conn.send(Buffer.from('over the extra socket'))
    expect(Buffer.from((await other.messages().next()).value as Uint8Array).toString()).toBe('over the extra socket')
    await other.send(Buffer.from('and back'))
    expect(Buffer.from((await conn.messages().next()).value as Uint8Array).toString()).toBe('and back')
    const closed = new Promise((resolve) => other.once('close', resolve))
    await conn.close()
    expect(await closed).toMatchObject({ reason: 'remote' })
  })

  it('a verified offer makes the consistent listener probe the random side\'s ports', async () => {
    const { r, b, key } = await network(180, { b: { minRemotes: 1, birthday } })
    const a = await node(182, { mode: 'client', bootstrap: r.address, birthday })
    reportRandomNat(a)
    await waitFor(() => b.hp.natType === 'consistent')
    const token = await tokenFrom(a.dht, r, key)
    const listener = b.hp.listen(key)
    const accepted = new Promise<Connection>((resolve) => listener.once('connection', resolve))
    const conn = await a.hp.connect({ key, peer: b.address, referrer: r.address, token })
    const other = await accepted
    expect(other.remoteAddress.host).toBe(a.address.host)
    await conn.send(Buffer.from('verified'))
    expect(Buffer.from((await other.messages().next()).value as Uint8Array).toString()).toBe('verified')
  })

  it('a listener already running a birthday attempt answers RATE_LIMITED with the wait', async () => {
    const { r, b, key } = await network(190, { b: { minRemotes: 1, birthday: { sockets: 8, probes: 1750, probeInterval: 20 } } })
    await waitFor(() => b.hp.natType === 'consistent')
    const listener = b.hp.listen(key)
    // a node without a holepuncher offers as a random side, with a token (verified): b starts a
    // birthday attempt probing its ports, which nothing there answers
    const quiet = new DHT({ bootstrap: [`${r.address.host}:${r.address.port}`], ephemeral: true }) // a client: not asked by a's lookups
    cleanup.push(async () => await quiet.destroy())
    await quiet.listen(0, testnetHost(192))
    const offer = PunchOffer.encode({ id: 1, peer: new Addresses(4).encode(b.address), nat: encodeNat('random'), address: null, lan: null })
    const quietToken = await tokenFrom(quiet, r, key)
    const res = await quiet.request({ command: CONNECT_COMMAND, target: key, value: offer }, r.address, { token: quietToken })
    expect(PunchAnswer.decode(res.value!).status).toBe(ANSWER.ACCEPTED)

    const a = await node(193, { mode: 'client', bootstrap: r.address, birthday })
    reportRandomNat(a)
    const err = await failureOf(a.hp.connect({ key, peer: b.address, referrer: r.address, token: await tokenFrom(a.dht, r, key) }))
    expect(err.code).toBe('RATE_LIMITED')
    expect(err.retryAfter).toBe(10_000)
    expect(err.message).toContain('retry in 10000 ms')
    expect(b.hp.stats.signal.offers).toBe(2)
    expect(listener.closed).toBe(false)
  })

  it('the random side starts at most 5 birthday attempts a minute, then answers RATE_LIMITED itself', async () => {
    const { r, b, key } = await network(200, { b: { minRemotes: 1 } })
    const a = await node(202, { mode: 'client', bootstrap: r.address, birthday })
    reportRandomNat(a)
    await waitFor(() => b.hp.natType === 'consistent')
    b.hp.listen(key)
    for (let i = 0; i < 5; i++) {
      const found = await a.hp.punch({ key, peer: b.address, referrer: r.address })
      expect(found.remoteAddress).toEqual(b.address)
    }
    const err = await failureOf(a.hp.punch({ key, peer: b.address, referrer: r.address }))
    expect(err.code).toBe('RATE_LIMITED')
    expect(err.message).toMatch(/Too many birthday attempts; retry in \d+ ms/)
    expect(err.retryAfter).toBeGreaterThan(0)
    expect(err.peer).toEqual(b.address)
  })
})

describe('signalling: a lost datagram costs a resend, not the whole wait', () => {
  it('an answer to the offer lost on the way back: the offer is resent and the listener answers the repeat as the first', async () => {
    const lossy = losingSocket()
    const { r, b, key } = await network(220, { socket: lossy.socket })
    const a = await node(222, { mode: 'client', bootstrap: r.address })
    const listener = b.hp.listen(key)
    const accepted = new Promise<Connection>((resolve) => listener.once('connection', resolve))
    lossy.dropNext = a.address // r's answer to a's _hp_connect
    const started = Date.now()
    const conn = await a.hp.connect({ key, peer: b.address, referrer: r.address })
    const took = Date.now() - started
    expect(lossy.dropped).toBe(1)
    expect(b.hp.stats.signal.offers).toBe(2) // relayed twice: the copy reached b as well
    expect(a.dht.stats.holepunches.requested).toBe(0) // no classic fallback after a timeout
    expect(took).toBeLessThan(800) // the resend, about 0.5 s in (0.95 s at the old 700 ms timeout); the whole wait is about 2.75 s
    const other = await accepted
    await conn.send(Buffer.from('after a resend'))
    expect(Buffer.from((await other.messages().next()).value as Uint8Array).toString()).toBe('after a resend')
  })

  it('a repeated offer id is answered as the first only from the same initiator address; from another it is REFUSED', async () => {
    const { r, b, key } = await network(230)
    b.hp.listen(key)
    const offer = PunchOffer.encode({ id: 77, peer: new Addresses(4).encode(b.address), nat: encodeNat('consistent'), address: null, lan: null })
    const asker = async (i: number): Promise<DHT> => {
      const d = new DHT({ bootstrap: [`${r.address.host}:${r.address.port}`], ephemeral: true })
      cleanup.push(async () => await d.destroy())
      await d.listen(0, testnetHost(i))
      return d
    }
    const x = await asker(232)
    const y = await asker(233)
    const ask = async (from: DHT): Promise<Required<PunchAnswer>> =>
      PunchAnswer.decode((await from.request({ command: CONNECT_COMMAND, target: key, value: offer }, r.address)).value!) as Required<PunchAnswer>
    const first = await ask(x)
    expect(first.status).toBe(ANSWER.ACCEPTED)
    const again = await ask(x)
    expect(again).toEqual(first)
    expect((await ask(y)).status).toBe(ANSWER.REFUSED) // another host guessed or reused the id
    expect(b.hp.stats.signal.offers).toBe(3)
  })
})
