/**
 * The roundtrip tokens other nodes issued us, by their host (a token binds the host it was
 * issued to, ours; we keep it per issuer): sent back as `proof` in our queries, they show that we
 * receive at our address, so the issuer answers in full instead of within an amplification
 * budget. Compact: one slab of token slots (grown as hosts come, up to `max`) and a map of host to
 * slot, the oldest host forgotten first. Tokens rotate every few minutes: a stale one is just ignored.
 */
export class ProofCache {
  readonly max: number
  readonly #tokenBytes: number
  /** Slots of `tokenBytes`, grown as hosts come (most nodes query far fewer than `max` hosts). */
  #slab = new Uint8Array(0)
  /** host -> slot, oldest first. */
  readonly #slots = new Map<string, number>()

  constructor (max = 128, tokenBytes = 32) {
    this.max = max
    this.#tokenBytes = tokenBytes
  }

  get size (): number {
    return this.#slots.size
  }

  /** Remembers the token `host` issued us (copied: the caller's bytes are a view of a datagram). */
  set (host: string, token: Uint8Array): void {
    if (token.byteLength !== this.#tokenBytes) return
    let slot = this.#slots.get(host)
    if (slot !== undefined) {
      this.#slab.set(token, slot * this.#tokenBytes)
      return
    }
    if (this.#slots.size >= this.max) {
      const [oldest, free] = this.#slots.entries().next().value as [string, number]
      this.#slots.delete(oldest)
      slot = free
    } else {
      slot = this.#slots.size
      this.#grow(slot + 1)
    }
    this.#slab.set(token, slot * this.#tokenBytes)
    this.#slots.set(host, slot)
  }

  /** The token `host` issued us, or null. A view into the cache: encode it, do not keep it. */
  get (host: string): Uint8Array | null {
    const slot = this.#slots.get(host)
    if (slot === undefined) return null
    const at = slot * this.#tokenBytes
    return this.#slab.subarray(at, at + this.#tokenBytes)
  }

  #grow (slots: number): void {
    const bytes = slots * this.#tokenBytes
    if (bytes <= this.#slab.byteLength) return
    const slab = new Uint8Array(Math.min(this.max, Math.max(16, Math.ceil(1.5 * this.#slab.byteLength / this.#tokenBytes))) * this.#tokenBytes)
    slab.set(this.#slab)
    this.#slab = slab
  }
}
