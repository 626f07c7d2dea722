// Virtual time for tests: a clock and a scheduler that only move when the test says so, so state
// machines with timers run instantly and deterministically.
import type { Cancel, Schedule } from '../src/types'

interface Timer {
  at: number
  seq: number
  fn: () => void
  cancelled: boolean
}

export class VirtualTime {
  #now: number
  #seq = 0
  #timers: Timer[] = []

  constructor (start = 0) {
    this.#now = start
  }

  /** The current virtual time (use as a `Clock`: `now: time.now`). */
  readonly now = (): number => this.#now

  /** A `Schedule` on this virtual time. */
  readonly schedule: Schedule = (fn, ms): Cancel => {
    const timer: Timer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn, cancelled: false }
    this.#timers.push(timer)
    return () => { timer.cancelled = true }
  }

  /** Timers scheduled and neither run nor cancelled. */
  get pending (): number {
    return this.#timers.filter((t) => !t.cancelled).length
  }

  /** Moves time forward by `ms`, running every timer that falls due, in order. */
  advance (ms: number): void {
    this.runUntil(this.#now + ms)
  }

  /** Runs timers due up to `until`, then sets the time to `until`. */
  runUntil (until: number): void {
    for (;;) {
      const next = this.#next()
      if (next === undefined || next.at > until) break
      this.#now = Math.max(this.#now, next.at)
      next.cancelled = true
      next.fn()
    }
    this.#now = Math.max(this.#now, until)
  }

  /**
   * Runs timers (advancing time to each) until `done()` is true; throws when no timer is left or
   * `limit` ms of virtual time passed without it.
   */
  runUntilTrue (done: () => boolean, limit = 600_000): void {
    const end = this.#now + limit
    let steps = 0
    while (!done()) {
      if (++steps > 2_000_000) throw new Error(`runaway timers at t=${this.#now}`)
      const next = this.#next()
      if (next === undefined) throw new Error(`no timer left at t=${this.#now} and the condition is still false`)
      if (next.at > end) throw new Error(`condition still false after ${limit} ms of virtual time`)
      this.#now = Math.max(this.#now, next.at)
      next.cancelled = true
      next.fn()
    }
  }

  #next (): Timer | undefined {
    this.#timers = this.#timers.filter((t) => !t.cancelled)
    let best: Timer | undefined
    for (const t of this.#timers) if (best === undefined || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t
    return best
  }
}
