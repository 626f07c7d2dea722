// Announces per key, as the storing side of the `peers` command. Pure: no I/O, no timers;
// the caller passes the time in. Memory is bounded by `maxSize` entries (so also keys), and
// one host cannot hold more than `maxPerHost` of them.
import {
  DEFAULT_MAX_PEERS,
  DEFAULT_MAX_PEERS_PER_HOST,
  DEFAULT_MAX_PEERS_PER_KEY,
  DEFAULT_PEER_MAX_AGE,
  MAX_PEERS_RESPONSE_BYTES
} from '../constants.js'
import { bytesEqual } from '@hyperdht-ts/dht-rpc'
import { AgeList } from './age-list.js'

export interface PeerStoreOptions {
  /** Entries expire this long (ms) after their last announce. @default 360000 */
  maxAge?: number
  /** Entries in the whole store; the oldest is evicted beyond it. @default 65536 */
  maxSize?: number
  /** Entries under one key; new announcers are refused beyond it. @default 1024 */
  maxPerKey?: number
  /** Entries from one announcing host over all keys; refused beyond it. @default 256 */
  maxPerHost?: number
}

/** An announce as the store keeps it. */
export interface StoredPeer {
  readonly host: string
  readonly port: number
  /** The announced address as a 6-byte IPv4 peer (18-byte IPv6 peer on an IPv6 network). */
  readonly peer: Uint8Array
  /** First two octets of the announcer's LAN address, or null. */
  readonly localFilter: Uint8Array | null
  /** The LAN address as 4 bytes (last two octets, port), or null. */
  readonly localPeer: Uint8Array | null
}

export type PutResult = 'added' | 'refreshed' | 'refused-key' | 'refused-host'

export interface SelectOptions {
  /** The requester's own 6-byte address: left out of the answer. */
  exclude?: Uint8Array | null
  /** The requester's 6-byte LAN address: LAN peers of the same /16 are answered. */
  localAddress?: Uint8Array | null
  /** Stop once this many bytes of peers are selected. @default 900 */
  maxBytes?: number
  /** Random source in [0, 1). @default Math.random */
  random?: () => number
}

export interface Selection {
  /** 6-byte peers, concatenated. */
  peers: Uint8Array
  /** 4-byte LAN peers, concatenated. */
  localPeers: Uint8Array
  /** Number of entries in `peers`. */
  count: number
}

interface Entry {
  older: Entry | null
  newer: Entry | null
  readonly id: string
  readonly key: string
  readonly host: string
  readonly port: number
  readonly peer: Uint8Array
  localFilter: Uint8Array | null
  localPeer: Uint8Array | null
  time: number
  index: number
}

export class PeerStore {
  readonly maxAge: number
  readonly maxSize: number
  readonly maxPerKey: number
  readonly maxPerHost: number
  /** All entries, oldest announce first (a refresh moves an entry to the end). */
  readonly #entries = new Map<string, Entry>()
  readonly #age = new AgeList<Entry>()
  readonly #keys = new Map<string, Entry[]>()
  readonly #hosts = new Map<string, number>()
  #evicted = 0

  constructor (opts: PeerStoreOptions = {}) {
    this.maxAge = opts.maxAge ?? DEFAULT_PEER_MAX_AGE
    this.maxSize = Math.max(1, opts.maxSize ?? DEFAULT_MAX_PEERS)
    this.maxPerKey = Math.max(1, opts.maxPerKey ?? DEFAULT_MAX_PEERS_PER_KEY)
    this.maxPerHost = Math.max(1, opts.maxPerHost ?? DEFAULT_MAX_PEERS_PER_HOST)
  }

  /** Number of stored announces. */
  get size (): number {
    return this.#entries.size
  }

  /** Entries evicted (oldest first) because the store held `maxSize`, since it was created. */
  get evicted (): number {
    return this.#evicted
  }

  /** Counts of what the store holds, for introspection and memory tests. */
  stats (): { peers: number, keys: number, hosts: number } {
    return { peers: this.#entries.size, keys: this.#keys.size, hosts: this.#hosts.size }
  }

  /** True when `key` (hex) has live announces. */
  has (key: string, now: number): boolean {
    this.prune(now)
    return this.#keys.has(key)
  }

  /** Stores (or refreshes) `peer` under `key` (hex). `local` is the 6-byte LAN address, if any. */
  put (key: string, peer: StoredPeer, now: number): PutResult {
    this.prune(now)
    const id = entryId(key, peer.host, peer.port)
    const prev = this.#entries.get(id)
    if (prev !== undefined) {
      prev.time = now
      prev.localFilter = peer.localFilter
      prev.localPeer = peer.localPeer
      this.#age.touch(prev)
      return 'refreshed'
    }

    if ((this.#hosts.get(peer.host) ?? 0) >= this.maxPerHost) return 'refused-host'
    const list = this.#keys.get(key)
    if (list !== undefined && list.length >= this.maxPerKey) return 'refused-key'

    while (this.#entries.size >= this.maxSize) {
      this.#remove(this.#age.oldest as Entry)
      this.#evicted++
    }

    const entry: Entry = {
      older: null,
      newer: null,
      id,
      key,
      host: peer.host,
      port: peer.port,
      peer: peer.peer,
      localFilter: peer.localFilter,
      localPeer: peer.localPeer,
      time: now,
      index: 0
    }
    let target = this.#keys.get(key)
    if (target === undefined) {
      target = []
      this.#keys.set(key, target)
    }
    entry.index = target.length
    target.push(entry)
    this.#entries.set(id, entry)
    this.#age.push(entry)
    this.#hosts.set(peer.host, (this.#hosts.get(peer.host) ?? 0) + 1)
    return 'added'
  }

  /** Removes the announce of `host:port` under `key` (hex). */
  delete (key: string, host: string, port: number): boolean {
    const entry = this.#entries.get(entryId(key, host, port))
    if (entry === undefined) return false
    this.#remove(entry)
    return true
  }

  /** Drops every entry older than `maxAge`. Cheap: entries are kept in announce order. */
  prune (now: number): number {
    let removed = 0
    for (let e = this.#age.oldest; e !== null && now - e.time > this.maxAge; e = this.#age.oldest) {
      this.#remove(e)
      removed++
    }
    return removed
  }

  /** Live announces under `key` (hex), in storage order. */
  get (key: string, now: number): StoredPeer[] {
    this.prune(now)
    return (this.#keys.get(key) ?? []).map(publicView)
  }

  /**
   * Picks stored peers of `key` (hex) in random order, as the reference answers a `peers`
   * request: the requester's own address is left out, a LAN address is only answered to a
   * requester in the same /16, and selection stops after ~`maxBytes` of peers.
   */
  select (key: string, now: number, opts: SelectOptions = {}): Selection {
    this.prune(now)
    const list = this.#keys.get(key)
    if (list === undefined) return { peers: EMPTY, localPeers: EMPTY, count: 0 }

    const maxBytes = opts.maxBytes ?? MAX_PEERS_RESPONSE_BYTES
    const random = opts.random ?? Math.random
    const exclude = opts.exclude ?? null
    const local = opts.localAddress !== undefined && opts.localAddress !== null && opts.localAddress.length === 6
      ? opts.localAddress
      : null
    // 6-byte IPv4 peers, or 18-byte IPv6 peers on an IPv6 network (one family per store)
    const size = (list[0] as Entry).peer.length
    const peerSlots = Math.min(list.length, Math.ceil(maxBytes / size) + 1)
    const peers = new Uint8Array(peerSlots * size)
    const localPeers = new Uint8Array(peerSlots * 4)
    let off1 = 0
    let off2 = 0
    let count = 0

    // Partial Fisher-Yates: the first i positions hold the already-picked entries.
    for (let i = 0; i < list.length && off1 + off2 < maxBytes; i++) {
      const j = i + Math.floor(random() * (list.length - i))
      swap(list, i, j)
      const n = list[i] as Entry
      if (exclude !== null && bytesEqual(n.peer, exclude)) continue
      if (off1 + size > peers.length) break
      if (n.peer.length !== size) continue
      peers.set(n.peer, off1)
      off1 += size
      count++
      if (local !== null && n.localPeer !== null && n.localFilter !== null &&
          n.localFilter[0] === local[0] && n.localFilter[1] === local[1] &&
          !isSameLocal(n.localPeer, local)) {
        localPeers.set(n.localPeer, off2)
        off2 += 4
      }
    }

    return { peers: peers.subarray(0, off1), localPeers: localPeers.subarray(0, off2), count }
  }

  #remove (entry: Entry): void {
    this.#entries.delete(entry.id)
    this.#age.unlink(entry)
    const list = this.#keys.get(entry.key)
    if (list !== undefined) {
      const last = list.pop() as Entry
      if (last !== entry) {
        list[entry.index] = last
        last.index = entry.index
      }
      if (list.length === 0) this.#keys.delete(entry.key)
    }
    const n = (this.#hosts.get(entry.host) ?? 1) - 1
    if (n <= 0) this.#hosts.delete(entry.host)
    else this.#hosts.set(entry.host, n)
  }
}

const EMPTY = new Uint8Array(0)

function entryId (key: string, host: string, port: number): string {
  return key + '@' + host + ':' + port
}

function swap (list: Entry[], i: number, j: number): void {
  if (i === j) return
  const a = list[i] as Entry
  const b = list[j] as Entry
  list[i] = b
  list[j] = a
  b.index = i
  a.index = j
}

function publicView (e: Entry): StoredPeer {
  return { host: e.host, port: e.port, peer: e.peer, localFilter: e.localFilter, localPeer: e.localPeer }
}

/** The requester's own LAN address is not sent back to it. */
function isSameLocal (localPeer: Uint8Array, localAddress: Uint8Array): boolean {
  for (let i = 0; i < 4; i++) if (localPeer[i] !== localAddress[i + 2]) return false
  return true
}
