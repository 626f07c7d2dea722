// The storing side: handlers of the `peers`, `immutable` and `mutable` commands. Each turns a
// request into a response value using the pure stores; `HyperDHT` registers them on dht-rpc.
import type { CommandRequest } from '@hyperdht-ts/dht-rpc'
import { IMMUTABLE_COMMAND, MUTABLE_COMMAND, PEERS_ANNOUNCE, PEERS_COMMAND, PEERS_LOOKUP, PEERS_UNANNOUNCE } from './constants.js'
import { toHex } from '@hyperdht-ts/dht-rpc'
import {
  immutablePut,
  immutableValue,
  mutableRecord,
  mutableRequest,
  peersRequest,
  peersResponse,
  putResponse,
  PUT_FULL,
  PUT_INVALID,
  PUT_SEQ_TOO_LOW,
  PUT_STORED,
  lanAddressBytes,
  type PeersRequestMessage
} from './messages/index.js'
import type { StoreCap } from './cap-log.js'
import { PeerStore, type PeerStoreCap } from './store/peer-store.js'
import { ValueStore, type StoreResult } from './store/value-store.js'
import type { HyperDHTEvents, HyperDHTOptions, NodeRef, Peer } from './types.js'

/** The options of a node's stores. */
export type StoreOptions = Pick<HyperDHTOptions, 'peerMaxAge' | 'maxPeers' | 'maxPeerKeys' | 'maxPeersPerKey' | 'maxPeersPerHost' | 'maxPeerBytes' |
'valueMaxAge' | 'maxValues' | 'maxValuesPerHost' | 'maxValueBytes'>

export interface HandlerContext {
  peers: PeerStore
  values: ValueStore
  now (): number
  /** Encodes one address the way `peers` carries it (6 bytes for IPv4); null if impossible. */
  encodePeer (peer: Peer): Uint8Array | null
  emit<K extends keyof HyperDHTEvents> (event: K, ...args: HyperDHTEvents[K]): boolean
  /** A store cap refused (or evicted for) something `host` stored; absent without a logger. */
  capHit?: (cap: StoreCap, host: string) => void
}

type Reply = Uint8Array | null

/**
 * Answers a `peers` request as hyperdht@1.3.0 does: stores/removes on a valid update, then
 * answers the stored peers (never for an unannounce, never an empty answer).
 */
export function onpeers (ctx: HandlerContext, q: CommandRequest, update: boolean): Reply {
  const req = peersRequest.decode(q.value)
  if (req === null) return null
  return processPeers(ctx, req, q.node, q.target, update)
}

export function processPeers (ctx: HandlerContext, req: PeersRequestMessage, node: NodeRef, target: Uint8Array, update: boolean): Reply {
  const from = { host: node.host, port: req.port !== null && req.port !== undefined && req.port !== 0 ? req.port : node.port }
  if (from.port === 0) return null
  const peer = ctx.encodePeer(from)
  if (peer === null) return null
  const key = toHex(target)
  const localAddress = req.localAddress ?? null
  const now = ctx.now()

  if (update && req.type === PEERS_ANNOUNCE) {
    const evicted = ctx.peers.evicted
    const lan = localAddress === null ? null : lanAddressBytes(localAddress)
    const result = ctx.peers.put(key, {
      host: from.host,
      port: from.port,
      peer,
      localFilter: lan === null ? null : lan.subarray(0, 2),
      localPeer: lan === null ? null : lan.subarray(2)
    }, now)
    if (result === 'added' || result === 'refreshed') ctx.emit('announce', target, from)
    if (ctx.capHit !== undefined) {
      if (result === 'refused-host') ctx.capHit('maxPeersPerHost', from.host)
      else if (ctx.peers.evicted !== evicted) ctx.capHit(PEER_CAPS[ctx.peers.lastEviction ?? 'size'], from.host)
    }
  } else if (update && req.type === PEERS_UNANNOUNCE) {
    ctx.peers.delete(key, from.host, from.port)
    ctx.emit('unannounce', target, from)
    return null
  } else if (req.type === PEERS_LOOKUP) {
    ctx.emit('lookup', target, node)
  }

  const sel = ctx.peers.select(key, now, { exclude: peer, localAddress })
  if (sel.peers.length === 0 && sel.localPeers.length === 0) return null
  return peersResponse.encode({ peers: sel.peers, localPeers: sel.localPeers.length > 0 ? sel.localPeers : null })
}

/** `immutable` query = get: the stored value, if any. A put's query phase gets nothing. */
export function onimmutableQuery (ctx: HandlerContext, q: CommandRequest): Reply {
  if (q.value !== null && q.value.length > 0) return null
  const value = ctx.values.getImmutable(q.target, ctx.now())
  return value === null ? null : immutableValue.encode(value)
}

/** `immutable` update = put: stored when sha256(value) is the target. */
export function onimmutableUpdate (ctx: HandlerContext, q: CommandRequest): Reply {
  const value = immutablePut.decode(q.value)
  if (value === null) return putResponse.encode({ status: PUT_INVALID, current: null })
  const evicted = ctx.values.evicted
  const res = ctx.values.putImmutable(q.target, value, q.node.host, ctx.now())
  if (ctx.capHit !== undefined) valueCaps(ctx, res, evicted, q.node.host)
  if (res.ok) {
    ctx.emit('immutable-put', q.target, q.node)
    return putResponse.encode({ status: PUT_STORED, current: null })
  }
  return putResponse.encode({ status: res.reason === 'HOST_FULL' ? PUT_FULL : PUT_INVALID, current: null })
}

/** `mutable` query = get: the stored record when its seq is at least the requested one. */
export function onmutableQuery (ctx: HandlerContext, q: CommandRequest): Reply {
  const req = mutableRequest.decode(q.value)
  if (req === null || req.value !== null) return null
  const rec = ctx.values.getMutable(q.target, ctx.now())
  if (rec === null || rec.seq < (req.seq ?? 0)) return null
  return mutableRecord.encode(rec)
}

/** `mutable` update = put: verified, then kept if its seq is the highest. */
export function onmutableUpdate (ctx: HandlerContext, q: CommandRequest): Reply {
  const req = mutableRequest.decode(q.value)
  if (req === null || req.value === null || req.signature === null || req.seq === null) {
    return putResponse.encode({ status: PUT_INVALID, current: null })
  }
  const record = { publicKey: req.publicKey, salt: req.salt, seq: req.seq, value: req.value, signature: req.signature }
  const evicted = ctx.values.evicted
  const res = ctx.values.putMutable(q.target, record, q.node.host, ctx.now())
  if (ctx.capHit !== undefined) valueCaps(ctx, res, evicted, q.node.host)
  if (res.ok) {
    ctx.emit('mutable-put', q.target, { publicKey: record.publicKey, seq: record.seq }, q.node)
    return putResponse.encode({ status: PUT_STORED, current: null })
  }
  if (res.reason === 'SEQ_TOO_LOW' && res.current !== undefined) {
    return putResponse.encode({ status: PUT_SEQ_TOO_LOW, current: res.current })
  }
  return putResponse.encode({ status: res.reason === 'HOST_FULL' ? PUT_FULL : PUT_INVALID, current: null })
}

/** Reports the value-store cap a put hit: refused for its host, or evicted to make room. */
function valueCaps (ctx: HandlerContext, res: StoreResult, evictedBefore: number, host: string): void {
  if (!res.ok && res.reason === 'HOST_FULL') ctx.capHit?.('maxValuesPerHost', host)
  else if (ctx.values.evicted !== evictedBefore) ctx.capHit?.(ctx.values.lastEviction === 'bytes' ? 'maxValueBytes' : 'maxValues', host)
}

/** The option behind each cap of the announce store. */
const PEER_CAPS: Record<PeerStoreCap, StoreCap> = {
  size: 'maxPeers',
  keys: 'maxPeerKeys',
  bytes: 'maxPeerBytes',
  'per-key': 'maxPeersPerKey'
}

/** What a {@link StoreCommands} is made of. */
export interface StoreCommandsOptions {
  /** The options of the stores (`maxPeers`, `valueMaxAge`, ...), created on first use: most nodes never store anything. */
  stores: StoreOptions
  /** The node's clock (ms). */
  now: () => number
  /** Encodes one address as `peers` carries it; throws for an address it cannot carry. */
  codec: { encodeOne: (peer: Peer) => Uint8Array }
  /** Receives the events (`announce`, `lookup`, ...): the node. */
  emitter: { emit: (event: string, ...args: unknown[]) => boolean }
  capHit?: (cap: StoreCap, host: string) => void
}

/**
 * A node's handler context and its `peers`, `immutable` and `mutable` command handlers in one
 * object, registered for all three commands (dht-rpc calls handlers as methods; `q.command` tells
 * which). Its methods live on the prototype: a node pays for one small object, not for a closure
 * per handler and per context function.
 */
export class StoreCommands implements HandlerContext {
  readonly capHit?: (cap: StoreCap, host: string) => void
  #peers: PeerStore | null = null
  #values: ValueStore | null = null
  readonly #stores: StoreOptions
  readonly #now: () => number
  readonly #codec: StoreCommandsOptions['codec']
  readonly #emitter: StoreCommandsOptions['emitter']

  constructor (opts: StoreCommandsOptions) {
    this.#stores = opts.stores
    if (opts.capHit !== undefined) this.capHit = opts.capHit
    this.#now = opts.now
    this.#codec = opts.codec
    this.#emitter = opts.emitter
  }

  /** The announce store (created now if it was not yet). */
  get peers (): PeerStore {
    const o = this.#stores
    return this.#peers ??= new PeerStore({
      maxAge: o.peerMaxAge, maxSize: o.maxPeers, maxKeys: o.maxPeerKeys, maxPerKey: o.maxPeersPerKey, maxPerHost: o.maxPeersPerHost, maxBytes: o.maxPeerBytes
    })
  }

  /** The value store (created now if it was not yet). */
  get values (): ValueStore {
    const o = this.#stores
    return this.#values ??= new ValueStore({ maxAge: o.valueMaxAge, maxSize: o.maxValues, maxPerHost: o.maxValuesPerHost, maxBytes: o.maxValueBytes })
  }

  /** The announce store if it exists: for reads that would find nothing in a new one. */
  get peersIfAny (): PeerStore | null {
    return this.#peers
  }

  /** The value store if it exists. */
  get valuesIfAny (): ValueStore | null {
    return this.#values
  }

  now (): number {
    return this.#now()
  }

  encodePeer (peer: Peer): Uint8Array | null {
    try {
      return this.#codec.encodeOne(peer)
    } catch {
      return null
    }
  }

  emit<K extends keyof HyperDHTEvents> (event: K, ...args: HyperDHTEvents[K]): boolean {
    return this.#emitter.emit(event, ...args)
  }

  query (q: CommandRequest): Reply {
    switch (q.command) {
      case PEERS_COMMAND: return onpeers(this, q, false)
      case IMMUTABLE_COMMAND: return onimmutableQuery(this, q)
      case MUTABLE_COMMAND: return onmutableQuery(this, q)
      default: return null
    }
  }

  update (q: CommandRequest): Reply {
    switch (q.command) {
      case PEERS_COMMAND: return onpeers(this, q, true)
      case IMMUTABLE_COMMAND: return onimmutableUpdate(this, q)
      case MUTABLE_COMMAND: return onmutableUpdate(this, q)
      default: return null
    }
  }
}
