import { randomBytes } from 'node:crypto'
import { ipv4Value } from '@hyperdht-ts/ip-encoding'
import { compareDistance } from '@hyperdht-ts/kbucket'
import { DEFAULT_MAX_PER_16, DEFAULT_MAX_PER_24_PER_BUCKET, K, MAX_FAILURES, NODES_TO_PING } from '../constants.js'
import type { AddressCodec } from '../messages/addresses.js'
import type { Node, Peer } from '../types.js'
import { bytesEqual } from '../bytes.js'
import { dottedQuad } from '../io/host-slots.js'
import { addressPrefixes, ContactSlots } from './slots.js'

/**
 * A routing-table contact, as the table hands it out: a snapshot (the table keeps its contacts
 * compactly, not as objects), with a copy of the id. `tick` is the maintenance tick at which the
 * node was last heard from.
 */
export interface TableNode extends Node {
  tick: number
  /** Query requests that failed in a row since we last heard from the node. */
  failures: number
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

/**
 * Who hears what happens in a table (each method optional). An object rather than events: the
 * DHT's context serves as one, with no closures nor event registry per node.
 */
export interface RoutingTableListener {
  nodeAdded? (node: TableNode): void
  nodeRemoved? (node: TableNode): void
  /** A full bucket got a newcomer: ping the old contacts, then `remove()` and `add()`, or `refresh()`. */
  bucketFull? (oldContacts: TableNode[], newContact: TableNode): void
  /** A verified contact was refused by an IP diversity limit. */
  diversityRejected? (node: { id: Uint8Array, host: string, port: number }, limit: keyof DiversityLimits): void
}

/**
 * The routing table: Kademlia k-buckets as k-bucket@5.1.0 builds them (a tree that splits only
 * the bucket covering our id, a full far bucket asks for a `ping`), plus the order of last
 * contact. Only the bucket covering our id splits, so the buckets are the ranges of common prefix
 * length with our id: one far bucket per length below `depth`, and the bucket covering our id
 * (every length from `depth` on). The contacts themselves live in compact slots
 * ({@link ContactSlots}); `get`, `closest` and the events hand out snapshots.
 * Pure: no I/O and no timers; the DHT drives it.
 */
export class RoutingTable {
  readonly id: Uint8Array
  readonly k: number
  readonly diversity: Readonly<DiversityLimits>
  /** Contacts refused by a diversity limit, since creation. */
  diversityRejected = 0
  /** Told of every change (see {@link RoutingTableListener}). */
  listener: RoutingTableListener | null = null
  readonly #slots: ContactSlots
  /** Contacts per common prefix length with our id. */
  readonly #counts: number[] = []
  /** Prefix length of the bucket covering our id (the number of splits so far). */
  #depth = 0
  /** The recency stamp of the next contact seen. */
  #seq = 0

  constructor (id: Uint8Array, k = K, diversity: Partial<DiversityLimits> = {}) {
    this.id = id
    this.k = k
    this.diversity = diversity.maxPer24PerBucket === undefined && diversity.maxPer16 === undefined
      ? DEFAULT_DIVERSITY
      : {
          maxPer24PerBucket: diversity.maxPer24PerBucket ?? DEFAULT_MAX_PER_24_PER_BUCKET,
          maxPer16: diversity.maxPer16 ?? DEFAULT_MAX_PER_16
        }
    this.#slots = new ContactSlots(id.byteLength)
  }

  /**
   * Adds or refreshes a node heard from at `tick` (the caller has verified its address). Ignores
   * our own id and ids of the wrong length; a newcomer (or a known node at a new host) over an
   * IP diversity limit is refused. Returns whether the node is in the table afterwards.
   */
  add (id: Uint8Array, peer: Peer, tick: number): boolean {
    if (id.length !== this.id.length || bytesEqual(id, this.id)) return false
    // a port is kept in 16 bits: anything else could never be sent to anyway
    if (!Number.isInteger(peer.port) || peer.port < 0 || peer.port > 0xffff) return false
    const slots = this.#slots
    const cpl = commonPrefix(id, this.id)
    const existing = slots.find(id, cpl)
    if (existing >= 0) {
      if (!slots.isAtHost(existing, peer.host, dottedQuad(peer.host))) {
        const limit = this.#overLimit(cpl, peer.host)
        if (limit !== null) return this.#reject(id, peer, limit, true)
        slots.setAddress(existing, peer.host, peer.port)
      } else {
        slots.setPort(existing, peer.port)
      }
      slots.setTick(existing, tick)
      slots.setFailures(existing, 0)
      this.#touch(existing)
      return true
    }
    const limit = this.#overLimit(cpl, peer.host)
    if (limit !== null) return this.#reject(id, peer, limit, false)
    for (;;) {
      const far = cpl < this.#depth
      if ((far ? this.#counts[cpl] ?? 0 : this.#localCount()) < this.k) {
        // decoded ids are views into the datagram they arrived in: the slot keeps a copy
        const slot = slots.push(id, peer.host, peer.port, tick, this.#nextSeq(), cpl)
        while (this.#counts.length <= cpl) this.#counts.push(0)
        this.#counts[cpl]!++
        if (this.listener?.nodeAdded !== undefined) this.listener.nodeAdded(this.#node(slot))
        return true
      }
      if (far) {
        if (this.listener?.bucketFull !== undefined) {
          const fresh = { id: new Uint8Array(id), host: peer.host, port: peer.port, tick, failures: 0 }
          this.listener.bucketFull(this.#leastRecent(cpl, NODES_TO_PING).map((s) => this.#node(s)), fresh)
        }
        return false
      }
      // The bucket covering our id is full: split it. Its contacts of prefix length `depth`
      // form the new far bucket; try again (the covering bucket may still be full).
      this.#depth++
    }
  }

  /**
   * Whether `add(id, peer, tick)` could put this newcomer in the table: its bucket has room (or
   * is the one covering our id, which splits), or one of the contacts a full bucket would ping
   * (its `NODES_TO_PING` least recently seen) was not heard from within `freshTicks`, and no
   * diversity limit refuses its host. A requester for which this is false is not worth a
   * verification ping: a full bucket of fresh contacts would turn it away after the ping.
   */
  admits (id: Uint8Array, host: string, tick: number, freshTicks: number): boolean {
    if (id.length !== this.id.length || bytesEqual(id, this.id)) return false
    const cpl = commonPrefix(id, this.id)
    if (this.#slots.find(id, cpl) >= 0) return true
    if (this.#overLimit(cpl, host) !== null) return false
    if (cpl >= this.#depth || (this.#counts[cpl] ?? 0) < this.k) return true
    for (const s of this.#leastRecent(cpl, NODES_TO_PING)) if (tick - this.#slots.tick(s) >= freshTicks) return true
    return false
  }

  /** Which diversity limit `host` would break as the address of an id of prefix length `cpl`, or `null`. */
  #overLimit (cpl: number, host: string): keyof DiversityLimits | null {
    // A scan of the table (a few hundred contacts at most, each with its keys at hand) rather
    // than a map of counts per network: two maps cost ~80 bytes a contact.
    const { maxPer16, maxPer24PerBucket } = this.diversity
    if (maxPer16 <= 0) return 'maxPer16'
    const slots = this.#slots
    const v4 = ipv4Value(host)
    let in16 = 0
    let in24 = 0
    if (v4 >= 0) {
      const key16 = v4 >>> 16
      const key24 = v4 >>> 8
      for (let s = 0; s < slots.size; s++) {
        const other = slots.v4(s)
        if (other < 0) continue
        if (other >>> 16 === key16 && ++in16 >= maxPer16) return 'maxPer16'
        if (other >>> 8 === key24 && slots.cpl(s) === cpl) in24++
      }
    } else {
      const [key24, key16] = addressPrefixes(host)
      for (let s = 0; s < slots.size; s++) {
        if (slots.v4(s) >= 0) continue
        const [other24, other16] = slots.otherKeys(s)
        if (other16 === key16 && ++in16 >= maxPer16) return 'maxPer16'
        if (other24 === key24 && slots.cpl(s) === cpl) in24++
      }
    }
    return in24 >= maxPer24PerBucket ? 'maxPer24PerBucket' : null
  }

  #reject (id: Uint8Array, peer: Peer, limit: keyof DiversityLimits, known: boolean): boolean {
    this.diversityRejected++
    this.listener?.diversityRejected?.({ id, host: peer.host, port: peer.port }, limit)
    return known
  }

  /** Whether a contact of the table is at exactly this address. */
  hasAddress (host: string, port: number): boolean {
    const slots = this.#slots
    const v4 = dottedQuad(host)
    for (let s = 0; s < slots.size; s++) if (slots.isAt(s, host, v4, port)) return true
    return false
  }

  /** Re-inserts a contact as most recently seen (a full-bucket ping it answered). */
  refresh (node: { id: Uint8Array }): void {
    const slot = this.#find(node.id)
    if (slot >= 0) this.#touch(slot)
  }

  /**
   * A query request to `node` failed. The node is removed after `MAX_FAILURES` failures in a
   * row (any message from it resets the count): one timeout is weak evidence, since a busy event
   * loop or one lost datagram looks the same, and removing on it empties tables under load.
   * Returns whether the node was removed.
   */
  failed (id: Uint8Array, peer: Peer): boolean {
    const slot = this.#find(id)
    if (slot < 0 || !this.#slots.isAt(slot, peer.host, dottedQuad(peer.host), peer.port)) return false
    const failures = this.#slots.failures(slot) + 1
    this.#slots.setFailures(slot, failures)
    if (failures < MAX_FAILURES) return false
    this.#removeAt(slot)
    return true
  }

  remove (id: Uint8Array): void {
    const slot = this.#find(id)
    if (slot >= 0) this.#removeAt(slot)
  }

  /** Whether the contact with id `id` is at `peer` (host and port); `null` when no contact has that id. */
  knownAt (id: Uint8Array, peer: Peer): boolean | null {
    const slot = this.#find(id)
    return slot < 0 ? null : this.#slots.isAt(slot, peer.host, dottedQuad(peer.host), peer.port)
  }

  get (id: Uint8Array): TableNode | null {
    const slot = this.#find(id)
    return slot < 0 ? null : this.#node(slot)
  }

  /**
   * Up to `n` contacts closest to `target`, closest first: those of the buckets nearest to it,
   * visited as k-bucket does until `n` are gathered, ordered by exact XOR distance.
   */
  closest (target: Uint8Array, n = this.k): TableNode[] {
    return this.#closest(target, n).map((s) => this.#node(s))
  }

  /**
   * `codec.encodeNodes(closest(target, n))` (a response's `nodes`), written straight from the
   * slots when it can be (an IPv4 codec, contacts at dotted quads): no snapshots.
   */
  encodeClosest (target: Uint8Array, n: number, codec: AddressCodec): Uint8Array {
    const kept = this.#closest(target, n)
    if (codec.family === 4) {
      const out = this.#slots.encodeIPv4(kept)
      if (out !== null) return out
    }
    return codec.encodeNodes(kept.map((s) => this.#node(s)))
  }

  count (): number {
    return this.#slots.size
  }

  /** Every contact, bucket by bucket in id-prefix order (0-bits first), each least recently seen first. */
  toArray (): TableNode[] {
    const ranks = this.#bucketRanks(new Uint8Array(this.id.byteLength))
    return this.#sorted((a, b) => ranks[this.#bucketOf(a)]! - ranks[this.#bucketOf(b)]!).map((s) => this.#node(s))
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
    const counts = this.#counts
    let last = counts.length - 1
    while (last >= 0 && counts[last] === 0) last--
    for (let near = 0; last > 0 && (near += counts[last]!) < this.k;) last--
    const out: Array<{ cpl: number, target: Uint8Array }> = []
    for (let cpl = 0; cpl <= last; cpl++) {
      if (counts[cpl]! < min) out.push({ cpl, target: inRange(random(this.id.byteLength), this.id, cpl) })
    }
    return out
  }

  /** Number of our nodes sharing exactly `cpl` leading bits with our id. */
  rangeSize (cpl: number): number {
    return this.#counts[cpl] ?? 0
  }

  /** Nodes from least to most recently seen. */
  * leastRecentlySeen (): IterableIterator<TableNode> {
    for (const slot of this.#sorted(() => 0)) yield this.#node(slot)
  }

  stats (): RoutingTableStats {
    const nodes = this.toArray()
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
      buckets: this.#buckets(),
      diversity: {
        prefixes24: p24.size,
        prefixes16: p16.size,
        largest24: largest(p24, nodes.length),
        largest16: largest(p16, nodes.length)
      }
    }
  }

  /** One entry per bucket, in id-prefix order (as k-bucket's `buckets()`). */
  #buckets (): BucketStats[] {
    const out: Array<BucketStats & { rank: number }> = []
    const ranks = this.#bucketRanks(new Uint8Array(this.id.byteLength))
    const own = bitString(this.id, this.#depth)
    for (let b = 0; b <= this.#depth; b++) {
      const local = b === this.#depth
      const prefix = local ? own : own.slice(0, b) + (own[b] === '1' ? '0' : '1')
      const size = local ? this.#localCount() : this.#counts[b] ?? 0
      out.push({ depth: prefix.length, prefix, size, fill: size / this.k, rank: ranks[b]! })
    }
    return out.sort((a, b) => a.rank - b.rank).map(({ rank, ...bucket }) => bucket)
  }

  /** Contacts of the bucket covering our id. */
  #localCount (): number {
    let n = 0
    for (let c = this.#depth; c < this.#counts.length; c++) n += this.#counts[c]!
    return n
  }

  /** The bucket of a slot: its prefix length, or `depth` for the bucket covering our id. */
  #bucketOf (slot: number): number {
    return Math.min(this.#slots.cpl(slot), this.#depth)
  }

  /**
   * The order in which k-bucket's depth-first walk towards `target` (nearer child first) visits
   * the buckets, as a rank per bucket (0..depth). At each split the far bucket comes first when
   * `target` has its bit (it is nearer), after everything deeper otherwise.
   */
  #bucketRanks (target: Uint8Array): Int32Array {
    const depth = this.#depth
    const ranks = new Int32Array(depth + 1)
    let first = 0
    let last = depth
    for (let b = 0; b < depth; b++) {
      if (bitAt(target, b) !== bitAt(this.id, b)) ranks[b] = first++
      else ranks[b] = last--
    }
    ranks[depth] = first
    return ranks
  }

  /** Slots of the `n` closest contacts to `target`, closest first. */
  #closest (target: Uint8Array, n: number): number[] {
    const slots = this.#slots
    if (slots.size === 0 || n <= 0) return []
    // the buckets k-bucket would visit: nearest first, until they hold n contacts
    const ranks = this.#bucketRanks(target)
    const depth = this.#depth
    const sizes = new Int32Array(ranks.length)
    for (let b = 0; b < ranks.length; b++) sizes[ranks[b]!] = b === depth ? this.#localCount() : this.#counts[b] ?? 0
    let lastRank = 0
    for (let gathered = sizes[0]!; gathered < n && lastRank < sizes.length - 1;) gathered += sizes[++lastRank]!
    // Kept sorted by distance; most candidates are told apart by the first 6 bytes of their
    // distance (`key`, an exact integer), the rest by the whole id.
    const exact = target.length === slots.idLength
    const ids = slots.ids
    const step = slots.idLength
    const kept: number[] = []
    const keys: number[] = []
    for (let s = 0; s < slots.size; s++) {
      if (ranks[Math.min(slots.cpl(s), depth)]! > lastRank) continue
      let key = 0
      if (exact) {
        const o = s * step
        for (let i = 0; i < 6 && i < step; i++) key = key * 256 + (ids[o + i]! ^ target[i]!)
      }
      let at = kept.length
      if (at === n) {
        const last = keys[n - 1]!
        if (key > last || (key === last && this.#compare(target, s, kept[n - 1]!, ranks) >= 0)) continue
        at = n - 1
      }
      while (at > 0 && (key < keys[at - 1]! || (key === keys[at - 1]! && this.#compare(target, s, kept[at - 1]!, ranks) < 0))) {
        kept[at] = kept[at - 1]!
        keys[at] = keys[at - 1]!
        at--
      }
      kept[at] = s
      keys[at] = key
    }
    return kept
  }

  /**
   * Orders slots `a` and `b` by the exact XOR distance of their ids to `target`; equal distances
   * (only for targets of another length) in k-bucket's order: bucket visit rank, then recency.
   */
  #compare (target: Uint8Array, a: number, b: number, ranks: Int32Array): number {
    const slots = this.#slots
    const n = slots.idLength
    let d = 0
    if (target.length === n) {
      const ids = slots.ids
      const oa = a * n
      const ob = b * n
      for (let i = 0; i < n; i++) {
        const t = target[i]!
        const x = ids[oa + i]! ^ t
        const y = ids[ob + i]! ^ t
        if (x !== y) return x - y
      }
    } else {
      d = compareDistance(target, slots.id(a), slots.id(b))
    }
    if (d !== 0) return d
    return ranks[this.#bucketOf(a)]! - ranks[this.#bucketOf(b)]! || slots.seq(a) - slots.seq(b)
  }

  /** All slots, by `order` and then from least to most recently seen. */
  #sorted (order: (a: number, b: number) => number): number[] {
    const out: number[] = []
    for (let s = 0; s < this.#slots.size; s++) out.push(s)
    return out.sort((a, b) => order(a, b) || this.#slots.seq(a) - this.#slots.seq(b))
  }

  /** The `n` least recently seen contacts of far bucket `cpl`, least recent first. */
  #leastRecent (cpl: number, n: number): number[] {
    const slots = this.#slots
    const out: number[] = []
    for (let s = 0; s < slots.size; s++) if (slots.cpl(s) === cpl) out.push(s)
    return out.sort((a, b) => slots.seq(a) - slots.seq(b)).slice(0, n)
  }

  #find (id: Uint8Array): number {
    if (id.length !== this.id.length) return -1
    return this.#slots.find(id, commonPrefix(id, this.id))
  }

  /** Marks a contact as the most recently seen. */
  #touch (slot: number): void {
    this.#slots.setSeq(slot, this.#nextSeq())
  }

  #nextSeq (): number {
    if (this.#seq === 0x7fffffff) {
      // renumber in order (after two billion contacts seen): stamps stay small integers
      const order = this.#sorted(() => 0)
      for (let i = 0; i < order.length; i++) this.#slots.setSeq(order[i]!, i)
      this.#seq = order.length
    }
    return this.#seq++
  }

  #removeAt (slot: number): void {
    const node = this.listener?.nodeRemoved !== undefined ? this.#node(slot) : null
    this.#counts[this.#slots.cpl(slot)]!--
    this.#slots.removeAt(slot)
    if (node !== null) this.listener?.nodeRemoved?.(node)
  }

  #node (slot: number): TableNode {
    const s = this.#slots
    return { id: s.id(slot), host: s.host(slot), port: s.port(slot), tick: s.tick(slot), failures: s.failures(slot) }
  }
}

/** Number of leading bits `a` and `b` share. */
function commonPrefix (a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]! ^ b[i]!
    if (x !== 0) return i * 8 + Math.clz32(x) - 24
  }
  return a.length * 8
}

/** The limits when none is given (shared by every table). */
const DEFAULT_DIVERSITY: Readonly<DiversityLimits> = Object.freeze({ maxPer24PerBucket: DEFAULT_MAX_PER_24_PER_BUCKET, maxPer16: DEFAULT_MAX_PER_16 })

/** Bit `i` of `id`, most significant first; bits past its end read as 0 (as in k-bucket). */
function bitAt (id: Uint8Array, i: number): number {
  const byte = i >> 3
  return byte < id.length ? (id[byte]! >> (7 - (i & 7))) & 1 : 0
}

/** The first `bits` bits of `id` as a string of '0's and '1's. */
function bitString (id: Uint8Array, bits: number): string {
  let out = ''
  for (let i = 0; i < bits; i++) out += bitAt(id, i)
  return out
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

export { addressPrefixes }

function largest (m: Map<string, number>, total: number): PrefixShare | null {
  let best: PrefixShare | null = null
  for (const [prefix, count] of m) {
    if (!best || count > best.count) best = { prefix, count, share: count / total }
  }
  return best
}
