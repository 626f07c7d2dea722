import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

const TOKEN_BYTES = 32
/** Hosts whose tokens are cached at most (then the cache starts over). */
const MAX_CACHED = 4096
/** A cache slot holds the host's token under the current secret, then under the previous one. */
const SLOT_BYTES = 2 * TOKEN_BYTES
const HAS_CURRENT = 1
const HAS_PREVIOUS = 2

/**
 * Roundtrip tokens: sha256(secret + host) under two rotating secrets, as the reference does.
 * A token binds the requester's host (not its port); either current secret is accepted.
 * Pure: rotation is driven by the caller's timer.
 *
 * Hashing is most of the cost (a few µs), so tokens are cached per host, compactly: one map of
 * host -> slot and one growing slab of 64 bytes a slot (a Buffer per token cost ~220 bytes).
 */
export class Tokens {
  #secrets: [Uint8Array, Uint8Array] = [randomBytes(32), randomBytes(32)]
  #slots = new Map<string, number>()
  #slab = new Uint8Array(0)
  /** Per slot: which of its two tokens are filled in (HAS_CURRENT | HAS_PREVIOUS). */
  #filled = new Uint8Array(0)

  /** The token this node hands to `host` now (a copy: the cache's bytes change on rotation). */
  create (host: string): Uint8Array {
    return this.#hash(0, host).slice()
  }

  /** True if `token` was issued to `host` under either live secret. */
  verify (token: Uint8Array | null | undefined, host: string): boolean {
    if (!token || token.byteLength !== TOKEN_BYTES) return false
    return timingSafeEqual(token, this.#hash(0, host)) || timingSafeEqual(token, this.#hash(1, host))
  }

  /** Start a new secret; tokens of the one before last stop verifying. */
  rotate (): void {
    this.#secrets = [randomBytes(32), this.#secrets[0]]
    // every cached current token becomes the previous one
    for (let slot = 0; slot < this.#slots.size; slot++) {
      const at = slot * SLOT_BYTES
      if ((this.#filled[slot]! & HAS_CURRENT) !== 0) {
        this.#slab.copyWithin(at + TOKEN_BYTES, at, at + TOKEN_BYTES)
        this.#filled[slot] = HAS_PREVIOUS
      } else {
        this.#filled[slot] = 0
      }
    }
  }

  #hash (i: 0 | 1, host: string): Uint8Array {
    let slot = this.#slots.get(host)
    if (slot === undefined) {
      if (this.#slots.size >= MAX_CACHED) this.#slots.clear()
      slot = this.#slots.size
      this.#grow(slot + 1)
      this.#filled[slot] = 0
      this.#slots.set(host, slot)
    }
    const at = slot * SLOT_BYTES + i * TOKEN_BYTES
    const token = this.#slab.subarray(at, at + TOKEN_BYTES)
    const bit = i === 0 ? HAS_CURRENT : HAS_PREVIOUS
    if ((this.#filled[slot]! & bit) === 0) {
      token.set(createHash('sha256').update(this.#secrets[i]).update(host).digest())
      this.#filled[slot]! |= bit
    }
    return token
  }

  #grow (slots: number): void {
    if (slots * SLOT_BYTES <= this.#slab.byteLength) return
    const n = Math.min(MAX_CACHED, Math.max(16, 2 * this.#filled.length))
    const slab = new Uint8Array(n * SLOT_BYTES)
    slab.set(this.#slab)
    const filled = new Uint8Array(n)
    filled.set(this.#filled)
    this.#slab = slab
    this.#filled = filled
  }
}
