// What a HyperDHT node reports about itself (NAT verdict, public address, port mapping,
// reachability) and about a lookup in progress, and how listen() fails when no node stores the
// announce.
import { MemoryNetwork } from '@hyperdht-ts/dht-rpc/testnet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HyperDHT, HyperDHTError } from '../../src/index.js'
import { createHyperNetwork, randomKey, type HyperNetwork } from '../helpers/network.js'

describe('node state (8 nodes in memory)', () => {
  let net: HyperNetwork
  beforeAll(async () => { net = await createHyperNetwork(8, { memory: true }) })
  afterAll(async () => { await net.destroy() })

  it('a lookup counts its requests and responses as it goes', async () => {
    const a = net.nodes[2] as HyperDHT
    const b = net.nodes[6] as HyperDHT
    const key = randomKey()
    await a.announce(key)
    const lookup = b.lookup(key)
    expect(lookup.requests).toBe(0)
    expect(lookup.responses).toBe(0)
    const found = await lookup.toArray()
    expect(found.some((r) => r.peers.length > 0)).toBe(true)
    expect(lookup.requests).toBeGreaterThan(0)
    expect(lookup.responses).toBeGreaterThan(0)
    expect(lookup.responses).toBeLessThanOrEqual(lookup.requests)
  })

  it('reports the NAT verdict and public address the newest remotes agree on, with a nat event', async () => {
    const x = net.nodes[4] as HyperDHT
    expect(x.portMapping).toBeNull() // no port mapping unless asked for
    expect(x.reachability).toBe('unknown') // a server by setting runs no reachability rounds
    const changes: Array<{ type: string, host: string | null }> = []
    x.on('nat', (c) => changes.push({ type: c.verdict.type, host: c.verdict.host }))
    // three remotes on distinct hosts now see us at another address (our NAT's new public one)
    for (let i = 1; i <= 3; i++) x.dht.emit('observed-address', { host: '203.0.113.7', port: 5000 }, { host: `198.51.100.${i}`, port: 49737 })
    expect(x.natType).toBe('consistent')
    expect(x.publicAddress).toEqual({ host: '203.0.113.7', port: 5000 })
    expect(changes.at(-1)).toEqual({ type: 'consistent', host: '203.0.113.7' })
  })
})

describe('listen() with nobody to store the announce', () => {
  it('rejects with NOT_STORED and frees the key', async () => {
    const network = new MemoryNetwork()
    const alone = new HyperDHT({ mode: 'server', bootstrap: [], socket: network.createSocket() })
    try {
      await alone.listen(0, '10.0.0.1')
      const key = randomKey()
      const first = await alone.listen(key).catch((e: unknown) => e)
      expect(HyperDHTError.isInstance(first)).toBe(true)
      expect((first as HyperDHTError).code).toBe('NOT_STORED')
      // the failed server closed its listener: the same key fails the same way, not "already listening"
      const second = await alone.listen(key).catch((e: unknown) => e)
      expect((second as HyperDHTError).code).toBe('NOT_STORED')
    } finally {
      await alone.destroy()
      network.destroy()
    }
  })
})
