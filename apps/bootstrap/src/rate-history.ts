/** One point of the request-rate chart: requests received during the interval ending at `at`. */
export interface RateSample {
  /** End of the interval (ms since the epoch). */
  at: number
  /** Requests received during the interval. */
  requests: number
}

/**
 * A ring buffer of per-interval request counts, fed with the node's running total (pure: the
 * caller brings the clock and the timer). The first call only sets the baseline.
 */
export class RateHistory {
  readonly capacity: number
  readonly #buf: RateSample[] = []
  #start = 0
  #last: number | null = null

  constructor (capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer')
    this.capacity = capacity
  }

  /** Records the running total `total` at time `at`; the difference to the previous total is one sample. */
  record (total: number, at: number): void {
    if (this.#last === null) {
      this.#last = total
      return
    }
    // a total that went down (counters reset) counts from zero rather than negative
    const requests = total >= this.#last ? total - this.#last : total
    this.#last = total
    const sample = { at, requests }
    if (this.#buf.length < this.capacity) this.#buf.push(sample)
    else {
      this.#buf[this.#start] = sample
      this.#start = (this.#start + 1) % this.capacity
    }
  }

  /** The samples, oldest first. */
  samples (): RateSample[] {
    return [...this.#buf.slice(this.#start), ...this.#buf.slice(0, this.#start)]
  }
}
