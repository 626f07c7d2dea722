import { afterEach, describe, expect, it, vi } from 'vitest'
import { DHT } from '../../src/index.js'
import { hex, network } from '../helpers.js'

afterEach(() => {
  vi.useRealTimers()
})

describe('routing-table upkeep over UDP', () => {
  it('pings the least recently seen nodes every ~40 s and drops those that do not answer', async () => {
    const net = await network(4)
    // Only intervals are faked (the maintenance tick and udp-request's timeout tick): sockets stay real.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const x = new DHT({ bootstrap: [net.bootstrap] })
    try {
      await x.ready()
      expect(x.toArray().length).toBe(4)
      const dead = net.nodes[2]!
      await dead.destroy()
      const removed: string[] = []
      x.on('remove-node', (n) => removed.push(hex(n.id)))
      const before = x.stats.commands._ping?.requestsOut ?? 0
      // 17 ticks of 5 s: two rounds of pings (ticks 8 and 16) plus udp-request's timeouts
      for (let i = 0; i < 17; i++) await vi.advanceTimersByTimeAsync(5000)
      expect(x.stats.commands._ping!.requestsOut - before).toBeGreaterThanOrEqual(4)
      expect(removed).toEqual([hex(dead.id)])
      expect(x.toArray().length).toBe(3)
      expect(x.findLocal(dead.id)).toBeNull()
    } finally {
      await x.destroy()
      await net.destroy()
    }
  })
})

describe('re-bootstrap', () => {
  it('while the table is small, bootstraps again about every minute', async () => {
    // a port nobody listens on yet
    const probe = new DHT()
    await probe.listen(0, '127.0.0.1')
    const port = probe.address().port
    await probe.destroy()

    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const x = new DHT({ bootstrap: [`127.0.0.1:${port}`] })
    const late = new DHT()
    try {
      const ready = x.ready()
      for (let i = 0; i < 8; i++) await vi.advanceTimersByTimeAsync(250) // the bootstrap request times out
      await ready
      expect(x.toArray().length).toBe(0)
      await late.listen(port, '127.0.0.1')
      for (let i = 0; i < 13; i++) await vi.advanceTimersByTimeAsync(5000)
      expect(hex(x.findLocal(late.id)?.id)).toBe(hex(late.id))
    } finally {
      await x.destroy()
      await late.destroy()
    }
  })
})
