/**
 * The roundtrip tokens other nodes issued us, by their host (a token binds the host it was
 * issued to, ours; we keep it per issuer): sent back as `proof` in our queries, they show that we
 * receive at our address, so the issuer answers in full instead of within an amplification
 * budget. Small and allocation-free after start: one slab of `max` tokens, a view per slot, and
 * the oldest host forgotten first. Tokens rotate every few minutes: a stale one is just ignored.
 */
export class ProofCache {
  readonly max: number
  readonly #slab: Uint8Array
  readonly #views: Uint8Array[] = []
  /** host -> slot, oldest first. */
  readonly #slots = new Map<string, number>()

  constructor (max = 128, tokenBytes = 32) {
    this.max = max
    this.#slab = new Uint8Array(max * tokenBytes)
    for (let i = 0; i < max; i++) this.#views.push(this.#slab.subarray(i * tokenBytes, (i + 1) * tokenBytes))
  }

  get size (): number {
    return this.#slots.size
  }

  /** Remembers the token `host` issued us (copied: the caller's bytes are a view of a datagram). */
  set (host: string, token: Uint8Array): void {
    if (token.byteLength !== this.#views[0]?.byteLength) return
    let slot = this.#slots.get(host)
    if (slot !== undefined) {
      const view = this.#views[slot]!
      if (sameBytes(view, token)) return
      view.set(token)
      return
    }
    if (this.#slots.size >= this.max) {
      const [oldest, free] = this.#slots.entries().next().value as [string, number]
      this.#slots.delete(oldest)
      slot = free
    } else {
      slot = this.#slots.size
    }
    this.#views[slot]!.set(token)
    this.#slots.set(host, slot)
  }

  /** The token `host` issued us, or null. A view into the cache: encode it, do not keep it. */
  get (host: string): Uint8Array | null {
    const slot = this.#slots.get(host)
    return slot === undefined ? null : this.#views[slot]!
  }
}

function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}
