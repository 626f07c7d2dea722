import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

const TOKEN_BYTES = 32
/** Hosts whose tokens are cached at most (then the cache starts over). */
const MAX_CACHED = 4096

/** Tokens of the cached hosts under one secret: 32 bytes a slot, and which slots are filled in. */
interface Generation {
  secret: Uint8Array
  slab: Uint8Array
  filled: Uint8Array
}

/**
 * Roundtrip tokens: sha256(secret + host) under two rotating secrets, as the reference does.
 * A token binds the requester's host (not its port); either current secret is accepted.
 * Pure: rotation is driven by the caller's timer.
 *
 * Hashing is most of the cost (a few µs), so tokens are cached per host, compactly: one map of
 * host -> slot, and per secret one slab of 32 bytes a slot, grown as hosts come (a Buffer per
 * token cost ~220 bytes). The previous secret's slab exists only after a rotation.
 */
export class Tokens {
  #current: Generation = { secret: randomBytes(32), slab: new Uint8Array(0), filled: new Uint8Array(0) }
  /** The secret before the current one; null until the first rotation (it issued nothing). */
  #previous: Generation | null = null
  #slots = new Map<string, number>()

  /** The token this node hands to `host` now (a copy: the cache's bytes are reused). */
  create (host: string): Uint8Array {
    return this.#hash(this.#current, host, this.#slot(host)).slice()
  }

  /** True if `token` was issued to `host` under either live secret. */
  verify (token: Uint8Array | null | undefined, host: string): boolean {
    if (!token || token.byteLength !== TOKEN_BYTES) return false
    const slot = this.#slot(host)
    if (timingSafeEqual(token, this.#hash(this.#current, host, slot))) return true
    return this.#previous !== null && timingSafeEqual(token, this.#hash(this.#previous, host, slot))
  }

  /** Start a new secret; tokens of the one before last stop verifying. */
  rotate (): void {
    const old = this.#current
    this.#previous = old
    this.#current = { secret: randomBytes(32), slab: new Uint8Array(old.slab.byteLength), filled: new Uint8Array(old.filled.length) }
  }

  #slot (host: string): number {
    let slot = this.#slots.get(host)
    if (slot === undefined) {
      if (this.#slots.size >= MAX_CACHED) this.#slots.clear()
      slot = this.#slots.size
      this.#slots.set(host, slot)
      if (slot >= this.#current.filled.length) {
        const n = Math.min(MAX_CACHED, Math.max(16, Math.ceil(this.#current.filled.length * 1.5)))
        grow(this.#current, n)
        if (this.#previous !== null) grow(this.#previous, n)
      }
      this.#current.filled[slot] = 0
      if (this.#previous !== null) this.#previous.filled[slot] = 0
    }
    return slot
  }

  #hash (g: Generation, host: string, slot: number): Uint8Array {
    const at = slot * TOKEN_BYTES
    const token = g.slab.subarray(at, at + TOKEN_BYTES)
    if (g.filled[slot] === 0) {
      token.set(createHash('sha256').update(g.secret).update(host).digest())
      g.filled[slot] = 1
    }
    return token
  }
}

function grow (g: Generation, slots: number): void {
  const slab = new Uint8Array(slots * TOKEN_BYTES)
  slab.set(g.slab)
  g.slab = slab
  const filled = new Uint8Array(slots)
  filled.set(g.filled)
  g.filled = filled
}
