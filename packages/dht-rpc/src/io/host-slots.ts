import { ipv4Value } from '@hyperdht-ts/ip-encoding'

/** Per slot in the links: its host's IPv4 value, the newer slot, and (if movable) the older one; -1 at the ends. */
const KEY = 0
const NEWER = 1
const OLDER = 2

export interface HostSlotsOptions {
  /** Numbers the owner keeps per host, in {@link HostSlots.values}. @default 0 */
  values?: number
  /** Whether `touch()` is used: costs a link a slot, and makes `delete()` constant time. @default false */
  movable?: boolean
}

/**
 * A map of hosts to small integer slots, kept in insertion order like a `Map` (with `movable`, an
 * entry can be moved to the newest end, as a `delete` + `set` does), and the owner's numbers per
 * host, `values` numbers a slot. A freed slot is handed out again.
 *
 * Compact: a dotted quad (almost every host) is found by its 32-bit value in an open-addressing
 * index, at most three quarters full, other hosts (IPv6, names) in a `Map` beside; the numbers,
 * the links and the index share one buffer. About 16 bytes an entry besides its numbers, where a
 * `Map<string, number>` entry costs 28 to 56 (its table doubles) and a typed array ~200 of its own.
 */
export class HostSlots {
  readonly #valuesPerSlot: number
  readonly #stride: number
  #size = 0
  #capacity = 0
  /** The owner's numbers: `values` per slot. */
  #values = new Float64Array(0)
  /** Per slot: KEY, NEWER (and OLDER); a free slot's NEWER chains the free list. */
  #links = new Int32Array(0)
  /** Slot + 1 of each IPv4 host, by hash (linear probing); 0: empty. Its length is a power of two (or 0). */
  #index = new Int32Array(0)
  #indexed = 0
  /** 32 - log2(index length): the hash's shift. */
  #shift = 32
  #oldest = -1
  #newest = -1
  #free = -1
  /** Hosts that are no dotted quad: host -> slot, and slot -> host. */
  #others: Map<string, number> | null = null
  #otherHosts: Map<number, string> | null = null

  constructor (opts: HostSlotsOptions = {}) {
    this.#valuesPerSlot = opts.values ?? 0
    this.#stride = opts.movable === true ? 3 : 2
  }

  get size (): number {
    return this.#size
  }

  /** The owner's numbers, `values` per slot (read it again after `add()`: it may be a new array). */
  get values (): Float64Array {
    return this.#values
  }

  /** The slot of `host`, or -1. */
  get (host: string): number {
    const v4 = dottedQuad(host)
    if (v4 < 0) return this.#others?.get(host) ?? -1
    const index = this.#index
    if (index.length === 0) return -1
    const key = v4 | 0
    const mask = index.length - 1
    for (let i = this.#hash(key); ; i = (i + 1) & mask) {
      const e = index[i]!
      if (e === 0) return -1
      if (this.#links[(e - 1) * this.#stride + KEY] === key) return e - 1
    }
  }

  /** Gives `host` (which must have no slot) a slot at the newest end; its numbers are left as they were. */
  add (host: string): number {
    const v4 = dottedQuad(host)
    if (this.#size === this.#capacity) this.#resize(this.#capacity + Math.max(8, this.#capacity >> 3), this.#index.length)
    if (v4 >= 0 && (this.#indexed + 1) * 4 > this.#index.length * 3) this.#resize(this.#capacity, Math.max(16, this.#index.length * 2))
    let slot = this.#free
    if (slot >= 0) this.#free = this.#links[slot * this.#stride + NEWER]!
    else slot = this.#size
    this.#size++
    if (v4 >= 0) {
      this.#links[slot * this.#stride + KEY] = v4 | 0
      this.#place(slot)
      this.#indexed++
    } else {
      (this.#others ??= new Map()).set(host, slot)
      ;(this.#otherHosts ??= new Map()).set(slot, host)
    }
    this.#append(slot)
    return slot
  }

  /** Frees `slot` (its host is forgotten). Without `movable`, costs a walk from the oldest slot to it. */
  delete (slot: number): void {
    this.#unlink(slot)
    const host = this.#otherHosts?.get(slot)
    if (host !== undefined) {
      this.#others!.delete(host)
      this.#otherHosts!.delete(slot)
    } else {
      this.#unindex(slot)
    }
    this.#size--
    this.#links[slot * this.#stride + NEWER] = this.#free
    this.#free = slot
  }

  /** Moves `slot` to the newest end (only with `movable`). */
  touch (slot: number): void {
    if (this.#stride < 3) throw new Error('HostSlots: touch() needs movable: true')
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
    return this.#links[slot * this.#stride + NEWER]!
  }

  #append (slot: number): void {
    const l = this.#links
    const s = this.#stride
    l[slot * s + NEWER] = -1
    if (s > OLDER) l[slot * s + OLDER] = this.#newest
    if (this.#newest >= 0) l[this.#newest * s + NEWER] = slot
    else this.#oldest = slot
    this.#newest = slot
  }

  #unlink (slot: number): void {
    const l = this.#links
    const s = this.#stride
    let older = -1
    if (s > OLDER) {
      older = l[slot * s + OLDER]!
    } else {
      for (let at = this.#oldest; at !== slot; at = l[at * s + NEWER]!) older = at
    }
    const newer = l[slot * s + NEWER]!
    if (older >= 0) l[older * s + NEWER] = newer
    else this.#oldest = newer
    if (newer >= 0) {
      if (s > OLDER) l[newer * s + OLDER] = older
    } else {
      this.#newest = older
    }
  }

  #hash (key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> this.#shift
  }

  /** Puts IPv4 `slot` in the index (which has room). */
  #place (slot: number): void {
    const index = this.#index
    const mask = index.length - 1
    let i = this.#hash(this.#links[slot * this.#stride + KEY]!)
    while (index[i] !== 0) i = (i + 1) & mask
    index[i] = slot + 1
  }

  /** Takes IPv4 `slot` out of the index, moving back the entries after it that may move. */
  #unindex (slot: number): void {
    const index = this.#index
    const mask = index.length - 1
    let i = this.#hash(this.#links[slot * this.#stride + KEY]!)
    while (index[i] !== slot + 1) i = (i + 1) & mask
    for (let j = i; ;) {
      j = (j + 1) & mask
      const e = index[j]!
      if (e === 0) break
      const k = this.#hash(this.#links[(e - 1) * this.#stride + KEY]!)
      // an entry whose home is cyclically in (i, j] stays; any other can move back to i
      if (i <= j ? (i < k && k <= j) : (i < k || k <= j)) continue
      index[i] = e
      i = j
    }
    index[i] = 0
    this.#indexed--
  }

  /** One new buffer for `capacity` slots and an index of `length`: numbers, links, index. */
  #resize (capacity: number, length: number): void {
    const valueBytes = capacity * this.#valuesPerSlot * 8
    const linkCount = capacity * this.#stride
    const buffer = new ArrayBuffer(valueBytes + (linkCount + length) * 4)
    const values = new Float64Array(buffer, 0, capacity * this.#valuesPerSlot)
    values.set(this.#values)
    const links = new Int32Array(buffer, valueBytes, linkCount)
    links.set(this.#links)
    const index = new Int32Array(buffer, valueBytes + linkCount * 4, length)
    const old = this.#index
    this.#values = values
    this.#links = links
    this.#capacity = capacity
    this.#index = index
    if (length === old.length) {
      index.set(old)
    } else {
      this.#shift = 32 - Math.log2(length)
      for (const e of old) if (e !== 0) this.#place(e - 1)
    }
  }
}

/**
 * The value of `host` if it is a dotted quad (`ipv4Value` accepts only the canonical form:
 * decimal, no leading zeros), -1 for any other host (`::ffff:a.b.c.d` included: another text).
 */
export function dottedQuad (host: string): number {
  return host.indexOf(':') === -1 ? ipv4Value(host) : -1
}
