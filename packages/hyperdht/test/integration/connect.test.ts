// listen(key) / connect(key) over loopback UDP (no NAT in the way; the NAT cases run in network
// namespaces in @hyperdht-ts/holepunch's tests): the lookup finds the listener, the node that
// stored its announce relays the punch, and messages flow both ways.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testnetHost } from '@hyperdht-ts/dht-rpc/testnet'
import { HyperDHT, HyperDHTError, type Connection } from '../../src/index.js'
import { createHyperNetwork, randomKey, type HyperNetwork } from '../helpers/network.js'

describe('listen / connect (loopback UDP)', () => {
  let net: HyperNetwork
  const clients: HyperDHT[] = []

  async function client (i: number): Promise<HyperDHT> {
    const n = new HyperDHT({ bootstrap: net.bootstrap, mode: 'client' })
    clients.push(n)
    await n.listen(0, testnetHost(50 + i))
    await n.ready()
    return n
  }

  beforeAll(async () => {
    net = await createHyperNetwork(8)
  })

  afterAll(async () => {
    await Promise.all(clients.map(async (c) => await c.destroy()))
    await net.destroy()
  })

  it('a client connects to a listening client; both ends exchange messages, the path and rtt are reported', async () => {
    const key = randomKey()
    const b = await client(1)
    const a = await client(2)
    expect(b.mode).toBe('client')
    const server = await b.listen(key)
    expect(server.storing.length).toBeGreaterThan(0)
    const accepted = new Promise<Connection>((resolve) => server.once('connection', resolve))
    const conn = await a.connect(key)
    expect(conn.remoteAddress.port).toBe(b.address().port)
    expect(['direct', 'holepunch']).toContain(conn.path)
    expect(conn.rtt).toBeGreaterThanOrEqual(0)
    const other = await accepted
    await conn.send(new TextEncoder().encode('hi b'))
    const fromA = await other.messages().next()
    expect(new TextDecoder().decode(fromA.value as Uint8Array)).toBe('hi b')
    await other.send(new TextEncoder().encode('hi a'))
    const fromB = await conn.messages().next()
    expect(new TextDecoder().decode(fromB.value as Uint8Array)).toBe('hi a')
    await conn.close()
    await server.close()
  })

  it('rejects with PEER_NOT_FOUND when nobody listens on the key', async () => {
    const a = await client(3)
    const err = await a.connect(randomKey()).catch((e: unknown) => e)
    expect(HyperDHTError.isInstance(err)).toBe(true)
    expect((err as HyperDHTError).code).toBe('PEER_NOT_FOUND')
  })

  it('a closed server is no longer found', async () => {
    const key = randomKey()
    const b = await client(4)
    const a = await client(5)
    const server = await b.listen(key)
    await server.close()
    await expect(a.connect(key)).rejects.toMatchObject({ code: 'PEER_NOT_FOUND' })
  })

  it('a server closes with its node: destroy() without server.close() emits close and stops its keepalive', async () => {
    const b = await client(6)
    const server = await b.listen(randomKey())
    const closed = new Promise<void>((resolve) => server.once('close', resolve))
    await b.destroy()
    await closed
    expect(server.closed).toBe(true)
    await server.close() // and closing it afterwards is harmless
  })
})
