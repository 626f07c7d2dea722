import { describe, expect, it } from 'vitest'
import { MemoryNetwork } from '@hyperdht-ts/dht-rpc/testnet'
import { HyperDHT } from '../../src/index.js'
import { randomKey } from '../helpers/network.js'

describe('IPv6 network (in memory)', () => {
  it('announces and finds 18-byte peers', async () => {
    const network = new MemoryNetwork()
    const nodes: HyperDHT[] = []
    try {
      const first = new HyperDHT({ ipv6: true, mode: 'server', socket: network.createSocket() })
      nodes.push(first)
      await first.listen(0, '::1')
      await first.ready()
      const bootstrap = [`[::1]:${first.address().port}`]
      for (let i = 0; i < 6; i++) {
        const n = new HyperDHT({ ipv6: true, mode: 'server', bootstrap, socket: network.createSocket() })
        nodes.push(n)
        await n.listen(0, '::1')
        await n.ready()
      }
      const key = randomKey()
      const res = await (nodes[2] as HyperDHT).announce(key, { port: 4321 })
      expect(res.committed.length).toBeGreaterThan(0)
      const peers = []
      for await (const r of (nodes[5] as HyperDHT).lookup(key)) peers.push(...r.peers)
      expect(peers).toContainEqual({ host: '::1', port: 4321 })
    } finally {
      await Promise.all(nodes.map(async (n) => await n.destroy()))
      network.destroy()
    }
  })
})
