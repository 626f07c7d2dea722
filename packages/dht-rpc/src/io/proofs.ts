import { dottedQuad } from './host-slots.js'
import { SlotView } from './slot-view.js'

/**
 * The roundtrip tokens other nodes issued us, by their host (a token binds the host it was
 * issued to, ours; we keep it per issuer): sent back as `proof` in our queries, they show that we
 * receive at our address, so the issuer answers in full instead of within an amplification
 * budget. At most `max` hosts, the oldest forgotten first. Tokens rotate every few minutes: a
 * stale one is just ignored.
 *
 * Compact: slots filled in order (then reused oldest first, a ring), each a token and its host, an
 * IPv4 host as a number in an Int32Array (other hosts, rare, as strings beside). A host is found
 * by a scan of at most `max` numbers, which is cheaper than the map of host to slot it replaces
 * (~40 bytes a host).
 */
export class ProofCache {
  readonly max: number
  readonly #tokenBytes: number
  #size = 0
  /** Once full: the slot of the oldest host, the next to be reused. */
  #oldest = 0
  /** Tokens, slot after slot; grown as hosts come (most nodes query far fewer than `max` hosts). */
  #tokens = new Uint8Array(0)
  /** The IPv4 host of each slot (`ipv4Value | 0`), unless `#others` has a host for the slot. */
  #v4 = new Int32Array(0)
  /** Hosts that are no dotted quad, by slot; `null` while there are none. */
  #others: Array<string | undefined> | null = null
  /** What `get` hands out: requests to one host in a row (pings, a query and its update) get the same view. */
  readonly #got = new SlotView()

  constructor (max = 128, tokenBytes = 32) {
    this.max = max
    this.#tokenBytes = tokenBytes
  }

  get size (): number {
    return this.#size
  }

  /** Remembers the token `host` issued us (copied: the caller's bytes are a view of a datagram). */
  set (host: string, token: Uint8Array): void {
    if (token.length !== this.#tokenBytes || this.max <= 0) return
    const v4 = dottedQuad(host)
    let slot = this.#find(host, v4)
    if (slot < 0) {
      if (this.#size < this.max) {
        slot = this.#size++
        if (slot === this.#v4.length) this.#grow()
      } else {
        slot = this.#oldest
        this.#oldest = (slot + 1) % this.max
      }
      this.#v4[slot] = v4 | 0
      if (v4 < 0) (this.#others ??= [])[slot] = host
      else if (this.#others !== null) this.#others[slot] = undefined
    }
    this.#tokens.set(token, slot * this.#tokenBytes)
  }

  /** The token `host` issued us, or null. A view into the cache: encode it, do not keep it. */
  get (host: string): Uint8Array | null {
    const slot = this.#find(host, dottedQuad(host))
    if (slot < 0) return null
    return this.#got.of(this.#tokens, slot * this.#tokenBytes, this.#tokenBytes)
  }

  #find (host: string, v4: number): number {
    const others = this.#others
    if (v4 < 0) {
      if (others !== null) for (let s = 0; s < this.#size; s++) if (others[s] === host) return s
      return -1
    }
    const key = v4 | 0
    const keys = this.#v4
    for (let s = 0; s < this.#size; s++) {
      if (keys[s] === key && (others === null || others[s] === undefined)) return s
    }
    return -1
  }

  /** 8 more slots (up to `max`): a copy now and then, little room unused. */
  #grow (): void {
    const slots = Math.min(this.max, this.#v4.length + 8)
    // one buffer for both: the tokens, then the hosts (4-byte aligned)
    const start = (slots * this.#tokenBytes + 3) & ~3
    const buffer = new ArrayBuffer(start + slots * 4)
    const tokens = new Uint8Array(buffer, 0, slots * this.#tokenBytes)
    tokens.set(this.#tokens)
    this.#tokens = tokens
    const v4 = new Int32Array(buffer, start, slots)
    v4.set(this.#v4)
    this.#v4 = v4
    // the view handed out last is of the old buffer: kept, it would keep that buffer alive
    this.#got.clear()
  }
}

