import { describe, expect, it } from 'vitest'
import { FIND_NODE } from '../constants.js'
import { AddressCodec } from '../messages/addresses.js'
import type { ResponseMessage } from '../messages/codec.js'
import { RoutingTable } from '../routing/table.js'
import type { Node, Peer } from '../types.js'
import { Query, type QueryContext } from './query.js'

/** A 32-byte id: `b0`, `b1`, then zeros. */
function id (b0: number, b1: number): Uint8Array {
  const out = new Uint8Array(32)
  out[0] = b0
  out[1] = b1
  return out
}

describe('Query', () => {
  it('asks a bootstrap node the table knows, even when nodes learnt later push it out of the k closest', async () => {
    const target = new Uint8Array(32).fill(0xff)
    const table = new RoutingTable(id(0, 0))
    // 20 table nodes, 10.0.0.19 nearest to the target; the bootstrap node 10.0.0.0 is the 20th
    const known: Node[] = Array.from({ length: 20 }, (_, i) => ({ id: id(0x80, i), host: `10.0.0.${i}`, port: 1 }))
    for (const n of known) table.add(n.id, n, 0)
    // three nodes nearer than all of them, which the first node asked tells us about
    const nearer: Node[] = Array.from({ length: 3 }, (_, i) => ({ id: id(0xc0, i), host: `10.0.1.${i}`, port: 1 }))
    const all = [...known, ...nearer]
    const codec = new AddressCodec(4)
    const asked: string[] = []
    const ctx: QueryContext = {
      id: id(0, 0),
      queryId: id(0, 0),
      concurrency: 1,
      table,
      codec,
      bootstrapPeers: async () => [{ host: '10.0.0.0', port: 1 }],
      request: async (_msg, to: Peer) => {
        asked.push(to.host)
        const node = all.find((n) => n.host === to.host)!
        const value: ResponseMessage = { id: node.id, nodes: asked.length === 1 ? codec.encodeNodes(nearer) : null, roundtripToken: null }
        return { value, peer: { host: to.host, port: to.port } }
      },
      holepunch: async () => null,
      requestFailed: () => {},
      queryStarted: () => {},
      queryEnded: () => {}
    }
    const q = new Query(ctx, { command: FIND_NODE, target }, { askBootstrap: true, concurrency: 1 })
    await q.toArray()
    expect(asked).toContain('10.0.0.0')
    expect(asked.filter((h) => h === '10.0.0.0').length).toBe(1) // once, not again as a candidate
    expect(asked).toContain('10.0.1.0')
  })
})
