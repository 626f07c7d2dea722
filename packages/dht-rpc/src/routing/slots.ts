import { ipv4Text, ipv4Value, prefix16, prefix24 } from '@hyperdht-ts/ip-encoding'
import { dottedQuad } from '../io/host-slots.js'

/**
 * The contacts of a routing table, stored compactly: one slot a contact, its id in a shared byte
 * slab and its numbers in an Int32Array over the same buffer. A host that is a dotted quad (almost
 * all) is kept as its 32-bit value only, its text made again when asked for; other hosts (IPv6,
 * names) are kept as text beside. A contact costs about 50 bytes this way; as an object with an
 * id view of its own it cost about 280 (object, view, slab share, a Set entry for the recency
 * order and bucket array slots). Slots are dense (a removal moves the last slot into the hole), so
 * a slot number is only valid until the next removal.
 */

/** Per-slot numbers. */
const SEQ = 0 // recency stamp: higher is more recently seen
const TICK = 1 // the maintenance tick the contact was last heard from at
const V4 = 2 // its IPv4 address as an int32 (when PACK says it is one)
const PACK = 3 // port (bits 0-15), failures (16-21), host-kept-as-text flag (22), not-IPv4 flag (23), common prefix length with our id (24-31)
const FIELDS = 4

const TEXT = 1 << 22
const NOT_V4 = 1 << 23
const MAX_FAILURES_STORED = 0x3f

/** A host kept as text: its text, and for a host that is no IPv4 address its /24 and /16 keys ({@link addressPrefixes}). */
type OtherHost = [host: string, k24: string, k16: string]

export class ContactSlots {
  readonly idLength: number
  #size = 0
  #capacity = 0
  #ids = new Uint8Array(0)
  #meta = new Int32Array(0)
  /** The hosts kept as text (not a dotted quad: rare), by slot; `null` while there are none. */
  #others: Map<number, OtherHost> | null = null

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

  /** Adds a contact (its id copied); returns its slot. */
  push (id: Uint8Array, host: string, port: number, tick: number, seq: number, cpl: number): number {
    if (this.#size === this.#capacity) this.#grow()
    const slot = this.#size++
    this.#ids.set(id, slot * this.idLength)
    const m = slot * FIELDS
    this.#meta[m + SEQ] = seq
    this.#meta[m + TICK] = tick
    this.#meta[m + PACK] = cpl << 24 // no failures
    this.setAddress(slot, host, port)
    return slot
  }

  /** Removes the contact of `slot`, moving the last slot's contact there. */
  removeAt (slot: number): void {
    const last = --this.#size
    if (slot !== last) {
      const n = this.idLength
      this.#ids.copyWithin(slot * n, last * n, last * n + n)
      this.#meta.copyWithin(slot * FIELDS, last * FIELDS, last * FIELDS + FIELDS)
      const moved = this.#others?.get(last)
      if (moved !== undefined) this.#others!.set(slot, moved)
      else this.#others?.delete(slot)
    }
    this.#others?.delete(last)
    if (this.#others?.size === 0) this.#others = null
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

  /** The host's text (made again from its value for a dotted quad). */
  host (slot: number): string {
    const pack = this.#meta[slot * FIELDS + PACK]!
    if ((pack & TEXT) !== 0) return this.#others!.get(slot)![0]
    return ipv4Text(this.#meta[slot * FIELDS + V4]! >>> 0)
  }

  /**
   * The IPv4 node entries (id, address, port: the `nodes` wire format) of `slots`, or `null` if
   * one of them is not at a dotted quad with a valid port (the caller then encodes the general way).
   */
  encodeIPv4 (slots: readonly number[]): Uint8Array | null {
    const n = this.idLength
    const size = n + 6
    const out = new Uint8Array(slots.length * size)
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i]!
      const pack = this.#meta[s * FIELDS + PACK]!
      const port = pack & 0xffff
      if ((pack & TEXT) !== 0 || port === 0) return null
      const v4 = this.#meta[s * FIELDS + V4]!
      const o = i * size
      const from = s * n
      for (let j = 0; j < n; j++) out[o + j] = this.#ids[from + j]!
      out[o + n] = v4 >>> 24
      out[o + n + 1] = (v4 >>> 16) & 255
      out[o + n + 2] = (v4 >>> 8) & 255
      out[o + n + 3] = v4 & 255
      out[o + n + 4] = port >>> 8
      out[o + n + 5] = port & 255
    }
    return out
  }

  /** Whether the contact of `slot` is at `host`, whose {@link dottedQuad} value is `v4` (-1: none), and `port`. */
  isAt (slot: number, host: string, v4: number, port: number): boolean {
    const pack = this.#meta[slot * FIELDS + PACK]!
    if ((pack & 0xffff) !== port) return false
    if ((pack & TEXT) !== 0) return this.#others!.get(slot)![0] === host
    return v4 >= 0 && this.#meta[slot * FIELDS + V4] === (v4 | 0)
  }

  /** Whether the contact of `slot` is at `host` (whose {@link dottedQuad} value is `v4`), any port. */
  isAtHost (slot: number, host: string, v4: number): boolean {
    if ((this.#meta[slot * FIELDS + PACK]! & TEXT) !== 0) return this.#others!.get(slot)![0] === host
    return v4 >= 0 && this.#meta[slot * FIELDS + V4] === (v4 | 0)
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
  otherKeys (slot: number): [k24: string, k16: string] {
    const other = this.#others!.get(slot)!
    return [other[1], other[2]]
  }

  /** Puts the contact of `slot` at `host`:`port`. */
  setAddress (slot: number, host: string, port: number): void {
    const m = slot * FIELDS
    const keep = this.#meta[m + PACK]! & ~(0xffff | TEXT | NOT_V4) // failures and cpl
    const v4 = ipv4Value(host)
    let flags = 0
    if (dottedQuad(host) >= 0) {
      this.#others?.delete(slot)
    } else {
      flags = TEXT | (v4 >= 0 ? 0 : NOT_V4)
      const [k24, k16] = v4 >= 0 ? ['', ''] : addressPrefixes(host)
      ;(this.#others ??= new Map()).set(slot, [host, k24, k16])
    }
    this.#meta[m + V4] = v4 >= 0 ? v4 | 0 : 0
    this.#meta[m + PACK] = keep | flags | port
  }

  setPort (slot: number, port: number): void {
    const m = slot * FIELDS + PACK
    this.#meta[m] = (this.#meta[m]! & ~0xffff) | port
  }

  /** Room for 8 more contacts, or an eighth more (the copy is rare: tables grow slowly). */
  #grow (): void {
    const capacity = this.#capacity + Math.max(8, this.#capacity >> 3)
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

/** The /24 and /16 (IPv6: /48 and /32) of an address; a host that is no IP address keys itself. */
export function addressPrefixes (host: string): [string, string] {
  try {
    return [prefix24(host), prefix16(host)]
  } catch {
    return [host, host]
  }
}

