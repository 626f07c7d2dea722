import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

const TOKEN_BYTES = 32
/** Hosts whose tokens are cached at most by a cache of its own (then it starts over). */
const MAX_CACHED = 4096

/** Tokens of the cached hosts under one secret: 32 bytes a slot, and which slots are filled in. */
interface Generation {
  secret: Uint8Array
  slab: Uint8Array
  filled: Uint8Array
}

/**
 * Where the cache finds a host's slot when another table already numbers the hosts (the
 * DHT's {@link SourceGuard}: tokens go to the sources of requests, which it tracks anyway).
 */
export interface TokenSlots {
  /** The host's slot, or -1 (then its token is computed, not cached). */
  slotOf (host: string): number
  /** Set by the cache: called with a slot that now belongs to another host. */
  onNewSource: ((slot: number) => void) | null
}

/**
 * Roundtrip tokens: sha256(secret + host) under two rotating secrets, as the reference does.
 * A token binds the requester's host (not its port); either current secret is accepted.
 * Pure: rotation is driven by the caller's timer.
 *
 * Hashing is most of the cost (a few µs), so tokens are cached per host, compactly: per secret
 * one slab of 32 bytes a slot, grown as hosts come (a Buffer per token cost ~220 bytes), the
 * previous secret's only after a rotation. Slots come from `slots` when given (no second map
 * of the same hosts), else from a map of our own.
 */
export class Tokens {
  #current: Generation = { secret: randomBytes(32), slab: new Uint8Array(0), filled: new Uint8Array(0) }
  /** The secret before the current one; null until the first rotation (it issued nothing). */
  #previous: Generation | null = null
  readonly #external: TokenSlots | null
  readonly #own: Map<string, number> | null

  constructor (slots?: TokenSlots) {
    this.#external = slots ?? null
    this.#own = slots === undefined ? new Map() : null
    if (slots !== undefined) slots.onNewSource = (slot) => this.#forget(slot)
  }

  /** The token this node hands to `host` now (a copy: the cache's bytes are reused). */
  create (host: string): Uint8Array {
    return this.#token(this.#current, host, this.#slot(host)).slice()
  }

  /**
   * As {@link create}, without the copy: the cache's own bytes, valid until the next call. For an
   * answer encoded at once (`_ping`, `_find_node`); a copy was a new ArrayBuffer per answer.
   */
  peek (host: string): Uint8Array {
    return this.#token(this.#current, host, this.#slot(host))
  }

  /** True if `token` was issued to `host` under either live secret. */
  verify (token: Uint8Array | null | undefined, host: string): boolean {
    if (!token || token.byteLength !== TOKEN_BYTES) return false
    const slot = this.#slot(host)
    if (timingSafeEqual(token, this.#token(this.#current, host, slot))) return true
    return this.#previous !== null && timingSafeEqual(token, this.#token(this.#previous, host, slot))
  }

  /** Start a new secret; tokens of the one before last stop verifying. */
  rotate (): void {
    const old = this.#current
    this.#previous = old
    this.#current = { secret: randomBytes(32), slab: new Uint8Array(old.slab.byteLength), filled: new Uint8Array(old.filled.length) }
  }

  /** The cache slot of `host`, or -1 when it is not cached. */
  #slot (host: string): number {
    if (this.#external !== null) {
      const slot = this.#external.slotOf(host)
      if (slot >= 0) this.#reserve(slot)
      return slot
    }
    const own = this.#own!
    let slot = own.get(host)
    if (slot === undefined) {
      if (own.size >= MAX_CACHED) own.clear()
      slot = own.size
      own.set(host, slot)
      this.#reserve(slot)
      this.#forget(slot)
    }
    return slot
  }

  /** Makes room for `slot` in both generations. */
  #reserve (slot: number): void {
    if (slot < this.#current.filled.length) return
    const n = Math.max(slot + 1, 16, Math.ceil(this.#current.filled.length * 1.5))
    grow(this.#current, n)
    if (this.#previous !== null) grow(this.#previous, n)
  }

  #forget (slot: number): void {
    if (slot < this.#current.filled.length) this.#current.filled[slot] = 0
    if (this.#previous !== null && slot < this.#previous.filled.length) this.#previous.filled[slot] = 0
  }

  #token (g: Generation, host: string, slot: number): Uint8Array {
    if (slot < 0) return hash(g.secret, host)
    const at = slot * TOKEN_BYTES
    const token = g.slab.subarray(at, at + TOKEN_BYTES)
    if (g.filled[slot] === 0) {
      token.set(hash(g.secret, host))
      g.filled[slot] = 1
    }
    return token
  }
}

function hash (secret: Uint8Array, host: string): Uint8Array {
  return createHash('sha256').update(secret).update(host).digest()
}

function grow (g: Generation, slots: number): void {
  const slab = new Uint8Array(slots * TOKEN_BYTES)
  slab.set(g.slab)
  g.slab = slab
  const filled = new Uint8Array(slots)
  filled.set(g.filled)
  g.filled = filled
}
