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
 * Pure: the caller passes the time. Memory is bounded by `maxSources` entries (oldest first out:
 * a forgotten source starts again with full buckets, which only helps one that went quiet).
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

interface Source {
  /** Request tokens. */
  tokens: number
  /** Excess requests since the bucket last had a token. */
  excess: number
  /** Until when it is ignored (ms), 0 when not banned. */
  bannedUntil: number
  /** Bytes we may still send it unproven. */
  credit: number
  at: number
}

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
  readonly stats: GuardStats = { rateLimited: 0, bans: 0, trimmed: 0, refused: 0 }
  #sources = new Map<string, Source>()

  constructor (opts: { rateLimit?: Partial<RateLimitOptions> | false, amplification?: Partial<AmplificationOptions> | false, maxSources?: number } = {}) {
    this.rate = opts.rateLimit === false ? null : { ...DEFAULT_RATE_LIMIT, ...opts.rateLimit }
    this.amplification = opts.amplification === false ? null : { ...DEFAULT_AMPLIFICATION, ...opts.amplification }
    this.maxSources = opts.maxSources ?? DEFAULT_MAX_SOURCES
  }

  /** Sources tracked now. */
  get sources (): number {
    return this.#sources.size
  }

  /** Sources within their ban now. */
  banned (now: number): number {
    let n = 0
    for (const s of this.#sources.values()) if (s.bannedUntil > now) n++
    return n
  }

  /**
   * A request of `bytes` from `host` at `now`: whether to handle it. Every request also earns its
   * address `factor` times its size of response budget. `mayBan: false` (a host we talk to):
   * its excess is dropped, but it is not banned (nor held to a ban it got before).
   */
  admit (host: string, bytes: number, now: number, mayBan = true): boolean {
    if (this.rate === null && this.amplification === null) return true
    const s = this.#source(host, now)
    if (this.amplification !== null) s.credit = Math.min(s.credit + bytes * this.amplification.factor, MAX_CREDIT)
    const r = this.rate
    if (r === null) return true
    if (s.bannedUntil > now && mayBan) {
      this.stats.rateLimited++
      return false
    }
    if (s.tokens >= 1) {
      s.tokens--
      s.excess = 0
      return true
    }
    this.stats.rateLimited++
    if (++s.excess >= r.banAfter && mayBan) {
      s.bannedUntil = now + r.banDuration
      s.excess = 0
      this.stats.bans++
    }
    return false
  }

  /**
   * How many bytes we may send `host`, which has not proven its address (no roundtrip token),
   * now; `Infinity` without an amplification limit.
   */
  allowance (host: string, now: number): number {
    if (this.amplification === null) return Infinity
    return this.#source(host, now).credit
  }

  /** We sent `bytes` to unproven `host`. */
  charge (host: string, bytes: number, now: number): void {
    if (this.amplification === null) return
    const s = this.#source(host, now)
    s.credit = Math.max(0, s.credit - bytes)
  }

  #source (host: string, now: number): Source {
    let s = this.#sources.get(host)
    if (s === undefined) {
      if (this.#sources.size >= this.maxSources) this.#evict(now)
      s = { tokens: this.rate?.burst ?? 0, excess: 0, bannedUntil: 0, credit: this.amplification?.burst ?? 0, at: now }
      this.#sources.set(host, s)
      return s
    }
    const dt = now - s.at
    if (dt > 0) {
      s.at = now
      if (this.rate !== null) s.tokens = Math.min(this.rate.burst, s.tokens + dt * this.rate.rate / 1000)
      if (this.amplification !== null && s.credit < this.amplification.burst) {
        s.credit = Math.min(this.amplification.burst, s.credit + dt * this.amplification.refill / 1000)
      }
    }
    return s
  }

  /** Makes room: the oldest entry, unless it is banned (a flood of new sources must not lift bans). */
  #evict (now: number): void {
    let scanned = 0
    for (const [host, s] of this.#sources) {
      if (s.bannedUntil <= now || ++scanned > 16) {
        this.#sources.delete(host)
        return
      }
    }
  }
}

/** A cap on one source's response budget (factor times what a 64 KB datagram earns). */
const MAX_CREDIT = 256 * 1024
