// Notices that the process did not run for a while (the machine slept, the process was stopped,
// the event loop was blocked). Pure: the owner feeds it the times of a periodic tick.
import { STALL_THRESHOLD } from '../constants'
import { HolepunchError } from '../errors'

/** Options of {@link StallDetector}. */
export interface StallDetectorOptions {
  /**
   * A gap between two ticks longer than this (ms) is a stall. Choose a tick interval well below
   * it (a few seconds).
   * @default 15_000
   */
  threshold?: number
}

/**
 * Feed it `tick(now)` from a periodic timer; it returns the gap since the previous tick when that
 * gap exceeds the threshold (a stall), else 0. Use a wall clock (`Date.now`): a monotonic clock
 * stops while the machine is suspended, which would hide exactly the stalls that matter. A clock
 * that went backwards (a manual change) only moves the baseline.
 */
export class StallDetector {
  readonly #threshold: number
  #last: number | null = null
  #stalls = 0

  constructor (options: StallDetectorOptions = {}) {
    this.#threshold = options.threshold ?? STALL_THRESHOLD
    if (!(this.#threshold > 0)) throw HolepunchError.INVALID_ARGUMENT('threshold must be positive')
  }

  /** The threshold (ms). */
  get threshold (): number {
    return this.#threshold
  }

  /** The time of the last tick, or `null` before the first. */
  get lastTick (): number | null {
    return this.#last
  }

  /** Stalls seen so far. */
  get stalls (): number {
    return this.#stalls
  }

  /** Records a tick at `now`; returns the gap (ms) when it was a stall, else 0. */
  tick (now: number): number {
    const last = this.#last
    this.#last = now
    if (last === null) return 0
    const gap = now - last
    if (gap > this.#threshold) {
      this.#stalls++
      return gap
    }
    return 0
  }

  /** Forgets the last tick (the next tick starts a new baseline). */
  reset (): void {
    this.#last = null
  }
}
