import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Roundtrip tokens: sha256(secret + host) under two rotating secrets, as the reference does.
 * A token binds the requester's host (not its port); either current secret is accepted.
 * Pure: rotation is driven by the caller's timer.
 */
export class Tokens {
  #secrets: [Uint8Array, Uint8Array] = [randomBytes(32), randomBytes(32)]
  /** Tokens computed under each secret, per host (a bounded cache: hashing is most of the cost). */
  #cache: [Map<string, Uint8Array>, Map<string, Uint8Array>] = [new Map(), new Map()]

  /** The token this node hands to `host` now. */
  create (host: string): Uint8Array {
    return this.#hash(0, host)
  }

  /** True if `token` was issued to `host` under either live secret. */
  verify (token: Uint8Array | null | undefined, host: string): boolean {
    if (!token || token.byteLength !== 32) return false
    return timingSafeEqual(token, this.#hash(0, host)) || timingSafeEqual(token, this.#hash(1, host))
  }

  /** Start a new secret; tokens of the one before last stop verifying. */
  rotate (): void {
    this.#secrets = [randomBytes(32), this.#secrets[0]]
    this.#cache = [new Map(), this.#cache[0]]
  }

  #hash (i: 0 | 1, host: string): Uint8Array {
    const cache = this.#cache[i]
    let token = cache.get(host)
    if (token === undefined) {
      token = createHash('sha256').update(this.#secrets[i]).update(host).digest()
      if (cache.size >= MAX_CACHED) cache.clear()
      cache.set(host, token)
    }
    return token
  }
}

const MAX_CACHED = 4096
