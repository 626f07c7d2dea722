import { compareDistance } from '@hyperdht-ts/kbucket'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DHT } from '../../src/index.js'
import { createTestnet, type Testnet } from '../../src/testnet.js'
import { hex, randomId } from '../helpers.js'

const SIZE = 200

function trueClosest (ids: Uint8Array[], target: Uint8Array, n = 20): string[] {
  return [...ids].sort((a, b) => compareDistance(target, a, b)).slice(0, n).map(hex)
}

describe(`a loopback testnet of ${SIZE} nodes`, () => {
  let net: Testnet
  let client: DHT

  beforeAll(async () => {
    // a generous timeout: the suite shares two cores, and a starved event loop must not look like loss
    net = await createTestnet(SIZE, { timeout: 4000 })
    client = new DHT({ bootstrap: net.bootstrap, ephemeral: true, timeout: 4000 })
    await client.ready()
  }, 60_000)

  afterAll(async () => {
    await client?.destroy()
    await net?.destroy()
  })

  it('every node is up and knows some others', () => {
    expect(net.nodes.length).toBe(SIZE)
    for (const n of net.nodes) expect(n.toArray().length).toBeGreaterThan(0)
  })

  it('every query for a random target returns the true 20 closest nodes (ephemeral client)', async () => {
    const ids = net.nodes.map((n) => n.id)
    for (let i = 0; i < 10; i++) {
      const target = randomId()
      const q = client.query({ command: '_find_node', target })
      const found = new Set((await q.toArray()).map((r) => hex(r.node.id)))
      for (const id of trueClosest(ids, target)) expect(found.has(id), `errors ${q.errors}`).toBe(true)
      expect(q.closestNodes.map((n) => hex(n.id))).toEqual(trueClosest(ids, target))
    }
  })

  it('every query from a member node returns the true 20 closest other nodes', async () => {
    for (let i = 0; i < 10; i++) {
      const from = net.nodes[(i * 37 + 11) % SIZE]!
      const others = net.nodes.filter((n) => n !== from).map((n) => n.id)
      const target = randomId()
      const q = from.query({ command: 'anything', target })
      const found = new Set((await q.toArray()).map((r) => hex(r.node.id)))
      for (const id of trueClosest(others, target)) expect(found.has(id), `errors ${q.errors}`).toBe(true)
      expect(q.closestNodes.map((n) => hex(n.id))).toEqual(trueClosest(others, target))
      // the lookup contacted a small part of the network, not all of it
      expect(q.requests).toBeLessThan(SIZE)
    }
  })
})

describe('in-memory testnet', () => {
  it('finds the true closest nodes with latency and 1% loss', async () => {
    const net = await createTestnet(40, { memory: { latency: [1, 4], loss: 0.01 }, timeout: 200 })
    try {
      const ids = net.nodes.map((n) => n.id)
      const client = await net.createNode({ ephemeral: true })
      const target = randomId()
      const q = client.query({ command: '_find_node', target })
      const found = new Set((await q.toArray()).map((r) => hex(r.node.id)))
      const closest = trueClosest(ids, target, 5)
      expect(closest.filter((id) => found.has(id)).length).toBeGreaterThanOrEqual(3)
      expect(net.network!.stats.delivered).toBeGreaterThan(0)
      expect(net.network!.stats.lost).toBeGreaterThan(0)
    } finally {
      await net.destroy()
    }
  })
})
