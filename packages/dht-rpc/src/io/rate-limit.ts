/**
 * Token buckets per key (a source host, usually): `rate` tokens a second up to `burst`. Pure: the
 * caller passes the time. Memory is bounded: past `maxKeys` keys the least recently used is
 * forgotten (it starts again with a full bucket). Least recently *used*, as the per-source guard
 * does: were it the least recently created, a stream of new keys would push out a key that keeps
 * asking, and hand that key a full bucket again.
 */
export class RateLimiter {
  readonly rate: number
  readonly burst: number
  readonly maxKeys: number
  /** Created on first use: most limiters of a node never see a key. */
  #buckets: Map<string, { tokens: number, at: number }> | null = null

  constructor (opts: { rate: number, burst: number, maxKeys?: number }) {
    this.rate = opts.rate
    this.burst = opts.burst
    this.maxKeys = opts.maxKeys ?? 4096
  }

  /** Keys tracked now. */
  get size (): number {
    return this.#buckets?.size ?? 0
  }

  /** Takes one token for `key` at `now` (ms); false when its bucket is empty. */
  take (key: string, now: number): boolean {
    const buckets = this.#buckets ??= new Map()
    let b = buckets.get(key)
    if (b === undefined) {
      if (buckets.size >= this.maxKeys) buckets.delete(buckets.keys().next().value!)
      b = { tokens: this.burst, at: now }
      buckets.set(key, b)
    } else {
      // to the newest end (a Map keeps insertion order): used now
      buckets.delete(key)
      buckets.set(key, b)
      if (now !== b.at) {
        // a clock set back re-bases the bucket (no refill for the step) instead of stalling it
        // until the clock passes `at` again
        if (now > b.at) b.tokens = Math.min(this.burst, b.tokens + (now - b.at) * this.rate / 1000)
        b.at = now
      }
    }
    if (b.tokens < 1) return false
    b.tokens--
    return true
  }
}
