/**
 * The round-trip time of this node's requests, smoothed as TCP does (RFC 6298), for adaptive
 * timeouts: a query waits for a silent node about as long as answers actually take here, not a
 * fixed second and a quarter. Pure: the caller feeds samples.
 */
export class RttEstimator {
  #srtt = -1
  #rttvar = 0
  samples = 0

  /** One measured round trip (ms). */
  update (rtt: number): void {
    this.samples++
    if (this.#srtt < 0) {
      this.#srtt = rtt
      this.#rttvar = rtt / 2
      return
    }
    this.#rttvar = 0.75 * this.#rttvar + 0.25 * Math.abs(this.#srtt - rtt)
    this.#srtt = 0.875 * this.#srtt + 0.125 * rtt
  }

  /** The smoothed round trip (ms), or null before any sample. */
  get srtt (): number | null {
    return this.#srtt < 0 ? null : this.#srtt
  }

  /** `srtt + 4 * rttvar` within [min, max] (ms); `max` before enough samples to trust. */
  timeout (min: number, max: number): number {
    const bound = this.bound(min)
    return bound === null ? max : Math.min(max, bound)
  }

  /** `srtt + 4 * rttvar`, at least `min` (ms); `null` before enough samples to trust. */
  bound (min: number): number | null {
    if (this.samples < 8) return null
    return Math.max(min, this.#srtt + 4 * this.#rttvar)
  }
}
