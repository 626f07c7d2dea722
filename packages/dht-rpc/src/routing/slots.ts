/**
 * The contacts of a routing table, stored compactly: one slot a contact, its id in a shared byte
 * slab and its numbers in an Int32Array over the same buffer, its host (a shared, interned string)
 * in an array. A contact costs about 60 bytes this way; as an object with an id view of its own
 * it cost about 280 (object, view, slab share, a Set entry for the recency order and bucket array
 * slots). Slots are dense (a removal moves the last slot into the hole), so a slot number is only
 * valid until the next removal.
 */

/** Per-slot numbers. */
const SEQ = 0 // recency stamp: higher is more recently seen
const TICK = 1 // the maintenance tick the contact was last heard from at
const V4 = 2 // its IPv4 address as an int32 (when PACK says it is one)
const PACK = 3 // port (bits 0-15), failures (16-22), not-IPv4 flag (23), common prefix length with our id (24-31)
const FIELDS = 4

const NOT_V4 = 1 << 23
const MAX_FAILURES_STORED = 0x7f

export class ContactSlots {
  readonly idLength: number
  #size = 0
  #capacity = 0
  #ids = new Uint8Array(0)
  #meta = new Int32Array(0)
  #hosts: string[] = []
  /** The /24 and /16 keys ({@link addressPrefixes}) of contacts whose host is no IPv4 address (rare), by slot; `null` while none. */
  #otherKeys: Array<[k24: string, k16: string] | undefined> | null = null

  constructor (idLength: number) {
    this.idLength = idLength
  }

  get size (): number {
    return this.#size
  }

  /** The id bytes of every slot, slot after slot (read only; valid until the next add). */
  get ids (): Uint8Array {
    return this.#ids
  }

  /**
   * Adds a contact; returns its slot. `v4` is the host's {@link ipv4Value} (-1: not IPv4, then
   * `otherKeys` are its network keys). The id is copied.
   */
  push (id: Uint8Array, host: string, port: number, tick: number, seq: number, cpl: number, v4: number, otherKeys: [string, string] | null): number {
    if (this.#size === this.#capacity) this.#grow()
    const slot = this.#size++
    this.#ids.set(id, slot * this.idLength)
    const m = slot * FIELDS
    this.#meta[m + SEQ] = seq
    this.#meta[m + TICK] = tick
    this.#meta[m + PACK] = cpl << 24 // no failures
    this.#hosts[slot] = host
    this.#setAddress(slot, v4, port, otherKeys)
    return slot
  }

  /** Removes the contact of `slot`, moving the last slot's contact there. */
  removeAt (slot: number): void {
    const last = --this.#size
    if (slot !== last) {
      const n = this.idLength
      this.#ids.copyWithin(slot * n, last * n, last * n + n)
      this.#meta.copyWithin(slot * FIELDS, last * FIELDS, last * FIELDS + FIELDS)
      this.#hosts[slot] = this.#hosts[last]!
      if (this.#otherKeys !== null) this.#otherKeys[slot] = this.#otherKeys[last]
    }
    this.#hosts[last] = ''
    if (this.#otherKeys !== null) this.#otherKeys[last] = undefined
  }

  /** The slot holding `id`, whose common prefix length with our id is `cpl`, or -1. */
  find (id: Uint8Array, cpl: number): number {
    const n = this.idLength
    const ids = this.#ids
    const meta = this.#meta
    const from = cpl >> 3 // the bytes before are ours, hence equal
    for (let s = 0; s < this.#size; s++) {
      if (meta[s * FIELDS + PACK]! >>> 24 !== cpl) continue
      const o = s * n
      let i = from
      while (i < n && ids[o + i] === id[i]) i++
      if (i === n) return s
    }
    return -1
  }

  /** A copy of the id of `slot`. */
  id (slot: number): Uint8Array {
    const n = this.idLength
    const o = slot * n
    const ids = this.#ids
    // a loop into a new small array: much cheaper than `slice` for 32 bytes
    const id = new Uint8Array(n)
    for (let i = 0; i < n; i++) id[i] = ids[o + i]!
    return id
  }

  host (slot: number): string {
    return this.#hosts[slot]!
  }

  port (slot: number): number {
    return this.#meta[slot * FIELDS + PACK]! & 0xffff
  }

  seq (slot: number): number {
    return this.#meta[slot * FIELDS + SEQ]!
  }

  setSeq (slot: number, seq: number): void {
    this.#meta[slot * FIELDS + SEQ] = seq
  }

  tick (slot: number): number {
    return this.#meta[slot * FIELDS + TICK]!
  }

  setTick (slot: number, tick: number): void {
    this.#meta[slot * FIELDS + TICK] = tick
  }

  failures (slot: number): number {
    return (this.#meta[slot * FIELDS + PACK]! >>> 16) & MAX_FAILURES_STORED
  }

  setFailures (slot: number, failures: number): void {
    const m = slot * FIELDS + PACK
    const f = Math.min(failures, MAX_FAILURES_STORED)
    this.#meta[m] = (this.#meta[m]! & ~(MAX_FAILURES_STORED << 16)) | (f << 16)
  }

  /** Common prefix length of the slot's id with our id. */
  cpl (slot: number): number {
    return this.#meta[slot * FIELDS + PACK]! >>> 24
  }

  /** The host's IPv4 address as an unsigned integer, or -1 when it is not one. */
  v4 (slot: number): number {
    return (this.#meta[slot * FIELDS + PACK]! & NOT_V4) !== 0 ? -1 : this.#meta[slot * FIELDS + V4]! >>> 0
  }

  /** The /24 and /16 keys of a contact that is not at an IPv4 address. */
  otherKeys (slot: number): [string, string] {
    return this.#otherKeys![slot]!
  }

  /** Moves the contact of `slot` to a new address (same arguments as `push`). */
  setAddress (slot: number, host: string, port: number, v4: number, otherKeys: [string, string] | null): void {
    this.#hosts[slot] = host
    this.#setAddress(slot, v4, port, otherKeys)
  }

  setPort (slot: number, port: number): void {
    const m = slot * FIELDS + PACK
    this.#meta[m] = (this.#meta[m]! & ~0xffff) | port
  }

  #setAddress (slot: number, v4: number, port: number, otherKeys: [string, string] | null): void {
    const m = slot * FIELDS
    const keep = this.#meta[m + PACK]! & ~(0xffff | NOT_V4) // failures and cpl
    if (v4 >= 0) {
      this.#meta[m + V4] = v4 | 0
      this.#meta[m + PACK] = keep | port
      if (this.#otherKeys !== null) this.#otherKeys[slot] = undefined
    } else {
      this.#meta[m + V4] = 0
      this.#meta[m + PACK] = keep | NOT_V4 | port
      ;(this.#otherKeys ??= [])[slot] = otherKeys!
    }
  }

  /** Room for 16 more contacts, or an eighth more (the copy is rare: tables grow slowly). */
  #grow (): void {
    const capacity = this.#capacity + Math.max(16, (this.#capacity >> 3) + 15 & ~15)
    const idBytes = capacity * this.idLength
    // one buffer for both: the id bytes, then the numbers (4-byte aligned)
    const start = (idBytes + 3) & ~3
    const buffer = new ArrayBuffer(start + capacity * FIELDS * 4)
    const ids = new Uint8Array(buffer, 0, idBytes)
    const meta = new Int32Array(buffer, start, capacity * FIELDS)
    ids.set(this.#ids.subarray(0, this.#size * this.idLength))
    meta.set(this.#meta.subarray(0, this.#size * FIELDS))
    this.#ids = ids
    this.#meta = meta
    this.#capacity = capacity
  }
}
