// A push-to-pull adapter: an async iterator fed by events, ended by close or an error.
import { HolepunchError } from '../errors'

interface Waiter<T> {
  resolve: (result: IteratorResult<T>) => void
  reject: (err: unknown) => void
}

/**
 * Buffers pushed values for one consumer. `end(error?)` finishes the iteration once the buffered
 * values are consumed (throwing `error` then, if given). `return()` (a `break` out of `for await`)
 * and an aborted `signal` stop it early and call `onDone` so the producer can unsubscribe.
 */
export class MessageQueue<T> implements AsyncIterableIterator<T> {
  readonly #buffer: T[] = []
  readonly #waiters: Array<Waiter<T>> = []
  readonly #onDone: () => void
  readonly #signal: AbortSignal | undefined
  #ended = false
  #error: Error | null = null
  #done = false

  constructor (onDone: () => void, signal?: AbortSignal) {
    this.#onDone = onDone
    this.#signal = signal
    if (signal !== undefined) {
      if (signal.aborted) queueMicrotask(() => this.#abort())
      else signal.addEventListener('abort', this.#abort, { once: true })
    }
  }

  /** Values waiting to be consumed. */
  get buffered (): number {
    return this.#buffer.length
  }

  push (value: T): void {
    if (this.#ended) return
    const waiter = this.#waiters.shift()
    if (waiter !== undefined) waiter.resolve({ value, done: false })
    else this.#buffer.push(value)
  }

  end (error?: Error): void {
    if (this.#ended) return
    this.#ended = true
    this.#error = error ?? null
    this.#flush()
  }

  next (): Promise<IteratorResult<T>> {
    if (this.#buffer.length > 0) return Promise.resolve({ value: this.#buffer.shift()!, done: false })
    if (this.#ended) return this.#finish()
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }))
  }

  return (): Promise<IteratorResult<T>> {
    this.#buffer.length = 0
    this.#ended = true
    this.#error = null
    this.#flush()
    return this.#finish()
  }

  [Symbol.asyncIterator] (): AsyncIterableIterator<T> {
    return this
  }

  readonly #abort = (): void => {
    this.#buffer.length = 0
    this.end(HolepunchError.ABORTED(this.#signal?.reason))
  }

  #flush (): void {
    if (this.#buffer.length > 0) return
    while (this.#waiters.length > 0) {
      const waiter = this.#waiters.shift()!
      if (this.#error !== null) waiter.reject(this.#error)
      else waiter.resolve({ value: undefined, done: true })
      this.#error = null // the error is thrown once; later calls see the end
    }
    this.#cleanup()
  }

  #finish (): Promise<IteratorResult<T>> {
    this.#cleanup()
    if (this.#error !== null) {
      const error = this.#error
      this.#error = null
      return Promise.reject(error)
    }
    return Promise.resolve({ value: undefined, done: true })
  }

  #cleanup (): void {
    if (this.#done) return
    this.#done = true
    this.#signal?.removeEventListener('abort', this.#abort)
    this.#onDone()
  }
}
