// The virtual clock of the simulation: @sinonjs/fake-timers installed as the process clock, so
// that a request timeout of 1.25 s or an announce interval of 2 minutes costs no real time. It
// must be installed BEFORE the library is loaded (main.ts imports the library afterwards), so
// that every setTimeout/setInterval/setImmediate, Date and performance.now the library calls is
// the fake one.
//
// Time only moves when the driver fires the next timer (`clock.next()`, a heap pop). Between two
// timers the driver yields through a real process.nextTick: Node runs that tick only once the
// microtask queue is empty, so every promise the previous timer settled has run its course, as
// between two timers of a real event loop. (fake-timers' own tickAsync yields through a real
// setTimeout per timer, about 1 ms each: far too slow for millions of timers.)
import FakeTimers, { type Clock } from '@sinonjs/fake-timers'

export interface VirtualClock {
  /** Virtual ms since the epoch. */
  readonly now: number
  /** Timers fired so far. */
  readonly steps: number
  /** Fires timers, in time order, until `promise` settles; rejects if nothing is left to fire. */
  until: <T>(promise: Promise<T>, what?: string) => Promise<T>
  /** Fires every timer due in the next `ms` virtual ms, then sets the clock `ms` later. */
  advance: (ms: number) => Promise<void>
  uninstall: () => void
}

interface HeapTimer { callAt: number }
type InternalClock = Omit<Clock, 'timerHeap'> & { timerHeap?: { peek (): HeapTimer | undefined } }

const realNextTick = process.nextTick.bind(process)
const realSetImmediate = setImmediate

/** Lets the microtask queue run dry (see above). */
function settle (): Promise<void> {
  return new Promise((resolve) => { realNextTick(resolve) })
}

/** Lets the real event loop turn once (stdout, GC finalizers); rarely needed. */
function breathe (): Promise<void> {
  return new Promise((resolve) => { realSetImmediate(resolve) })
}

export function installVirtualClock (start = Date.now()): VirtualClock {
  const clock = FakeTimers.withGlobal(globalThis).install({
    now: start,
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'Date', 'performance'],
    loopLimit: Number.MAX_SAFE_INTEGER
  }) as InternalClock
  if (typeof clock.timerHeap?.peek !== 'function' && clock.countTimers() === 0) {
    // fake-timers 15 keeps its timers in a heap; `advance` peeks at it. Created lazily: probe it.
    const t = setTimeout(() => {}, 0)
    clearTimeout(t)
  }
  if (typeof clock.timerHeap?.peek !== 'function') throw new Error('@sinonjs/fake-timers without a timer heap: version 15 is expected')
  let steps = 0

  const fire = async (): Promise<void> => {
    clock.next()
    steps++
    await settle()
    if ((steps & 0xffff) === 0) await breathe()
  }

  return {
    get now () { return clock.now },
    get steps () { return steps },
    async until<T> (promise: Promise<T>, what = 'the simulation'): Promise<T> {
      let settled = false
      promise.then(() => { settled = true }, () => { settled = true })
      await settle()
      while (!settled) {
        if (clock.countTimers() === 0) throw new Error(`virtual clock: nothing left to run, but ${what} has not finished`)
        await fire()
      }
      return await promise
    },
    async advance (ms: number): Promise<void> {
      const end = clock.now + ms
      await settle()
      for (;;) {
        const next = clock.timerHeap!.peek()
        if (next === undefined || next.callAt > end) break
        await fire()
      }
      if (clock.now < end) clock.tick(end - clock.now) // no timer in between: fires nothing
      await settle()
    },
    uninstall: () => clock.uninstall()
  }
}
