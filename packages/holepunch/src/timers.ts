import type { Cancel, Clock, Schedule } from './types'

/**
 * The default {@link Schedule}: a real `setTimeout` that does not keep the process alive (so a
 * forgotten state machine never blocks exit; owners still cancel on `destroy()`).
 */
export const defaultSchedule: Schedule = (fn, ms) => {
  const timer = setTimeout(fn, Math.max(0, ms))
  timer.unref?.()
  return () => clearTimeout(timer)
}

/**
 * The default {@link Clock}: wall-clock milliseconds. Deliberately not a monotonic clock: on
 * Linux `performance.now()` (CLOCK_MONOTONIC) stops while the machine is suspended, so a laptop
 * that slept would look as if no time had passed, which is exactly what the stall detector and
 * the expiry of evidence must notice.
 */
export const defaultClock: Clock = () => Date.now()

/** A {@link Cancel} that does nothing. */
export const noopCancel: Cancel = () => {}
