// A scripted network for unit tests of the query core (src/query/query.test.ts) and of its
// scheduling in a process of its own (test/fixtures/quiet-walk.ts): each node answers with the
// nodes it knows, or fails as the test says, through a QueryContext with no sockets.
import { compareDistance } from '@hyperdht-ts/kbucket'
import { K } from '../src/constants.js'
import { DHTError } from '../src/errors.js'
import { AddressCodec } from '../src/messages/addresses.js'
import type { RequestMessage, ResponseMessage } from '../src/messages/codec.js'
import type { QueryContext } from '../src/query/query.js'
import { RoutingTable } from '../src/routing/table.js'
import type { Node, Peer } from '../src/types.js'

/** A 32-byte id: `b0`, `b1`, then zeros. */
export function id (b0: number, b1 = 0): Uint8Array {
  const out = new Uint8Array(32)
  out[0] = b0
  out[1] = b1
  return out
}

export const codec = new AddressCodec(4)
export const SELF = id(0, 0)

export type Behaviour = 'answer' | 'timeout' | 'hang'

export interface WorldNode extends Node {
  knows: Node[]
  behaviour: Behaviour
  token: Uint8Array
}

interface Sent {
  to: string
  msg: RequestMessage
}

/** A scripted network of `count` nodes with ids `id(0x80 + i)`, each knowing every other. */
export class World {
  nodes: WorldNode[] = []
  sent: Sent[] = []
  inflight = 0
  maxInflight = 0
  holepunches: Array<{ to: string, referrer: string }> = []
  destroyed = false
  userQueries = 0
  table = new RoutingTable(SELF)
  #hanging: Array<() => void> = []

  constructor (count: number) {
    for (let i = 0; i < count; i++) {
      // a /16 of its own each: the table's diversity limits never get in the way
      this.nodes.push({ id: id(0x80 + i), host: `10.${i}.0.1`, port: 1000 + i, knows: [], behaviour: 'answer', token: id(0xaa, i) })
    }
    for (const n of this.nodes) n.knows = this.nodes.filter((m) => m !== n)
  }

  byHost (host: string): WorldNode {
    return this.nodes.find((n) => n.host === host)!
  }

  /** Releases every hanging request with a timeout. */
  releaseHanging (): void {
    for (const fn of this.#hanging.splice(0)) fn()
  }

  context (overrides: Partial<QueryContext> = {}): QueryContext {
    const world = this
    return {
      id: SELF,
      queryId: SELF,
      concurrency: 16,
      get destroyed () { return world.destroyed },
      get userQueries () { return world.userQueries },
      table: this.table,
      codec,
      bootstrapPeers: async () => [],
      request: (msg, to, signal) => this.#request(msg, to, signal),
      holepunch: async (to, referrer) => { this.holepunches.push({ to: to.host, referrer: referrer.host }) },
      shouldHolepunch: () => true,
      requestFailed: () => {},
      queryStarted: () => {},
      queryEnded: () => {},
      ...overrides
    }
  }

  async #request (msg: RequestMessage, to: Peer, signal: AbortSignal): Promise<{ value: ResponseMessage, peer: Peer }> {
    this.sent.push({ to: to.host, msg })
    const node = this.byHost(to.host)
    this.inflight++
    this.maxInflight = Math.max(this.maxInflight, this.inflight)
    try {
      await new Promise<void>((resolve, reject) => {
        const timeout = (): void => reject(DHTError.REQUEST_TIMEOUT(undefined, { host: to.host, port: to.port }))
        signal.addEventListener('abort', () => reject(DHTError.ABORTED()), { once: true })
        if (node.behaviour === 'answer') setImmediate(resolve)
        else if (node.behaviour === 'timeout') setImmediate(timeout)
        else this.#hanging.push(timeout)
      })
    } finally {
      this.inflight--
    }
    // a few more than k, so that the nodes behind failed ones are named too
    const closest = [...node.knows].sort((a, b) => compareDistance(msg.target!, a.id, b.id)).slice(0, K + 5)
    return {
      value: { id: node.id, nodes: codec.encodeNodes(closest), roundtripToken: node.token, value: msg.value ?? null },
      peer: { host: node.host, port: node.port }
    }
  }
}

/** Puts `count` nodes of the world in our table: the last ones (far from the targets used here). */
export function seed (world: World, count = 3): void {
  for (const n of world.nodes.slice(-count)) world.table.add(n.id, n, 0)
}

export const byText = (a: string, b: string): number => a < b ? -1 : a > b ? 1 : 0
export const hosts = (nodes: Array<{ host: string }>): string[] => nodes.map((n) => n.host).sort(byText)

export function closestTo (world: World, target: Uint8Array, exclude: WorldNode[] = []): WorldNode[] {
  return world.nodes.filter((n) => !exclude.includes(n)).sort((a, b) => compareDistance(target, a.id, b.id)).slice(0, K)
}
