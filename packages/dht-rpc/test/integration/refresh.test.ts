import { describe, expect, it } from 'vitest'
import { createTestnet } from '../../src/testnet.js'

function bit (id: Uint8Array, i: number): number {
  return (id[i >> 3]! >> (7 - (i & 7))) & 1
}

/** Whether `id` is in the range of `self`'s far bucket at `depth`: same first depth-1 bits, then a different bit. */
function inFarRange (self: Uint8Array, id: Uint8Array, depth: number): boolean {
  for (let i = 0; i < depth - 1; i++) if (bit(self, i) !== bit(id, i)) return false
  return bit(self, depth - 1) !== bit(id, depth - 1)
}

describe('bucket refresh', () => {
  // Nodes that join a grown network through their own neighbourhood only meet nodes near
  // themselves; without refreshing the far buckets, many know nobody in the other half of the
  // id space, and lookups started from or passing only through them cannot get there.
  it('after joining 16 at a time, every node knows at least 5 nodes in each of its 4 farthest ranges', async () => {
    const net = await createTestnet(400, { memory: true, parallel: 16 })
    try {
      const ids = net.nodes.map((n) => n.id)
      const short: string[] = []
      for (const n of net.nodes) {
        const known = n.toArray().map((c) => c.id)
        for (let depth = 1; depth <= 4; depth++) {
          const inNetwork = ids.filter((id) => inFarRange(n.id, id, depth)).length
          const inTable = known.filter((id) => inFarRange(n.id, id, depth)).length
          if (inTable < Math.min(5, inNetwork)) short.push(`${net.nodes.indexOf(n)} depth ${depth}: knows ${inTable} of ${inNetwork}`)
        }
      }
      expect(short).toEqual([])
    } finally {
      await net.destroy()
    }
  }, 60_000)
})
