import { HostSlots } from './host-slots.js'

/**
 * What a node on the open internet owes every source address, and no more:
 *
 * - **Rate limiting** (requests): a token bucket per source IP, libtorrent's defaults (5 a
 *   second sustained, 10 seconds of burst). A source that empties its bucket and keeps sending
 *   is a persistent offender: ignored entirely for minutes.
 * - **Amplification** (responses to sources that have not proven they receive at their address,
 *   i.e. requests without a roundtrip token of ours): the bytes we send such an address are at most
 *   `factor` times what it sent us, plus a small budget that refills slowly, as QUIC bounds what
 *   a server sends before address validation. A spoofed stream then reflects about `factor`x.
 *
 * Pure: the caller passes the time. Sources are kept in the order they were last heard from. One
 * quiet for `forgetAfter` (a minute, or until its buckets refilled) is forgotten when a new
 * source comes (its buckets are full again by then, so forgetting it changes nothing but the
 * memory: a long-running node keeps its active sources, not every address it ever heard).
 * Memory is bounded by `maxSources` entries besides: the least recently heard goes first, so a
 * flood of new (spoofed) addresses pushes out quiet sources before a busy one's empty bucket,
 * and never a ban.
 */

export interface RateLimitOptions {
  /** Requests a second one source IP may send, sustained. @default 5 */
  rate: number
  /** Requests it may send in a burst (and how full a new source's bucket starts). @default 50 */
  burst: number
  /** How long a source that exceeded its budget is ignored (ms). @default 300000 */
  banDuration: number
  /** Excess requests (beyond the bucket) that make a source an offender to ban. @default 10 */
  banAfter: number
}

export interface AmplificationOptions {
  /** Bytes we may send an unproven address for each byte it sent us. @default 3 */
  factor: number
  /** Byte budget of an unproven address on top of that (and how full a new one starts). @default 2048 */
  burst: number
  /** How fast that budget refills (bytes a second). @default 512 */
  refill: number
}

export const DEFAULT_RATE_LIMIT: Readonly<RateLimitOptions> = Object.freeze({ rate: 5, burst: 50, banDuration: 5 * 60_000, banAfter: 10 })
export const DEFAULT_AMPLIFICATION: Readonly<AmplificationOptions> = Object.freeze({ factor: 3, burst: 2048, refill: 512 })
/** Sources whose state is kept at most. */
export const DEFAULT_MAX_SOURCES = 65_536
/**
 * A source not heard from for this long (ms) is forgotten: with the default limits its request
 * bucket refills in 10 s and its response budget in 4 s, so it would start full anyway. (Slower
 * limits wait until their buckets refill: see `SourceGuard#forgetAfter`.)
 */
export const FORGET_AFTER = 60_000

/**
 * A source's state is three numbers in a slot of one Float64Array (an object per source, its
 * numbers boxed, cost ~4x as much): request tokens; bytes we may still send it unproven; when it
 * was last updated. The rare rest (excess requests since the bucket last had a token, and until
 * when a banned source is ignored) is kept apart, by slot, for the sources that have it.
 */
const TOKENS = 0
const CREDIT = 1
const AT = 2
const FIELDS = 3

/** Counters of a {@link SourceGuard}. */
export interface GuardStats {
  /** Requests dropped by the rate limit (sources within their ban included). */
  rateLimited: number
  /** Sources banned so far. */
  bans: number
  /** Responses to unproven addresses cut down to fit their budget (nodes, then the value, left out). */
  trimmed: number
  /** Responses to unproven addresses not sent at all (even trimmed they did not fit). */
  refused: number
}

export class SourceGuard {
  readonly rate: Readonly<RateLimitOptions> | null
  readonly amplification: Readonly<AmplificationOptions> | null
  readonly maxSources: number
  /** How long (ms) a source is quiet before it is forgotten: `FORGET_AFTER`, or the time its buckets take to refill if longer. */
  readonly forgetAfter: number
  readonly stats: GuardStats = { rateLimited: 0, bans: 0, trimmed: 0, refused: 0 }
  /** host -> slot, least recently heard first; per slot the FIELDS numbers of its state. */
  readonly #sources = new HostSlots({ values: FIELDS, movable: true })
  /** Excess requests of the sources that made some (by slot), since their bucket last had a token. */
  #excess: Map<number, number> | null = null
  /** Until when each banned source is ignored (by slot; ms). */
  #bans: Map<number, number> | null = null

  constructor (opts: { rateLimit?: Partial<RateLimitOptions> | false, amplification?: Partial<AmplificationOptions> | false, maxSources?: number } = {}) {
    // the (frozen) defaults themselves when nothing is changed: no copy per node
    this.rate = opts.rateLimit === false ? null : opts.rateLimit === undefined ? DEFAULT_RATE_LIMIT : { ...DEFAULT_RATE_LIMIT, ...opts.rateLimit }
    this.amplification = opts.amplification === false ? null : opts.amplification === undefined ? DEFAULT_AMPLIFICATION : { ...DEFAULT_AMPLIFICATION, ...opts.amplification }
    this.maxSources = opts.maxSources ?? DEFAULT_MAX_SOURCES
    const r = this.rate
    const a = this.amplification
    this.forgetAfter = Math.max(FORGET_AFTER, r === null ? 0 : 1000 * r.burst / r.rate, a === null ? 0 : 1000 * a.burst / a.refill)
  }

  /** Sources tracked now. */
  get sources (): number {
    return this.#sources.size
  }

  /** Sources within their ban now. */
  banned (now: number): number {
    let n = 0
    if (this.#bans !== null) for (const until of this.#bans.values()) if (until > now) n++
    return n
  }

  /**
   * A request of `bytes` from `host` at `now`: whether to handle it. Every request also earns its
   * address `factor` times its size of response budget. `mayBan: false` (a host we talk to):
   * its excess is dropped, but it is not banned (nor held to a ban it got before).
   */
  admit (host: string, bytes: number, now: number, mayBan = true): boolean {
    if (this.rate === null && this.amplification === null) return true
    const slot = this.#source(host, now)
    const s = slot * FIELDS
    const st = this.#sources.values
    if (this.amplification !== null) st[s + CREDIT] = Math.min(st[s + CREDIT]! + bytes * this.amplification.factor, MAX_CREDIT)
    const r = this.rate
    if (r === null) return true
    if (mayBan && this.#bannedUntil(slot) > now) {
      this.stats.rateLimited++
      return false
    }
    if (st[s + TOKENS]! >= 1) {
      st[s + TOKENS]!--
      this.#excess?.delete(slot)
      return true
    }
    this.stats.rateLimited++
    const excess = this.#excess ??= new Map()
    const n = (excess.get(slot) ?? 0) + 1
    if (n >= r.banAfter && mayBan) {
      ;(this.#bans ??= new Map()).set(slot, now + r.banDuration)
      excess.delete(slot)
      this.stats.bans++
    } else {
      excess.set(slot, n)
    }
    return false
  }

  /**
   * How many bytes we may send `host`, which has not proven its address (no roundtrip token),
   * now; `Infinity` without an amplification limit.
   */
  allowance (host: string, now: number): number {
    if (this.amplification === null) return Infinity
    return this.#sources.values[this.#source(host, now) * FIELDS + CREDIT]!
  }

  /** We sent `bytes` to unproven `host`. */
  charge (host: string, bytes: number, now: number): void {
    if (this.amplification === null) return
    const s = this.#source(host, now) * FIELDS
    this.#sources.values[s + CREDIT] = Math.max(0, this.#sources.values[s + CREDIT]! - bytes)
  }

  /** Until when the source of `slot` is banned (0: it never was; a past time: no longer). */
  #bannedUntil (slot: number): number {
    return this.#bans?.get(slot) ?? 0
  }

  /** The slot of `host`'s state (created full, or refilled up to `now`). */
  #source (host: string, now: number): number {
    let slot = this.#sources.get(host)
    if (slot < 0) {
      this.#forgetQuiet(now)
      if (this.#sources.size >= this.maxSources) this.#evict(now)
      slot = this.#sources.add(host)
      const s = slot * FIELDS
      const st = this.#sources.values
      st[s + TOKENS] = this.rate?.burst ?? 0
      st[s + CREDIT] = this.amplification?.burst ?? 0
      st[s + AT] = now
      // (a freed slot has no excess nor ban left: #forget cleared them)
      return slot
    }
    const s = slot * FIELDS
    const st = this.#sources.values
    const dt = now - st[s + AT]!
    // a clock set back re-bases the source (no refill for the step): it is not left waiting
    // until the clock passes its last update again
    if (dt < 0) st[s + AT] = now
    else if (dt > 0) {
      st[s + AT] = now
      if (this.rate !== null) st[s + TOKENS] = Math.min(this.rate.burst, st[s + TOKENS]! + dt * this.rate.rate / 1000)
      if (this.amplification !== null && st[s + CREDIT]! < this.amplification.burst) {
        st[s + CREDIT] = Math.min(this.amplification.burst, st[s + CREDIT]! + dt * this.amplification.refill / 1000)
      }
    }
    this.#sources.touch(slot)
    return slot
  }

  /**
   * Forgets up to two of the sources quiet for `forgetAfter` (least recently heard first; a ban
   * still running is kept): called once per new source, it keeps pace with them, in constant time.
   */
  #forgetQuiet (now: number): void {
    const st = this.#sources.values
    let forgotten = 0
    for (let slot = this.#sources.oldest(), scanned = 0; slot !== -1 && forgotten < 2 && scanned < 4; scanned++) {
      const next = this.#sources.newer(slot)
      // (a clock set back makes `now - AT` negative: such a source counts as heard from just now)
      if (now - st[slot * FIELDS + AT]! < this.forgetAfter) return
      if (this.#bannedUntil(slot) <= now) {
        this.#forget(slot)
        forgotten++
      }
      slot = next
    }
  }

  /**
   * Makes room: the least recently heard entry, unless it is banned (a flood of new sources must
   * not lift bans); its slot goes to the next new source.
   */
  #evict (now: number): void {
    let scanned = 0
    for (let slot = this.#sources.oldest(); slot !== -1; slot = this.#sources.newer(slot)) {
      if (this.#bannedUntil(slot) <= now || ++scanned > 16) {
        this.#forget(slot)
        return
      }
    }
  }

  /** Drops the state of the source in `slot`; the slot is free for a new source. */
  #forget (slot: number): void {
    this.#sources.delete(slot)
    this.#excess?.delete(slot)
    this.#bans?.delete(slot)
  }
}

/** A cap on one source's response budget (factor times what a 64 KB datagram earns). */
const MAX_CREDIT = 256 * 1024
