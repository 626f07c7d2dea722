import { describe, expect, it } from 'vitest'
import type { HyperDHT } from '../../src/index.js'
import { createHyperNetwork, has, randomKey } from '../helpers/network.js'

describe('500-node in-memory testnet', () => {
  it('50 announce/lookup pairs from random nodes: every lookup finds its announce', async () => {
    const net = await createHyperNetwork(500, { memory: true, parallel: 32 })
    try {
      const pick = (): HyperDHT => net.nodes[Math.floor(Math.random() * net.nodes.length)] as HyperDHT
      const pairs = Array.from({ length: 50 }, (_, i) => ({ key: randomKey(), announcer: pick(), looker: pick(), port: 20_000 + i }))
      let found = 0
      const missed: number[] = []
      // 10 pairs at a time
      for (let i = 0; i < pairs.length; i += 10) {
        await Promise.all(pairs.slice(i, i + 10).map(async (p) => {
          await p.announcer.announce(p.key, { port: p.port })
          let hit = false
          for await (const r of p.looker.lookup(p.key)) {
            if (has(r.peers, p.announcer.address().host, p.port)) {
              hit = true
              break
            }
          }
          if (hit) found++
          else missed.push(p.port)
        }))
      }
      expect(missed).toEqual([])
      expect(found).toBe(50)
    } finally {
      await net.destroy()
    }
  }, 120_000)
})
