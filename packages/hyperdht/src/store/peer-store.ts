// Announces per key, as the storing side of the `peers` command. Pure: no I/O, no timers; the
// caller passes the time in. Bounded by entries, keys, entries per key, entries per announcing
// host and accounted bytes. A full store (or key) evicts fairly: the oldest entry of the network
// prefix holding the most (under that key, for the per-key cap), so a flood from a few addresses
// or prefixes only ever displaces its own entries. Every operation is O(1) amortised (building a
// key's prefix index when the key first fills is O(maxPerKey log maxPerKey), once per fill).
import {
  DEFAULT_MAX_PEER_BYTES,
  DEFAULT_MAX_PEER_KEYS,
  DEFAULT_MAX_PEERS,
  DEFAULT_MAX_PEERS_PER_HOST,
  DEFAULT_MAX_PEERS_PER_KEY,
  DEFAULT_PEER_MAX_AGE,
  MAX_PEERS_RESPONSE_BYTES,
  PEER_ENTRY_BYTES,
  PEER_KEY_BYTES,
  PEER_KEY_GROUP_BYTES,
  PEER_LAN_BYTES,
  STORE_HOST_BYTES,
  STORE_PREFIX_BYTES
} from '../constants.js'
import { FairGroups, emptyGroup, type Group } from './fair-groups.js'
import { HostTable, type HostRecord, type PrefixRecord } from './hosts.js'
import { moveToTail, pushNode, unlinkNode, type ListEnds, type Links } from './linked-list.js'

export interface PeerStoreOptions {
  /** Entries expire this long (ms) after their last announce. @default 360000 */
  maxAge?: number
  /** Entries in the whole store; beyond it one is evicted fairly. @default 65536 */
  maxSize?: number
  /** Keys with entries; beyond it entries are evicted fairly until a key is free. @default 65536 */
  maxKeys?: number
  /** Entries under one key; beyond it one of the key's largest prefix is evicted. @default 1024 */
  maxPerKey?: number
  /** Entries from one announcing host over all keys; new ones refused beyond it. @default 256 */
  maxPerHost?: number
  /** Accounted bytes (entries, keys, records); beyond it entries are evicted fairly. @default 33554432 */
  maxBytes?: number
  /** Called for every evicted entry, with the cap that evicted it. */
  onevict?: (key: string, peer: StoredPeer, cap: PeerStoreCap) => void
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

/**
 * `refused-host`: the announcing host holds `maxPerHost` entries. Every other cap evicts instead
 * of refusing.
 */
export type PutResult = 'added' | 'refreshed' | 'refused-host'

/** The cap that made the store evict: entries, keys, bytes, or entries under one key. */
export type PeerStoreCap = 'size' | 'keys' | 'bytes' | 'per-key'

export interface PeerStoreStats {
  peers: number
  keys: number
  hosts: number
  /** Network prefixes (/24, /48) of the announcing hosts. */
  prefixes: number
  /** Accounted bytes, at most `maxBytes`. */
  bytes: number
}

export interface SelectOptions {
  /** The requester's own 6-byte address: left out of the answer. */
  exclude?: Uint8Array | null
  /**
   * The requester's LAN address, 6 bytes or the number they spell (address * 2^16 + port, as a
   * decoded `peers` request carries it): LAN peers of the same /16 are answered.
   */
  localAddress?: Uint8Array | number | null
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

// Bytes are kept as latin1 strings: a 6-byte Uint8Array costs ~210 bytes of heap, a 6-character
// string 24.
interface Entry {
  readonly key: KeyRecord
  readonly host: HostRecord<Entry>
  readonly port: number
  readonly peer: string
  /** LAN filter (2 bytes) and LAN peer (4 bytes), or null. */
  lan: string | null
  /** ms since the store's first operation (a small integer, unlike a Date.now() value). */
  time: number
  /** Order of the last write: strictly increasing along the age list. */
  stamp: number
  /** Position in `key.entries`. */
  index: number
  readonly id: string
  /** Neighbours in the store's age list. */
  older: Entry | null
  newer: Entry | null
  /** Neighbours in the prefix's age list. */
  pOlder: Entry | null
  pNewer: Entry | null
  /** Neighbours in the age list of its key's entries of its prefix (only in an indexed key). */
  kOlder: Entry | null
  kNewer: Entry | null
}

interface KeyRecord {
  readonly hex: string
  readonly id: number
  /** Unordered, for the random picks of `select`. */
  entries: Entry[]
  /** The key's entries per prefix: built when the key first reaches `maxPerKey`, then kept up. */
  groups: Map<PrefixRecord<Entry>, Group<Entry>> | null
  fair: FairGroups<Entry> | null
}

const AGE: Links<Entry> = { prev: 'older', next: 'newer' }
const PREFIX: Links<Entry> = { prev: 'pOlder', next: 'pNewer' }
const KEY_PREFIX: Links<Entry> = { prev: 'kOlder', next: 'kNewer' }
const LARGEST_PEER = 18

export class PeerStore {
  readonly maxAge: number
  readonly maxSize: number
  readonly maxKeys: number
  readonly maxPerKey: number
  readonly maxPerHost: number
  readonly maxBytes: number
  readonly #onevict: PeerStoreOptions['onevict']
  readonly #entries = new Map<string, Entry>()
  readonly #age: ListEnds<Entry> = { head: null, tail: null }
  readonly #keys = new Map<string, KeyRecord>()
  readonly #hosts = new HostTable<Entry>(PREFIX, STORE_HOST_BYTES, STORE_PREFIX_BYTES)
  /** Bytes of entries, keys and key groups (the host table counts its own). */
  #bytes = 0
  #evicted = 0
  #lastEviction: PeerStoreCap | null = null
  #base: number | null = null
  #stamp = 0
  #keyIds = 0

  constructor (opts: PeerStoreOptions = {}) {
    this.maxAge = opts.maxAge ?? DEFAULT_PEER_MAX_AGE
    this.maxSize = Math.max(1, opts.maxSize ?? DEFAULT_MAX_PEERS)
    this.maxKeys = Math.max(1, opts.maxKeys ?? DEFAULT_MAX_PEER_KEYS)
    this.maxPerKey = Math.max(1, opts.maxPerKey ?? DEFAULT_MAX_PEERS_PER_KEY)
    this.maxPerHost = Math.max(1, opts.maxPerHost ?? DEFAULT_MAX_PEERS_PER_HOST)
    // one announce of the largest kind, alone in the store, always fits
    this.maxBytes = Math.max(PeerStore.entryBytes(LARGEST_PEER, true) + PEER_KEY_BYTES + PEER_KEY_GROUP_BYTES + STORE_HOST_BYTES + STORE_PREFIX_BYTES,
      opts.maxBytes ?? DEFAULT_MAX_PEER_BYTES)
    this.#onevict = opts.onevict
  }

  /** Accounted bytes of one announce of a `peerLength`-byte address (keys and records apart). */
  static entryBytes (peerLength: number, lan: boolean): number {
    return PEER_ENTRY_BYTES + peerLength + (lan ? PEER_LAN_BYTES : 0)
  }

  /** Number of stored announces. */
  get size (): number {
    return this.#entries.size
  }

  /** Accounted bytes of everything stored (at most `maxBytes`). */
  get bytes (): number {
    return this.#bytes + this.#hosts.bytes
  }

  /**
   * Entries evicted to make room since the store was created, by any cap but the per-host one
   * (which refuses): fairly, the oldest of the network prefix holding the most.
   */
  get evicted (): number {
    return this.#evicted
  }

  /** The cap behind the latest eviction, or null before any. */
  get lastEviction (): PeerStoreCap | null {
    return this.#lastEviction
  }

  /** Counts of what the store holds, for introspection and memory tests. */
  stats (): PeerStoreStats {
    return { peers: this.#entries.size, keys: this.#keys.size, hosts: this.#hosts.hosts, prefixes: this.#hosts.prefixes, bytes: this.bytes }
  }

  /** True when `key` (hex) has live announces. */
  has (key: string, now: number): boolean {
    this.prune(now)
    return this.#keys.has(key)
  }

  /** Stores (or refreshes) `peer` under `key` (hex). */
  put (key: string, peer: StoredPeer, now: number): PutResult {
    this.prune(now)
    const time = this.#time(now)
    const lan = lanString(peer)
    const prev = this.#find(key, peer.host, peer.port)
    if (prev !== undefined) {
      if ((prev.lan === null) === (lan === null)) {
        // same size: refreshed in place, moved to the newest end of each of its lists
        prev.lan = lan
        prev.time = time
        prev.stamp = ++this.#stamp
        moveToTail(this.#age, prev, AGE)
        this.#hosts.touch(prev.host, prev)
        const k = prev.key
        if (k.fair !== null) k.fair.touch(k.groups?.get(prev.host.prefix) as Group<Entry>, prev)
        return 'refreshed'
      }
      // a LAN address came or went: stored anew, making room if it grew (no cap can refuse it)
      this.#remove(prev)
      this.#insert(key, peer, lan, time)
      return 'refreshed'
    }

    if (this.#hosts.count(peer.host) >= this.maxPerHost) return 'refused-host'
    const rec = this.#keys.get(key)
    if (rec !== undefined && rec.entries.length >= this.maxPerKey) this.#makeRoomInKey(rec)
    this.#insert(key, peer, lan, time)
    return 'added'
  }

  /** Removes the announce of `host:port` under `key` (hex). */
  delete (key: string, host: string, port: number): boolean {
    const entry = this.#find(key, host, port)
    if (entry === undefined) return false
    this.#remove(entry)
    return true
  }

  /** Drops every entry older than `maxAge`. Cheap: the age list is in write order. */
  prune (now: number): number {
    if (this.#base === null) return 0
    const time = now - this.#base
    let removed = 0
    for (let e = this.#age.head; e !== null && time - e.time > this.maxAge; e = this.#age.head) {
      this.#remove(e)
      removed++
    }
    return removed
  }

  /** Live announces under `key` (hex), in storage order. */
  get (key: string, now: number): StoredPeer[] {
    this.prune(now)
    return (this.#keys.get(key)?.entries ?? []).map(publicView)
  }

  /**
   * Picks stored peers of `key` (hex) in random order, as the reference answers a `peers`
   * request: the requester's own address is left out, a LAN address is only answered to a
   * requester in the same /16, and selection stops after ~`maxBytes` of peers.
   */
  select (key: string, now: number, opts: SelectOptions = {}): Selection {
    this.prune(now)
    const list = this.#keys.get(key)?.entries
    if (list === undefined) return { peers: EMPTY, localPeers: EMPTY, count: 0 }

    const maxBytes = opts.maxBytes ?? MAX_PEERS_RESPONSE_BYTES
    const random = opts.random ?? Math.random
    const exclude = opts.exclude === undefined || opts.exclude === null ? null : latin1(opts.exclude)
    const local = lanKey(opts.localAddress)
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
      if (n.peer === exclude) continue
      if (off1 + size > peers.length) break
      if (n.peer.length !== size) continue
      writeLatin1(n.peer, 0, size, peers, off1)
      off1 += size
      count++
      const lan = n.lan
      // same /16, but not the requester itself
      if (local !== null && lan !== null && lan.charCodeAt(0) === local.charCodeAt(0) && lan.charCodeAt(1) === local.charCodeAt(1) && lan !== local) {
        writeLatin1(lan, 2, 4, localPeers, off2)
        off2 += 4
      }
    }

    return { peers: peers.subarray(0, off1), localPeers: localPeers.subarray(0, off2), count }
  }

  /** Whether `host:port` has a live announce under `key` (hex). */
  hasPeer (key: string, host: string, port: number, now: number): boolean {
    this.prune(now)
    return this.#find(key, host, port) !== undefined
  }

  /**
   * Whether `host:port` has a live announce under any key: a referrer relays holepunch pings only
   * to such peers (or contacts of its table). Walks that host's prefix, bounded by the caps.
   */
  hasAddress (host: string, port: number, now: number): boolean {
    this.prune(now)
    const h = this.#hosts.get(host)
    if (h === undefined) return false
    for (let e = h.prefix.head as Entry | null; e !== null; e = e.pNewer) if (e.host === h && e.port === port) return true
    return false
  }

  #time (now: number): number {
    if (this.#base === null) this.#base = now
    return now - this.#base
  }

  #find (key: string, host: string, port: number): Entry | undefined {
    const k = this.#keys.get(key)
    const h = this.#hosts.get(host)
    return k === undefined || h === undefined ? undefined : this.#entries.get(entryId(k, h, port))
  }

  /** The key is full: evicts the oldest entry, under it, of its prefix holding the most there. */
  #makeRoomInKey (rec: KeyRecord): void {
    if (rec.fair === null) this.#indexKey(rec)
    while (rec.entries.length >= this.maxPerKey) this.#evict((rec.fair as FairGroups<Entry>).largest()?.head as Entry, 'per-key')
  }

  /** Builds the per-prefix groups of a key (entries in write order within each). */
  #indexKey (rec: KeyRecord): void {
    const groups = new Map<PrefixRecord<Entry>, Group<Entry>>()
    const fair = new FairGroups<Entry>(KEY_PREFIX)
    for (const e of rec.entries.slice().sort((a, b) => a.stamp - b.stamp)) {
      let g = groups.get(e.host.prefix)
      if (g === undefined) {
        g = emptyGroup()
        groups.set(e.host.prefix, g)
        this.#bytes += PEER_KEY_GROUP_BYTES
      }
      fair.add(g, e)
    }
    rec.groups = groups
    rec.fair = fair
  }

  /** Stores a new entry, first evicting fairly while a global cap would be exceeded. */
  #insert (key: string, peer: StoredPeer, lan: string | null, time: number): void {
    const peerBytes = latin1(peer.peer)
    const cost = PeerStore.entryBytes(peerBytes.length, lan !== null)
    // far from every cap (the usual case), no need to work out exactly what the entry adds
    const roomy = this.#entries.size < this.maxSize && this.#keys.size < this.maxKeys &&
      this.bytes + cost + PEER_KEY_BYTES + PEER_KEY_GROUP_BYTES + STORE_HOST_BYTES + STORE_PREFIX_BYTES <= this.maxBytes
    if (!roomy) this.#makeRoom(key, peer.host, cost)

    let rec = this.#keys.get(key)
    if (rec === undefined) {
      rec = { hex: key, id: this.#keyIds++, entries: NO_ENTRIES, groups: null, fair: null }
      this.#keys.set(key, rec)
      this.#bytes += PEER_KEY_BYTES
    }
    const host = this.#hosts.acquire(peer.host)
    const entry: Entry = {
      key: rec,
      host,
      port: peer.port,
      peer: peerBytes,
      lan,
      time,
      stamp: ++this.#stamp,
      index: rec.entries.length,
      id: entryId(rec, host, peer.port),
      older: null,
      newer: null,
      pOlder: null,
      pNewer: null,
      kOlder: null,
      kNewer: null
    }
    this.#hosts.add(host, entry)
    // a key's first entry gets an array of one: an empty array grows to 17 slots on its first push
    if (rec.entries === NO_ENTRIES) rec.entries = [entry]
    else rec.entries.push(entry)
    this.#entries.set(entry.id, entry)
    pushNode(this.#age, entry, AGE)
    if (rec.groups !== null && rec.fair !== null) {
      let g = rec.groups.get(host.prefix)
      if (g === undefined) {
        g = emptyGroup()
        rec.groups.set(host.prefix, g)
        this.#bytes += PEER_KEY_GROUP_BYTES
      }
      rec.fair.add(g, entry)
    }
    this.#bytes += cost
  }

  /** Evicts fairly while storing an entry of `cost` bytes for `host` under `key` would exceed a cap. */
  #makeRoom (key: string, host: string, cost: number): void {
    for (;;) {
      // recomputed after each eviction: one may have taken the key or the host's records
      const rec = this.#keys.get(key)
      let need = cost + this.#hosts.newRecordBytes(host)
      if (rec === undefined) need += PEER_KEY_BYTES
      else if (rec.groups !== null) {
        const prefix = this.#hosts.prefix(host)
        if (prefix === undefined || !rec.groups.has(prefix)) need += PEER_KEY_GROUP_BYTES
      }
      const cap: PeerStoreCap | null = this.#entries.size >= this.maxSize
        ? 'size'
        : rec === undefined && this.#keys.size >= this.maxKeys
          ? 'keys'
          : this.bytes + need > this.maxBytes ? 'bytes' : null
      if (cap === null) return
      this.#evict(this.#hosts.victim() as Entry, cap)
    }
  }

  #evict (entry: Entry, cap: PeerStoreCap): void {
    this.#remove(entry)
    this.#evicted++
    this.#lastEviction = cap
    this.#onevict?.(entry.key.hex, publicView(entry), cap)
  }

  #remove (entry: Entry): void {
    this.#entries.delete(entry.id)
    unlinkNode(this.#age, entry, AGE)
    this.#bytes -= PeerStore.entryBytes(entry.peer.length, entry.lan !== null)
    const rec = entry.key
    if (rec.groups !== null && rec.fair !== null) {
      const g = rec.groups.get(entry.host.prefix) as Group<Entry>
      rec.fair.remove(g, entry)
      if (g.count === 0) {
        rec.groups.delete(entry.host.prefix)
        this.#bytes -= PEER_KEY_GROUP_BYTES
      }
    }
    const list = rec.entries
    const last = list.pop() as Entry
    if (last !== entry) {
      list[entry.index] = last
      last.index = entry.index
    }
    if (list.length === 0) {
      this.#keys.delete(rec.hex)
      this.#bytes -= PEER_KEY_BYTES
    }
    this.#hosts.remove(entry.host, entry)
  }
}

const EMPTY = new Uint8Array(0)
const NO_ENTRIES: Entry[] = []

function entryId (key: KeyRecord, host: HostRecord<Entry>, port: number): string {
  return key.id + ':' + host.id + ':' + port
}

function latin1 (bytes: Uint8Array): string {
  return String.fromCharCode.apply(null, bytes as unknown as number[])
}

function bytesOf (s: string, start: number, length: number): Uint8Array {
  const out = new Uint8Array(length)
  writeLatin1(s, start, length, out, 0)
  return out
}

function writeLatin1 (s: string, start: number, length: number, out: Uint8Array, offset: number): void {
  for (let i = 0; i < length; i++) out[offset + i] = s.charCodeAt(start + i)
}

/** LAN filter and peer as one 6-character string; null without both. */
function lanString (peer: StoredPeer): string | null {
  const f = peer.localFilter
  const p = peer.localPeer
  if (f === null || p === null || f.length !== 2 || p.length !== 4) return null
  return String.fromCharCode(f[0] as number, f[1] as number, p[0] as number, p[1] as number, p[2] as number, p[3] as number)
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
  return {
    host: e.host.name,
    port: e.port,
    peer: bytesOf(e.peer, 0, e.peer.length),
    localFilter: e.lan === null ? null : bytesOf(e.lan, 0, 2),
    localPeer: e.lan === null ? null : bytesOf(e.lan, 2, 4)
  }
}

/** A LAN address (6 bytes, or their number) as the 6-character string entries keep; else null. */
function lanKey (addr: Uint8Array | number | null | undefined): string | null {
  if (typeof addr === 'number') {
    if (!(Number.isInteger(addr) && addr >= 0 && addr < 0x1000000000000)) return null
    const hi = Math.floor(addr / 0x100000000)
    return String.fromCharCode(hi >>> 8, hi & 0xff, addr >>> 24 & 0xff, addr >>> 16 & 0xff, addr >>> 8 & 0xff, addr & 0xff)
  }
  return addr instanceof Uint8Array && addr.length === 6 ? latin1(addr) : null
}
