import type { HyperDHT, NodeRef, Peer } from '@hyperdht-ts/hyperdht'
import { formatHostPort } from './address.js'
import { EVENT_COALESCE } from './constants.js'
import { toHex } from './keys.js'
import type { Output } from './output.js'

type Kind = 'announce' | 'unannounce' | 'lookup' | 'immutable-put' | 'mutable-put'

interface Pending {
  kind: Kind
  key: string
  peer: Peer
  nodes: number
  extra: Record<string, unknown>
}

const VERB: Record<Kind, string> = {
  announce: 'announce',
  unannounce: 'unannounce',
  lookup: 'lookup',
  'immutable-put': 'put',
  'mutable-put': 'put --mutable'
}

/**
 * Prints what nodes serve: announces, unannounces, lookups and puts. One request reaches up to
 * k = 20 nodes, so the same event (kind, key, peer) seen within `EVENT_COALESCE` ms prints once,
 * with the number of nodes that saw it.
 */
export class ServerEvents {
  #out: Output
  #pending = new Map<string, Pending>()
  #timer: NodeJS.Timeout | null = null
  /** Events printed so far, by kind. */
  readonly counts: Record<Kind, number> = { announce: 0, unannounce: 0, lookup: 0, 'immutable-put': 0, 'mutable-put': 0 }

  constructor (out: Output) {
    this.#out = out
  }

  /** Listens to one node's events. */
  watch (node: HyperDHT): void {
    node.on('announce', (key, peer) => this.#add('announce', key, peer))
    node.on('unannounce', (key, peer) => this.#add('unannounce', key, peer))
    node.on('lookup', (key, from) => this.#add('lookup', key, from))
    node.on('immutable-put', (hash, from) => this.#add('immutable-put', hash, from))
    node.on('mutable-put', (target, record, from) => this.#add('mutable-put', target, from, { publicKey: toHex(record.publicKey), seq: record.seq }))
  }

  /** Prints what is pending now (at shutdown). */
  flush (): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    const all = [...this.#pending.values()]
    this.#pending.clear()
    for (const e of all) this.#print(e)
  }

  #add (kind: Kind, key: Uint8Array, peer: Peer | NodeRef, extra: Record<string, unknown> = {}): void {
    const hex = toHex(key)
    const id = `${kind} ${hex} ${peer.host}:${peer.port}`
    const p = this.#pending.get(id)
    if (p !== undefined) {
      p.nodes++
      return
    }
    this.#pending.set(id, { kind, key: hex, peer: { host: peer.host, port: peer.port }, nodes: 1, extra })
    if (this.#timer === null) {
      this.#timer = setTimeout(() => this.flush(), EVENT_COALESCE)
      this.#timer.unref()
    }
  }

  #print (e: Pending): void {
    this.counts[e.kind]++
    const target = e.kind === 'immutable-put' ? 'hash' : e.kind === 'mutable-put' ? 'target' : 'key'
    const seq = typeof e.extra.seq === 'number' ? ` seq ${e.extra.seq}` : ''
    this.#out.result(
      { type: 'event', event: e.kind, [target]: e.key, peer: e.peer, nodes: e.nodes, ...e.extra },
      `${VERB[e.kind]} ${e.key.slice(0, 12)}…${seq} from ${formatHostPort(e.peer)} (seen by ${e.nodes} node${e.nodes === 1 ? '' : 's'})`
    )
  }
}
