// The holepuncher over real loopback UDP (no NAT in the way: the NAT cases run in network
// namespaces, see nat.test.ts): signalling through a referrer, connections with messages both
// ways, the classic fallback through a reference referrer, refusals, and reachability + mode.
import { randomBytes } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { createRequire } from 'node:module'
import { DHT } from '@hyperdht-ts/dht-rpc'
import { testnetHost } from '@hyperdht-ts/dht-rpc/testnet'
import { waitFor } from '@hyperdht-ts/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { decodeFrame, FRAME_TYPE } from '../../src/connection/frame'
import { ANSWER, PunchAnswer, PunchOffer } from '../../src/messages'
import { CONNECT_COMMAND } from '../../src/punch/signal'
import { Holepuncher, HolepunchError, type Connection, type HolepuncherOptions, type Peer } from '../../src/index'

const cleanup: Array<() => Promise<unknown> | unknown> = []
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!()
})

interface TestNode { dht: DHT, hp: Holepuncher, address: Peer }

interface RefDHT {
  address (): { port: number }
  on (event: string, fn: () => void): void
  once (event: string, fn: () => void): void
  listen (port: number, cb: () => void): void
  destroy (): void
}

/** A reference dht-rpc@2.3.0 node (loaded from hyperdht@1.3.0) bound to `host`. */
async function referenceNode (host: string): Promise<RefDHT> {
  const require = createRequire(import.meta.url)
  const RefDHTClass = createRequire(require.resolve('hyperdht/package.json'))('dht-rpc') as new (opts: object) => RefDHT
  const socket = createSocket('udp4')
  const bind = socket.bind.bind(socket) as (port: number, address: string, cb: () => void) => unknown
  socket.bind = ((port: number, cb: () => void) => bind(port, host, cb)) as never
  const node = new RefDHTClass({ socket })
  await new Promise<void>((resolve) => node.listen(0, resolve))
  return node
}

/** `count` DHT nodes on their own loopback addresses (from `first`), each with a holepuncher. */
async function nodes (count: number, opts: HolepuncherOptions & { bootstrap?: string[], first?: number } = {}): Promise<TestNode[]> {
  const out: TestNode[] = []
  for (let i = 0; i < count; i++) {
    const bootstrap = opts.bootstrap ?? (out.length > 0 ? [`${out[0]!.address.host}:${out[0]!.address.port}`] : [])
    const dht = new DHT({ bootstrap })
    const hp = new Holepuncher(dht, opts)
    cleanup.push(async () => { await hp.destroy(); await dht.destroy() })
    await dht.listen(0, testnetHost((opts.first ?? 0) + i))
    await dht.ready()
    out.push({ dht, hp, address: { host: dht.address().host, port: dht.address().port } })
  }
  return out
}

describe('holepuncher over loopback', () => {
  it('connects a client to a listening client through a referrer: messages both ways, close seen by the other side', async () => {
    const [r] = await nodes(1, { mode: 'server' })
    const boot = [`${r!.address.host}:${r!.address.port}`]
    const [b] = await nodes(1, { mode: 'client', bootstrap: boot, first: 10 })
    const [a] = await nodes(1, { mode: 'client', bootstrap: boot, first: 20 })
    expect(a!.dht.ephemeral).toBe(true)
    const key = randomBytes(32)
    // b "announced" on r: r relays offers for key to b only
    r!.hp.announced = (k, peer) => Buffer.from(k).equals(key) && peer.host === b!.address.host && peer.port === b!.address.port
    await b!.dht.ping(r!.address) // b talked to r (where it announced): it accepts r's relays
    const listener = b!.hp.listen(key)
    const accepted: Connection[] = []
    listener.on('connection', (c) => accepted.push(c))

    const conn = await a!.hp.connect({ key, peer: b!.address, referrer: r!.address })
    expect(conn.remoteAddress).toEqual(b!.address)
    expect(['direct', 'holepunch']).toContain(conn.path)
    expect(conn.rtt).toBeGreaterThanOrEqual(0)
    await waitFor(() => accepted.length === 1)
    const other = accepted[0]!
    expect(other.remoteAddress).toEqual(a!.address)

    const received: string[] = []
    const reading = (async () => { for await (const m of other) received.push(Buffer.from(m).toString()) })()
    for (let i = 0; i < 20; i++) await conn.send(Buffer.from(`a${i}`))
    await waitFor(() => received.length === 20)
    expect(received).toEqual(Array.from({ length: 20 }, (_, i) => `a${i}`))
    const back = conn.messages()
    await other.send(Buffer.from('hello from b'))
    expect(Buffer.from((await back.next()).value as Uint8Array).toString()).toBe('hello from b')

    const closed = new Promise((resolve) => other.on('close', resolve))
    await conn.close()
    expect(await closed).toMatchObject({ reason: 'remote' })
    await reading
    expect(r!.hp.stats.signal.relayed).toBe(1)
    expect(b!.hp.stats.signal.offers).toBe(1)
  })

  it('through a reference referrer (dht-rpc@2.3.0), which knows no signalling: the classic _ping forwarding, then OPEN', async () => {
    const ref = await referenceNode(testnetHost(90))
    cleanup.push(async () => await new Promise<void>((resolve) => { ref.once('close', () => resolve()); ref.destroy() }))
    const refAddress = { host: testnetHost(90), port: ref.address().port }
    const boot = [`${refAddress.host}:${refAddress.port}`]
    const [b] = await nodes(1, { mode: 'client', bootstrap: boot, first: 91 })
    const [a] = await nodes(1, { mode: 'client', bootstrap: boot, first: 92 })
    await b!.dht.ping(refAddress) // b talked to the referrer: it accepts the pings it relays
    const key = randomBytes(32)
    const listener = b!.hp.listen(key)
    const accepted = new Promise<Connection>((resolve) => listener.once('connection', resolve))
    let relayed = 0
    ref.on('holepunch', () => relayed++)
    const conn = await a!.hp.connect({ key, peer: b!.address, referrer: refAddress })
    expect(relayed).toBe(1)
    expect(b!.dht.stats.holepunches.answered).toBe(1)
    const other = await accepted
    await conn.send(Buffer.from('via the classic path'))
    expect(Buffer.from((await other.messages().next()).value as Uint8Array).toString()).toBe('via the classic path')
  })

  it('refuses with PEER_NOT_FOUND when the peer does not listen, or the referrer does not know it', async () => {
    const [r] = await nodes(1, { mode: 'server' })
    const boot = [`${r!.address.host}:${r!.address.port}`]
    const [b] = await nodes(1, { mode: 'client', bootstrap: boot, first: 30 })
    const [a] = await nodes(1, { mode: 'client', bootstrap: boot, first: 40 })
    const key = randomBytes(32)
    r!.hp.announced = (_k, peer) => peer.port === b!.address.port
    await b!.dht.ping(r!.address)
    // b listens on nothing
    await expect(a!.hp.connect({ key, peer: b!.address, referrer: r!.address })).rejects.toMatchObject({ code: 'PEER_NOT_FOUND' })
    // r never heard of that peer: no relay (no open relay)
    await expect(a!.hp.connect({ key, peer: { host: '127.99.0.1', port: 9 }, referrer: r!.address })).rejects.toMatchObject({ code: 'PEER_NOT_FOUND' })
    expect(r!.hp.stats.signal.unknownPeer).toBe(1)
  })

  it('an aborted connect rejects with ABORTED', async () => {
    const [r] = await nodes(1, { mode: 'server' })
    const [a] = await nodes(1, { mode: 'client', bootstrap: [`${r!.address.host}:${r!.address.port}`], first: 50 })
    const ac = new AbortController()
    ac.abort(new Error('stop'))
    const err = await a!.hp.connect({ key: randomBytes(32), peer: { host: '127.98.0.1', port: 9 }, referrer: r!.address }, { signal: ac.signal }).catch((e: unknown) => e)
    expect(HolepunchError.isInstance(err)).toBe(true)
    expect((err as HolepunchError).code).toBe('ABORTED')
  })

  it('auto mode: nodes that strangers can reach become servers; their NAT type is open', async () => {
    const fast = { promoteAfter: 200, demoteAfter: 200, minDwell: 0, reachFirstDelay: 50, reachInterval: 300, dialbackWait: 500 }
    const servers = await nodes(6, { mode: 'server' })
    const boot = [`${servers[0]!.address.host}:${servers[0]!.address.port}`]
    // let the servers know each other (helpers pick strangers from their tables)
    await Promise.all(servers.map(async (s) => await s.dht.bootstrap()))
    const [x] = await nodes(1, { ...fast, mode: 'auto', bootstrap: boot, first: 60 })
    expect(x!.hp.mode).toBe('client')
    expect(x!.dht.ephemeral).toBe(true)
    const modes: string[] = []
    x!.hp.on('mode', (c) => modes.push(`${c.mode}:${c.reason}`))
    await waitFor(() => x!.hp.mode === 'server', 20_000)
    expect(x!.dht.ephemeral).toBe(false)
    expect(x!.hp.reachability).toBe('reachable')
    expect(x!.hp.natType).toBe('open')
    expect(x!.hp.publicAddress).toEqual(x!.address)
    expect(modes[0]).toMatch(/^server:/)
  }, 30_000)

  it('auto mode with fewer hosts in its table than a verdict needs: the round looks for more nodes first', async () => {
    const fast = { promoteAfter: 200, demoteAfter: 200, minDwell: 0, reachFirstDelay: 50, reachInterval: 300, dialbackWait: 500 }
    const servers = await nodes(2, { mode: 'server', first: 70 })
    const boot = [`${servers[0]!.address.host}:${servers[0]!.address.port}`]
    // x joins a network of two: its table can name two helpers, and a verdict needs three
    const [x] = await nodes(1, { ...fast, mode: 'auto', bootstrap: boot, first: 75 })
    expect(x!.dht.toArray().length).toBe(2)
    // more servers join; x, a client, is in nobody's table and learns of them only by looking
    const more = await nodes(3, { mode: 'server', bootstrap: boot, first: 72 })
    await Promise.all([...servers, ...more].map(async (s) => await s.dht.bootstrap()))
    await waitFor(() => x!.hp.mode === 'server', 10_000) // the DHT's own re-bootstrap comes after 60 s
    expect(x!.hp.reachability).toBe('reachable')
    expect(x!.hp.stats.reach.refills).toBeGreaterThan(0)
    expect(x!.dht.toArray().length).toBeGreaterThanOrEqual(3)
  }, 30_000)

  it('a lost CLOSE_ACK costs a resent CLOSE, not the close timeout: the ended side still answers it', async () => {
    const [r] = await nodes(1, { mode: 'server', first: 150 })
    const boot = [`${r!.address.host}:${r!.address.port}`]
    // b's socket loses the first CLOSE_ACK it sends
    const socket = createSocket('udp4')
    const send = socket.send.bind(socket) as (msg: Uint8Array, port: number, host: string, cb?: (err: Error | null) => void) => void
    let dropped = 0
    ;(socket as unknown as { send: typeof send }).send = (msg, port, host, cb) => {
      let type = -1
      try { type = decodeFrame(msg).type } catch {}
      if (type === FRAME_TYPE.CLOSE_ACK && dropped === 0) {
        dropped++
        cb?.(null)
        return
      }
      send(msg, port, host, cb)
    }
    const bDht = new DHT({ bootstrap: boot, socket })
    const bHp = new Holepuncher(bDht, { mode: 'client' })
    cleanup.push(async () => { await bHp.destroy(); await bDht.destroy() })
    await bDht.listen(0, testnetHost(151))
    await bDht.ready()
    const b = { host: testnetHost(151), port: bDht.address().port }
    const [a] = await nodes(1, { mode: 'client', bootstrap: boot, first: 152 })
    const key = randomBytes(32)
    r!.hp.announced = (k, peer) => Buffer.from(k).equals(key) && peer.host === b.host && peer.port === b.port
    await bDht.ping(r!.address)
    const accepted: Connection[] = []
    bHp.listen(key).on('connection', (c) => accepted.push(c))
    const conn = await a!.hp.connect({ key, peer: b, referrer: r!.address })
    await waitFor(() => accepted.length === 1)
    const closedAtB = new Promise((resolve) => accepted[0]!.on('close', resolve))
    const started = Date.now()
    await conn.close()
    const took = Date.now() - started
    expect(await closedAtB).toMatchObject({ reason: 'remote' })
    expect(dropped).toBe(1)
    expect(took).toBeLessThan(2500) // the close timeout is 5 s
  })

  it('destroy() unregisters the holepunch commands from a DHT that lives on', async () => {
    const [r] = await nodes(1, { mode: 'server', first: 160 })
    const [c] = await nodes(1, { mode: 'client', bootstrap: [`${r!.address.host}:${r!.address.port}`], first: 161 })
    // an offer for a peer nobody announced on r
    const offer = PunchOffer.encode({ id: 1, peer: new Uint8Array([127, 0, 0, 9, 0, 9]) })
    const ask = async (): Promise<Uint8Array | null> => (await c!.dht.request({ command: CONNECT_COMMAND, target: randomBytes(32), value: offer }, r!.address)).value
    expect(PunchAnswer.decode(await ask() ?? new Uint8Array(0)).status).toBe(ANSWER.UNKNOWN_PEER) // the live holepuncher's answer
    await r!.hp.destroy()
    expect(r!.dht.destroyed).toBe(false)
    expect(await ask()).toBeNull() // answered as an unknown command
  })
})
