// Round-trip time estimation and the retransmission timeout, after RFC 6298.
import { INITIAL_RTO, MAX_RTO, MIN_RTO } from '../constants'

/** Options of {@link RttEstimator}. */
export interface RttEstimatorOptions {
  /** A round trip already measured (by the punch): used as the first sample. */
  initialRtt?: number
  /** @default 1000 */
  initialRto?: number
  /** @default 200 */
  minRto?: number
  /** @default 4000 */
  maxRto?: number
}

/** Smoothed RTT, its variation, and the RTO derived from them. */
export class RttEstimator {
  readonly #initialRto: number
  readonly #minRto: number
  readonly #maxRto: number
  #srtt: number | null = null
  #rttvar = 0
  #latest: number | null = null

  constructor (options: RttEstimatorOptions = {}) {
    this.#initialRto = options.initialRto ?? INITIAL_RTO
    this.#minRto = options.minRto ?? MIN_RTO
    this.#maxRto = Math.max(this.#minRto, options.maxRto ?? MAX_RTO)
    if (options.initialRtt !== undefined && options.initialRtt >= 0) this.sample(options.initialRtt)
  }

  /** The smoothed round-trip time (ms), `null` before the first sample. */
  get srtt (): number | null {
    return this.#srtt
  }

  /** The latest sample (ms), `null` before the first. */
  get latest (): number | null {
    return this.#latest
  }

  /** The retransmission timeout (ms), before backoff. */
  get rto (): number {
    if (this.#srtt === null) return clamp(this.#initialRto, this.#minRto, this.#maxRto)
    return clamp(this.#srtt + Math.max(1, 4 * this.#rttvar), this.#minRto, this.#maxRto)
  }

  /** The timeout for the `attempt`-th transmission (1 = first): doubled per retry, capped. */
  backoff (attempt: number): number {
    return Math.min(this.#maxRto, this.rto * 2 ** Math.max(0, Math.min(attempt - 1, 16)))
  }

  /** Adds a measured round trip (ms). Ignores negative or non-finite values. */
  sample (rtt: number): void {
    if (!(rtt >= 0) || !Number.isFinite(rtt)) return
    this.#latest = rtt
    if (this.#srtt === null) {
      this.#srtt = rtt
      this.#rttvar = rtt / 2
      return
    }
    this.#rttvar = 0.75 * this.#rttvar + 0.25 * Math.abs(this.#srtt - rtt)
    this.#srtt = 0.875 * this.#srtt + 0.125 * rtt
  }
}

function clamp (value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}
