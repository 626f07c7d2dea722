import { DHTError } from '../errors.js'

interface Waiting {
  start: () => void
  reject: (err: Error) => void
  signal: AbortSignal | undefined
  onabort: (() => void) | null
}

/**
 * Flow control: at most `concurrency` tasks run at once, at most `maxQueue` wait behind them;
 * one more is refused with `QUEUE_FULL`. A waiting task whose signal aborts leaves the queue.
 */
export class FlowQueue {
  concurrency: number
  readonly maxQueue: number
  inflight = 0
  /** Tasks refused because the queue was full. */
  rejected = 0
  #waiting: Array<Waiting | null> = []
  #head = 0
  #size = 0

  constructor (concurrency: number, maxQueue: number) {
    this.concurrency = concurrency
    this.maxQueue = maxQueue
  }

  /** Tasks waiting for a slot. */
  get queued (): number {
    return this.#size
  }

  /**
   * Takes a slot at once if one is free and nobody waits (the common case): the caller runs its
   * task itself and must call {@link release} exactly once when it settles. Saves the closure
   * and the promises `run()` costs, on the path every request takes.
   */
  tryAcquire (): boolean {
    if (this.inflight >= this.concurrency || this.#size !== 0) return false
    this.inflight++
    return true
  }

  /** Gives back a slot taken by {@link tryAcquire}, starting the next waiting task. */
  release (): void {
    this.#done()
  }

  /** Runs `task` when a slot is free; `peer` is named in a `QUEUE_FULL` refusal. */
  run<T> (task: () => Promise<T>, signal?: AbortSignal, peer?: { host: string, port: number }): Promise<T> {
    if (signal?.aborted) return Promise.reject(DHTError.ABORTED(signal.reason))
    if (this.inflight < this.concurrency && this.#size === 0) return this.#exec(task)
    if (this.#size >= this.maxQueue) {
      this.rejected++
      return Promise.reject(DHTError.QUEUE_FULL(this.maxQueue, peer))
    }
    return new Promise<T>((resolve, reject) => {
      const w: Waiting = {
        start: () => { this.#exec(task).then(resolve, reject) },
        reject,
        signal,
        onabort: null
      }
      if (signal) {
        w.onabort = () => {
          const i = this.#waiting.indexOf(w, this.#head)
          if (i !== -1) {
            this.#waiting[i] = null
            this.#size--
          }
          reject(DHTError.ABORTED(signal.reason))
        }
        signal.addEventListener('abort', w.onabort, { once: true })
      }
      this.#waiting.push(w)
      this.#size++
    })
  }

  /** Rejects every waiting task with `err`. */
  clear (err: Error): void {
    const waiting = this.#waiting
    const head = this.#head
    this.#waiting = []
    this.#head = 0
    this.#size = 0
    for (let i = head; i < waiting.length; i++) {
      const w = waiting[i]
      if (!w) continue
      if (w.onabort) w.signal?.removeEventListener('abort', w.onabort)
      w.reject(err)
    }
  }

  #exec<T> (task: () => Promise<T>): Promise<T> {
    this.inflight++
    let p: Promise<T>
    try {
      p = task()
    } catch (err) {
      p = Promise.reject(err)
    }
    p.then(this.#done, this.#done)
    return p
  }

  #done = (): void => {
    this.inflight--
    this.#next()
  }

  #next (): void {
    while (this.inflight < this.concurrency && this.#size > 0) {
      const w = this.#waiting[this.#head]
      this.#waiting[this.#head++] = null
      if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
        this.#waiting = this.#waiting.slice(this.#head)
        this.#head = 0
      }
      if (!w) continue
      this.#size--
      if (w.onabort) w.signal?.removeEventListener('abort', w.onabort)
      w.start()
    }
    // drained: let the array the burst grew go
    if (this.#size === 0 && this.#waiting.length > 0) {
      this.#waiting = []
      this.#head = 0
    }
  }
}
