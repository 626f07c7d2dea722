// Hops of a lookup, traced from the datagrams the looking node sends and receives (the
// MemoryNetwork's observe()), since a query does not count its rounds. A node the lookup asks
// without having learnt it from an answer (a routing-table contact or a bootstrap node) is at
// depth 1; a node first learnt from the answer of a node at depth d is at depth d + 1. The hops
// of a lookup are the depth of the node whose answer first held the announce; its depth is the
// deepest node that answered.
import { requestEncoding, responseEncoding } from '../../packages/dht-rpc/src/messages/codec.js'
import type { MemoryNetwork } from '../../packages/udp-request/src/memory.js'

const NODE_BYTES = 38 // 32-byte id + IPv4 + port

export class Trace {
  readonly target: Uint8Array
  /** Depth of every node seen, by `host:port`. */
  readonly depth = new Map<string, number>()
  /** Requests of this lookup in flight: tid → `host:port` asked. */
  readonly asked = new Map<number, string>()
  maxDepth = 0

  constructor (target: Uint8Array) {
    this.target = target
  }

  depthOf (peer: { host: string, port: number }): number | null {
    return this.depth.get(`${peer.host}:${peer.port}`) ?? null
  }
}

export class HopTracker {
  readonly #traces = new Map<string, Trace>()
  readonly #stop: () => void

  constructor (network: MemoryNetwork) {
    this.#stop = network.observe((bytes, from, to) => {
      if (this.#traces.size === 0 || bytes.byteLength < 2) return
      const request = (bytes[0]! & 0x80) !== 0
      const tid = ((bytes[0]! & 0x7f) << 8) | bytes[1]!
      if (request) {
        const t = this.#traces.get(`${from.address}:${from.port}`)
        if (t !== undefined) this.#onrequest(t, tid, bytes, `${to.address}:${to.port}`)
      } else {
        const t = this.#traces.get(`${to.address}:${to.port}`)
        if (t !== undefined) this.#onresponse(t, tid, bytes, `${from.address}:${from.port}`)
      }
    })
  }

  /** Traces the requests for `target` that `looker` sends until `stop()`. */
  start (looker: { host: string, port: number }, target: Uint8Array): Trace {
    const t = new Trace(target)
    this.#traces.set(`${looker.host}:${looker.port}`, t)
    return t
  }

  stop (looker: { host: string, port: number }): void {
    this.#traces.delete(`${looker.host}:${looker.port}`)
  }

  destroy (): void {
    this.#traces.clear()
    this.#stop()
  }

  #onrequest (t: Trace, tid: number, bytes: Uint8Array, to: string): void {
    let target: Uint8Array | null | undefined
    try {
      target = requestEncoding.decode(bytes, 2).target
    } catch {
      return
    }
    if (target == null || !equal(target, t.target)) return
    t.asked.set(tid, to)
    if (!t.depth.has(to)) t.depth.set(to, 1)
  }

  #onresponse (t: Trace, tid: number, bytes: Uint8Array, from: string): void {
    if (t.asked.get(tid) !== from) return
    t.asked.delete(tid)
    let nodes: Uint8Array | null | undefined
    try {
      nodes = responseEncoding.decode(bytes, 2).nodes
    } catch {
      return
    }
    const d = t.depth.get(from) ?? 1
    if (d > t.maxDepth) t.maxDepth = d
    if (nodes == null) return
    for (let o = 0; o + NODE_BYTES <= nodes.byteLength; o += NODE_BYTES) {
      const p = o + 32
      const key = `${nodes[p]}.${nodes[p + 1]}.${nodes[p + 2]}.${nodes[p + 3]}:${(nodes[p + 4]! << 8) | nodes[p + 5]!}`
      const known = t.depth.get(key)
      if (known === undefined || known > d + 1) t.depth.set(key, d + 1)
    }
  }
}

function equal (a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}
