import * as crypto from 'node:crypto'
import { SlotView } from './slot-view.js'

const TOKEN_BYTES = 32
/**
 * Hosts whose tokens are cached, the most recently used: a burst from one host (a query and then
 * its update, a load generator) hashes once. A cache per source cost 32 bytes a host, for the
 * few hosts that ever ask twice within minutes.
 */
export const TOKEN_CACHE_SIZE = 8

/**
 * A secret and the tokens it gave the cached hosts, in one buffer: the secret's 32 bytes, then a
 * token per cache slot (bit `i` of `filled`: slot `i` holds one).
 */
interface Generation {
  bytes: Uint8Array
  filled: number
}

function generation (reuse?: Uint8Array): Generation {
  const bytes = reuse ?? new Uint8Array(TOKEN_BYTES * (1 + TOKEN_CACHE_SIZE))
  crypto.randomFillSync(bytes, 0, TOKEN_BYTES)
  return { bytes, filled: 0 }
}

/**
 * Roundtrip tokens: sha256(secret + host) under two rotating secrets, as the reference does.
 * A token binds the requester's host (not its port); either current secret is accepted.
 * Pure: rotation is driven by the caller's timer.
 *
 * Hashing is most of the cost (a microsecond or two), so the tokens of the last
 * `TOKEN_CACHE_SIZE` hosts are kept (32 bytes each per secret, beside the secret; slots reused
 * in turn).
 */
export class Tokens {
  #current: Generation = generation()
  /** The secret before the current one; null until the first rotation (it issued nothing). */
  #previous: Generation | null = null
  /** The host of each cache slot ('' while free). */
  readonly #hosts: string[] = new Array<string>(TOKEN_CACHE_SIZE).fill('')
  /** The slot a new host gets next (round robin). */
  #next = 0
  /** What `peek` hands out: a host asking again (a client's pings, a query's update) gets the same view. */
  readonly #peeked = new SlotView()

  /** The token this node hands to `host` now (a copy: the cache's bytes are reused). */
  create (host: string): Uint8Array {
    const at = tokenAt(this.#currentSlot(host))
    return this.#current.bytes.slice(at, at + TOKEN_BYTES)
  }

  /**
   * As {@link create}, without the copy: the cache's own bytes, valid until the next call. For an
   * answer encoded at once (`_ping`, `_find_node`); a copy was a new ArrayBuffer per answer.
   */
  peek (host: string): Uint8Array {
    return this.#peeked.of(this.#current.bytes, tokenAt(this.#currentSlot(host)), TOKEN_BYTES)
  }

  /** True if `token` was issued to `host` under either live secret. */
  verify (token: Uint8Array | null | undefined, host: string): boolean {
    if (!token || token.length !== TOKEN_BYTES) return false
    const slot = this.#slot(host)
    if (this.#issued(this.#current, host, slot, token)) return true
    return this.#previous !== null && this.#issued(this.#previous, host, slot, token)
  }

  /** Start a new secret; tokens of the one before last stop verifying. */
  rotate (): void {
    // the generation that goes lends its buffer to the new one
    const reuse = this.#previous?.bytes
    this.#previous = this.#current
    this.#current = generation(reuse)
  }

  /** The cache slot of `host`, given to it now if it had none. */
  #slot (host: string): number {
    const hosts = this.#hosts
    for (let i = 0; i < TOKEN_CACHE_SIZE; i++) if (hosts[i] === host) return i
    const slot = this.#next
    this.#next = (slot + 1) % TOKEN_CACHE_SIZE
    hosts[slot] = host
    this.#current.filled &= ~(1 << slot)
    if (this.#previous !== null) this.#previous.filled &= ~(1 << slot)
    return slot
  }

  /** The slot of `host`, holding its token under the current secret. */
  #currentSlot (host: string): number {
    const slot = this.#slot(host)
    this.#fill(this.#current, host, slot)
    return slot
  }

  /** Whether `token` is the one `g` gives the host of `slot` (compared in place: no view). */
  #issued (g: Generation, host: string, slot: number, token: Uint8Array): boolean {
    this.#fill(g, host, slot)
    return sameToken(token, g.bytes, tokenAt(slot))
  }

  /** Hashes the token of `slot`'s host into the slot, unless it holds it already. */
  #fill (g: Generation, host: string, slot: number): void {
    if ((g.filled & (1 << slot)) !== 0) return
    g.bytes.set(hash(g.bytes, host), tokenAt(slot))
    g.filled |= 1 << slot
  }
}

/** Where the token of cache slot `slot` starts in a generation's bytes (after the secret). */
function tokenAt (slot: number): number {
  return (slot + 1) * TOKEN_BYTES
}

/**
 * Constant-time comparison of `a` with the token at `at` of `b` (TOKEN_BYTES each): every byte
 * is looked at whatever differs, so the time taken tells a guesser nothing. Instead of
 * `crypto.timingSafeEqual`, whose call into C++ cost more than the comparison on every proven
 * request.
 */
function sameToken (a: Uint8Array, b: Uint8Array, at: number): boolean {
  let diff = 0
  for (let i = 0; i < TOKEN_BYTES; i++) diff |= a[i]! ^ b[at + i]!
  return diff === 0
}

/** `crypto.hash` (Node 20.12+): one call, no Hash object. */
const oneShot = (crypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'buffer') => Uint8Array }).hash
/** The secret and the host, hashed together. */
const SCRATCH = Buffer.alloc(TOKEN_BYTES + 192)

/** sha256 of the secret (the first 32 bytes of `secret`) and the host. */
function hash (secret: Uint8Array, host: string): Uint8Array {
  // a host of up to 64 UTF-16 units fits in its UTF-8 form (an IP address always does)
  if (oneShot === undefined || host.length > 64) return crypto.createHash('sha256').update(secret.subarray(0, TOKEN_BYTES)).update(host).digest()
  for (let i = 0; i < TOKEN_BYTES; i++) SCRATCH[i] = secret[i]!
  const n = SCRATCH.write(host, TOKEN_BYTES, 'utf8')
  return oneShot('sha256', SCRATCH.subarray(0, TOKEN_BYTES + n), 'buffer')
}
