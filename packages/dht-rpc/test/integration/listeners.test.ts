import { getEventListeners } from 'node:events'
import { describe, expect, it } from 'vitest'
import { createTestnet } from '../../src/testnet.js'
import { randomId } from '../helpers.js'

describe('abort listeners', () => {
  it('a query with 16 requests in flight adds one listener to the caller\'s signal, removes it, and prints no MaxListenersExceededWarning', async () => {
    const warnings: Error[] = []
    const onwarning = (w: Error): void => { if (w.name === 'MaxListenersExceededWarning') warnings.push(w) }
    process.on('warning', onwarning)
    const net = await createTestnet(60, { memory: { latency: [2, 6] } })
    try {
      const client = await net.createNode({ ephemeral: true, concurrency: 16 })
      const ac = new AbortController()
      let most = 0
      let inflight = 0
      for (let i = 0; i < 3; i++) {
        const q = client.query({ command: '_find_node', target: randomId() }, { signal: ac.signal })
        for await (const _ of q) {
          most = Math.max(most, getEventListeners(ac.signal, 'abort').length)
          inflight = Math.max(inflight, client.stats.inflight)
        }
      }
      // a query that is broken out of also leaves nothing behind
      for await (const _ of client.query({ command: '_find_node', target: randomId() }, { signal: ac.signal })) break
      expect(inflight).toBeGreaterThan(10)
      expect(most).toBe(1)
      expect(getEventListeners(ac.signal, 'abort').length).toBe(0)
      await new Promise((resolve) => setImmediate(resolve))
      expect(warnings).toEqual([])
    } finally {
      process.off('warning', onwarning)
      await net.destroy()
    }
  })
})
