// The routing table as it was before its contacts moved to compact slots: objects in a
// @hyperdht-ts/kbucket tree. Kept as the model of src/routing/table.test.ts, which checks that the
// compact table behaves the same on random operations.
import { randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { ipv4Value, prefix16, prefix24 } from '@hyperdht-ts/ip-encoding'
import { KBucket } from '@hyperdht-ts/kbucket'
import { DEFAULT_MAX_PER_16, DEFAULT_MAX_PER_24_PER_BUCKET, K, MAX_FAILURES, NODES_TO_PING } from '../src/constants.js'
import type { Node, Peer } from '../src/types.js'
import { bytesEqual } from '../src/bytes.js'

/** A routing-table entry. `tick` is the maintenance tick at which the node was last heard from. */
export interface TableNode extends Node {
  tick: number
  /** Query requests that failed in a row since we last heard from the node. */
  failures: number
  /** Internal: the keys of its /16 and of its /24 within its bucket, for the diversity limits. */
  net16: number | string
  net24: number | string
}

export interface BucketStats {
  depth: number
  prefix: string
  size: number
  /** size / k */
  fill: number
}

export interface PrefixShare {
  prefix: string
  count: number
  /** count / table size */
  share: number
}

/** Per-bucket fill and address diversity of the table (cf. libp2p `GetRoutingTableDiversityStats`). */
export interface RoutingTableStats {
  size: number
  k: number
  buckets: BucketStats[]
  diversity: {
    /** Distinct /24 prefixes (IPv6: /48). */
    prefixes24: number
    /** Distinct /16 prefixes (IPv6: /32). */
    prefixes16: number
    /** The /24 holding most nodes. */
    largest24: PrefixShare | null
    /** The /16 holding most nodes. */
    largest16: PrefixShare | null
  }
}

/**
 * IP diversity limits of the table (as libtorrent and libp2p have them): a Sybil attacker with
 * many ids but few addresses can hold only a few places. IPv6 uses /48 for "/24" and /32 for
 * "/16". `Infinity` turns a limit off.
 */
export interface DiversityLimits {
  /** Contacts of one /24 (IPv6: /48) among the contacts sharing a common-prefix length with us (one Kademlia bucket). @default 2 */
  maxPer24PerBucket: number
  /** Contacts of one /16 (IPv6: /32) in the whole table. @default 10 */
  maxPer16: number
}

export interface RoutingTableEvents {
  'add-node': [node: TableNode]
  'remove-node': [node: TableNode]
  /** A verified contact was refused by an IP diversity limit. */
  'diversity-rejected': [node: { id: Uint8Array, host: string, port: number }, limit: keyof DiversityLimits]
  /** A full bucket got a newcomer: ping the old contacts, then `replace()` or `refresh()`. */
  ping: [oldContacts: TableNode[], newContact: TableNode]
}

/**
 * The routing table: k-buckets plus an order of last contact (least recently seen first).
 * Pure: no I/O and no timers; the DHT drives it.
 */
export class KBucketTable extends EventEmitter<RoutingTableEvents> {
  readonly id: Uint8Array
  readonly k: number
  readonly diversity: Readonly<DiversityLimits>
  /** Contacts refused by a diversity limit, since creation. */
  diversityRejected = 0
  #buckets: KBucket<TableNode>
  /** Insertion order = least recently seen first (keyed by the stored contact object). */
  #seen = new Set<TableNode>()

  constructor (id: Uint8Array, k = K, diversity: Partial<DiversityLimits> = {}) {
    super()
    this.id = id
    this.k = k
    this.diversity = {
      maxPer24PerBucket: diversity.maxPer24PerBucket ?? DEFAULT_MAX_PER_24_PER_BUCKET,
      maxPer16: diversity.maxPer16 ?? DEFAULT_MAX_PER_16
    }
    this.#buckets = new KBucket<TableNode>({
      localNodeId: id,
      numberOfNodesPerKBucket: k,
      numberOfNodesToPing: NODES_TO_PING,
      arbiter: (_incumbent, candidate) => candidate
    })
    this.#buckets.on('added', (node) => {
      this.#seen.add(node)
      this.emit('add-node', node)
    })
    this.#buckets.on('removed', (node) => {
      this.#seen.delete(node)
      this.emit('remove-node', node)
    })
    this.#buckets.on('updated', (incumbent, selection) => {
      this.#seen.delete(incumbent)
      this.#seen.delete(selection)
      this.#seen.add(selection)
    })
    this.#buckets.on('ping', (old, fresh) => this.emit('ping', old, fresh))
  }

  /**
   * Adds or refreshes a node heard from at `tick` (the caller has verified its address). Ignores
   * our own id and ids of the wrong length; a newcomer (or a known node at a new host) over an
   * IP diversity limit is refused. Returns whether the node is in the table afterwards.
   */
  add (id: Uint8Array, peer: Peer, tick: number): boolean {
    if (id.byteLength !== this.id.byteLength || bytesEqual(id, this.id)) return false
    const existing = this.#buckets.get(id)
    if (existing) {
      if (existing.host !== peer.host) {
        const limit = this.#overLimit(id, peer.host)
        if (limit !== null) return this.#reject(id, peer, limit, true)
        const v4 = ipv4Value(peer.host)
        existing.host = peer.host
        existing.net16 = networkKey16(peer.host, v4)
        existing.net24 = networkKey24(peer.host, v4, commonPrefix(id, this.id))
      }
      existing.port = peer.port
      existing.tick = tick
      existing.failures = 0
      this.#buckets.add(existing)
      return true
    }
    const limit = this.#overLimit(id, peer.host)
    if (limit !== null) return this.#reject(id, peer, limit, false)
    // Decoded ids are views into the datagram they arrived in: keep a 32-byte copy, not the
    // whole datagram (that retention was most of a node's heap).
    const v4 = ipv4Value(peer.host)
    this.#buckets.add({
      id: copyId(id),
      host: peer.host,
      port: peer.port,
      tick,
      failures: 0,
      net16: networkKey16(peer.host, v4),
      net24: networkKey24(peer.host, v4, commonPrefix(id, this.id))
    })
    return this.#buckets.get(id) !== null
  }

  /** Which diversity limit `host` would break as the address of `id`, or `null`. */
  #overLimit (id: Uint8Array, host: string): keyof DiversityLimits | null {
    // A scan of the table (a few hundred contacts at most, each with its keys at hand) rather
    // than a map of counts per network: two maps cost ~80 bytes a contact, the keys 16.
    const v4 = ipv4Value(host)
    const key16 = networkKey16(host, v4)
    const key24 = networkKey24(host, v4, commonPrefix(id, this.id))
    const { maxPer16, maxPer24PerBucket } = this.diversity
    if (maxPer16 <= 0) return 'maxPer16'
    let in16 = 0
    let in24 = 0
    for (const n of this.#seen) {
      if (n.net16 === key16 && ++in16 >= maxPer16) return 'maxPer16'
      if (n.net24 === key24) in24++
    }
    return in24 >= maxPer24PerBucket ? 'maxPer24PerBucket' : null
  }

  #reject (id: Uint8Array, peer: Peer, limit: keyof DiversityLimits, known: boolean): boolean {
    this.diversityRejected++
    if (this.listenerCount('diversity-rejected') > 0) this.emit('diversity-rejected', { id, host: peer.host, port: peer.port }, limit)
    return known
  }

  /**
   * The contacts at `host`. A scan of the table (a few hundred contacts at most): it answers
   * rate-limited relay requests only, and an index by host cost ~40 bytes a contact.
   */
  atHost (host: string): TableNode[] {
    const out: TableNode[] = []
    for (const n of this.#seen) if (n.host === host) out.push(n)
    return out
  }

  /** Re-inserts a contact as most recently seen (a full-bucket ping it answered). */
  refresh (node: TableNode): void {
    if (this.#buckets.get(node.id)) this.#buckets.add(node)
  }

  /**
   * A query request to `node` failed. The node is removed after `MAX_FAILURES` failures in a
   * row (any message from it resets the count): one timeout is weak evidence, since a busy event
   * loop or one lost datagram looks the same, and removing on it empties tables under load.
   * Returns whether the node was removed.
   */
  failed (id: Uint8Array, peer: Peer): boolean {
    const n = this.get(id)
    if (!n || n.host !== peer.host || n.port !== peer.port) return false
    if (++n.failures < MAX_FAILURES) return false
    this.remove(id)
    return true
  }

  remove (id: Uint8Array): void {
    this.#buckets.remove(id)
  }

  get (id: Uint8Array): TableNode | null {
    if (id.byteLength !== this.id.byteLength) return null
    return this.#buckets.get(id)
  }

  closest (target: Uint8Array, n = this.k): TableNode[] {
    return this.#buckets.closest(target, n)
  }

  count (): number {
    return this.#buckets.count()
  }

  toArray (): TableNode[] {
    return this.#buckets.toArray()
  }

  /**
   * Kademlia's bucket refresh, by range: the ids sharing exactly `cpl` leading bits with ours
   * form the range of one far bucket. For every range out to that of our k-th closest node
   * (nearer ranges are what the bootstrap lookup of our own id explores) holding fewer than
   * `min` of our nodes, returns a random id in that range, farthest range first. A lookup for it reaches the nodes of the range, which then enter the table. Without it
   * a node learns only the region of the nodes that talk to it: one that joined a grown network
   * through its own neighbourhood may know nobody in the other half of the id space. (Ranges, not
   * leaf buckets: a table of k nodes is one unsplit bucket, yet it may miss whole ranges.)
   */
  refreshTargets (min = this.k, random: (n: number) => Uint8Array = randomBytes): Array<{ cpl: number, target: Uint8Array }> {
    const counts = this.#rangeCounts()
    let last = counts.length - 1
    for (let near = 0; last > 0 && (near += counts[last]!) < this.k;) last--
    const out: Array<{ cpl: number, target: Uint8Array }> = []
    for (let cpl = 0; cpl <= last; cpl++) {
      if (counts[cpl]! < min) out.push({ cpl, target: inRange(random(this.id.byteLength), this.id, cpl) })
    }
    return out
  }

  /** Number of our nodes sharing exactly `cpl` leading bits with our id. */
  rangeSize (cpl: number): number {
    return this.#rangeCounts()[cpl] ?? 0
  }

  /** Nodes per common-prefix length with our id, up to that of the closest node. */
  #rangeCounts (): number[] {
    const counts: number[] = []
    for (const n of this.#seen) {
      const c = commonPrefix(n.id, this.id)
      while (counts.length <= c) counts.push(0)
      counts[c]!++
    }
    return counts
  }

  /** Nodes from least to most recently seen. */
  leastRecentlySeen (): IterableIterator<TableNode> {
    return this.#seen.values()
  }

  stats (): RoutingTableStats {
    const nodes = this.toArray()
    const buckets = this.#buckets.buckets().map((b) => ({
      depth: b.depth,
      prefix: b.prefix,
      size: b.size,
      fill: b.size / this.k
    }))
    const p24 = new Map<string, number>()
    const p16 = new Map<string, number>()
    for (const n of nodes) {
      const [a, b] = addressPrefixes(n.host)
      p24.set(a, (p24.get(a) ?? 0) + 1)
      p16.set(b, (p16.get(b) ?? 0) + 1)
    }
    return {
      size: nodes.length,
      k: this.k,
      buckets,
      diversity: {
        prefixes24: p24.size,
        prefixes16: p16.size,
        largest24: largest(p24, nodes.length),
        largest16: largest(p16, nodes.length)
      }
    }
  }
}

/**
 * The key of the /16 network of `host` (IPv6: /32) in the diversity counts: for IPv4 (`v4`, its
 * {@link ipv4Value}) the number `a * 256 + b`; otherwise the prefix string (or the host itself).
 */
function networkKey16 (host: string, v4: number): number | string {
  return v4 >= 0 ? v4 >>> 16 : addressPrefixes(host)[1]
}

/**
 * The key of the /24 network of `host` (IPv6: /48) among the contacts sharing `cpl` leading bits
 * with our id: for IPv4 the number `cpl * 2^24 + (a.b.c)` (a small integer, no heap object, for
 * cpl < 128), otherwise `cpl|prefix`. Numbers and strings never collide as Map keys.
 */
function networkKey24 (host: string, v4: number, cpl: number): number | string {
  return v4 >= 0 ? cpl * 0x1000000 + (v4 >>> 8) : cpl + '|' + addressPrefixes(host)[0]
}

/**
 * Copies of contact ids, cut from shared 1 KB slabs: a standalone 32-byte Uint8Array costs about
 * 230 bytes of heap (view, ArrayBuffer, backing store), a view of a slab about 100. A slot is
 * never reused (callers may hold on to a contact's id), so a slab is freed once all its ids are
 * gone; at worst one long-lived id keeps 1 KB.
 */
const ID_SLAB_BYTES = 1024
let idSlab = new Uint8Array(0)
let idSlabUsed = 0

function copyId (id: Uint8Array): Uint8Array {
  const n = id.byteLength
  if (n > ID_SLAB_BYTES / 4) return new Uint8Array(id)
  if (idSlabUsed + n > idSlab.byteLength) {
    idSlab = new Uint8Array(ID_SLAB_BYTES)
    idSlabUsed = 0
  }
  const copy = idSlab.subarray(idSlabUsed, idSlabUsed + n)
  idSlabUsed += n
  copy.set(id)
  return copy
}

/** Number of leading bits `a` and `b` share. */
function commonPrefix (a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.byteLength; i++) {
    const x = a[i]! ^ b[i]!
    if (x !== 0) return i * 8 + Math.clz32(x) - 24
  }
  return a.byteLength * 8
}

/** `bytes` changed to share exactly `cpl` leading bits with `id`. */
function inRange (bytes: Uint8Array, id: Uint8Array, cpl: number): Uint8Array {
  const out = new Uint8Array(bytes)
  const whole = cpl >> 3
  out.set(id.subarray(0, whole))
  const keep = (0xff00 >> (cpl & 7)) & 0xff // the bits before `cpl` in its byte
  const flip = 0x80 >> (cpl & 7)
  out[whole] = (id[whole]! & keep) | (~id[whole]! & flip) | (out[whole]! & ~keep & ~flip & 0xff)
  return out
}

/** The /24 and /16 (IPv6: /48 and /32) network keys of a host; a host that is no IP address keys itself. */
/** The /24 and /16 of an address (IPv6: /48 and /32), the units of the diversity limits. */
export function addressPrefixes (host: string): [string, string] {
  try {
    return [prefix24(host), prefix16(host)]
  } catch {
    return [host, host]
  }
}

function largest (m: Map<string, number>, total: number): PrefixShare | null {
  let best: PrefixShare | null = null
  for (const [prefix, count] of m) {
    if (!best || count > best.count) best = { prefix, count, share: count / total }
  }
  return best
}
