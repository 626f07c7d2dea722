import { ipv4Value } from '@hyperdht-ts/ip-encoding'

/** Per slot in `#links`: its host's IPv4 value, the older and the newer slot (-1 at the ends). */
const KEY = 0
const OLDER = 1
const NEWER = 2
const LINKS = 3

/**
 * A map of hosts to small integer slots, kept in insertion order like a `Map` (an entry can be
 * moved to the newest end, as a `delete` + `set` does): the owner keeps its per-host numbers in
 * typed arrays by slot. A freed slot is handed out again.
 *
 * Compact: a dotted quad (almost every host) is found by its 32-bit value in an open-addressing
 * index (an Int32Array, at most three quarters full), other hosts (IPv6, names) in a `Map` beside.
 * About 20 bytes an entry, where a `Map<string, number>` entry costs 28 to 56 (its table doubles).
 */
export class HostSlots {
  #size = 0
  #capacity = 0
  #links = new Int32Array(0)
  #oldest = -1
  #newest = -1
  /** Freed slots, chained through their NEWER link. */
  #free = -1
  /** Slot + 1 of each IPv4 host, by hash (linear probing); 0: empty. Its length is a power of two. */
  #index = new Int32Array(0)
  #indexed = 0
  /** 32 - log2(index length): the hash's shift. */
  #shift = 32
  /** Hosts that are no dotted quad: host -> slot, and slot -> host. */
  #others: Map<string, number> | null = null
  #otherHosts: Map<number, string> | null = null

  get size (): number {
    return this.#size
  }

  /** Slots handed out so far are below this: the length the owner's arrays by slot need. */
  get capacity (): number {
    return this.#capacity
  }

  /** The slot of `host`, or -1. */
  get (host: string): number {
    const v4 = dottedQuad(host)
    if (v4 < 0) return this.#others?.get(host) ?? -1
    return this.#lookup(v4 | 0)
  }

  /** Gives `host` (which must have no slot) a slot, at the newest end. */
  add (host: string): number {
    let slot = this.#free
    if (slot >= 0) {
      this.#free = this.#links[slot * LINKS + NEWER]!
    } else {
      if (this.#size === this.#capacity) this.#grow()
      slot = this.#size
    }
    this.#size++
    const v4 = dottedQuad(host)
    if (v4 >= 0) {
      this.#links[slot * LINKS + KEY] = v4 | 0
      this.#insert(slot)
    } else {
      (this.#others ??= new Map()).set(host, slot)
      ;(this.#otherHosts ??= new Map()).set(slot, host)
    }
    this.#append(slot)
    return slot
  }

  /** Frees `slot` (its host is forgotten). */
  delete (slot: number): void {
    this.#unlink(slot)
    const host = this.#otherHosts?.get(slot)
    if (host !== undefined) {
      this.#others!.delete(host)
      this.#otherHosts!.delete(slot)
    } else {
      this.#remove(slot)
    }
    this.#size--
    this.#links[slot * LINKS + NEWER] = this.#free
    this.#free = slot
  }

  /** Moves `slot` to the newest end. */
  touch (slot: number): void {
    if (slot === this.#newest) return
    this.#unlink(slot)
    this.#append(slot)
  }

  /** The slot added (or touched) longest ago, or -1. */
  oldest (): number {
    return this.#oldest
  }

  /** The slot after `slot` in insertion order, or -1. */
  newer (slot: number): number {
    return this.#links[slot * LINKS + NEWER]!
  }

  #append (slot: number): void {
    const l = this.#links
    l[slot * LINKS + OLDER] = this.#newest
    l[slot * LINKS + NEWER] = -1
    if (this.#newest >= 0) l[this.#newest * LINKS + NEWER] = slot
    else this.#oldest = slot
    this.#newest = slot
  }

  #unlink (slot: number): void {
    const l = this.#links
    const older = l[slot * LINKS + OLDER]!
    const newer = l[slot * LINKS + NEWER]!
    if (older >= 0) l[older * LINKS + NEWER] = newer
    else this.#oldest = newer
    if (newer >= 0) l[newer * LINKS + OLDER] = older
    else this.#newest = older
  }

  #hash (key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> this.#shift
  }

  #lookup (key: number): number {
    const index = this.#index
    if (index.length === 0) return -1
    const mask = index.length - 1
    for (let i = this.#hash(key); ; i = (i + 1) & mask) {
      const e = index[i]!
      if (e === 0) return -1
      if (this.#links[(e - 1) * LINKS + KEY] === key) return e - 1
    }
  }

  /** Puts IPv4 `slot` in the index (growing it past three quarters full). */
  #insert (slot: number): void {
    if ((this.#indexed + 1) * 4 > this.#index.length * 3) this.#rehash(Math.max(16, this.#index.length * 2))
    this.#place(slot)
    this.#indexed++
  }

  #place (slot: number): void {
    const index = this.#index
    const mask = index.length - 1
    let i = this.#hash(this.#links[slot * LINKS + KEY]!)
    while (index[i] !== 0) i = (i + 1) & mask
    index[i] = slot + 1
  }

  /** Takes IPv4 `slot` out of the index, moving back the entries after it that may move. */
  #remove (slot: number): void {
    const index = this.#index
    const mask = index.length - 1
    let i = this.#hash(this.#links[slot * LINKS + KEY]!)
    while (index[i] !== slot + 1) i = (i + 1) & mask
    for (let j = i; ;) {
      j = (j + 1) & mask
      const e = index[j]!
      if (e === 0) break
      const k = this.#hash(this.#links[(e - 1) * LINKS + KEY]!)
      // an entry whose home is cyclically in (i, j] stays; any other can move back to i
      if (i <= j ? (i < k && k <= j) : (i < k || k <= j)) continue
      index[i] = e
      i = j
    }
    index[i] = 0
    this.#indexed--
  }

  #rehash (length: number): void {
    const old = this.#index
    this.#index = new Int32Array(length)
    this.#shift = 32 - Math.log2(length)
    for (const e of old) if (e !== 0) this.#place(e - 1)
  }

  /** Room for 16 more slots, or an eighth more. */
  #grow (): void {
    const capacity = this.#capacity + Math.max(16, this.#capacity >> 3)
    const links = new Int32Array(capacity * LINKS)
    links.set(this.#links)
    this.#links = links
    this.#capacity = capacity
  }
}

/**
 * The value of `host` if it is a dotted quad (`ipv4Value` accepts only the canonical form:
 * decimal, no leading zeros), -1 for any other host (`::ffff:a.b.c.d` included: another text).
 */
export function dottedQuad (host: string): number {
  return host.indexOf(':') === -1 ? ipv4Value(host) : -1
}
