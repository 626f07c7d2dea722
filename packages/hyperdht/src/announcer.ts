import { EventEmitter } from 'node:events'
import type { HyperDHTError } from './errors.js'
import type { HyperDHT } from './hyperdht.js'
import type { AnnounceResult, AnnouncerOptions } from './types.js'

const DEFAULT_INTERVAL = 2 * 60 * 1000
const DEFAULT_RETRY_DELAY = 2000

export interface AnnouncerEvents {
  /** An announce (first, periodic, retry or refresh) was committed. */
  announced: [result: AnnounceResult]
  /** An announce failed; the announcer retries with a backoff. */
  'announce-failed': [err: HyperDHTError]
}

/**
 * Keeps one announce alive: announces at start, every `interval` (keep it below the storing
 * nodes' expiry, about 6 minutes on the reference), after the routing table was emptied and
 * refilled (the network changed: seen through the table's `remove-node`/`add-node` events), and
 * on {@link refresh}; retries failures with a doubling delay.
 * {@link stop} unannounces. Timers are unref'd: an announcer never keeps the process alive.
 */
export class Announcer extends EventEmitter<AnnouncerEvents> {
  readonly key: Uint8Array
  /** Announces committed so far. */
  announces = 0
  /** Announces that failed so far. */
  failures = 0
  #node: HyperDHT
  #opts: AnnouncerOptions
  #interval: number
  #retry: number
  #timer: NodeJS.Timeout | null = null
  #running: Promise<void> | null = null
  #queued: Promise<void> | null = null
  #stopped = false
  #ac = new AbortController()
  #tableWasEmpty = false
  #ondone: () => void

  constructor (node: HyperDHT, key: Uint8Array, opts: AnnouncerOptions, ondone: () => void) {
    super()
    this.#node = node
    this.key = key
    this.#opts = opts
    this.#interval = opts.interval ?? DEFAULT_INTERVAL
    this.#retry = opts.retryDelay ?? DEFAULT_RETRY_DELAY
    this.#ondone = ondone
  }

  get stopped (): boolean {
    return this.#stopped
  }

  /** @internal */
  start (): void {
    void this.refresh()
    this.#node.dht.on('remove-node', this.#onremove)
    this.#node.dht.on('add-node', this.#onadd)
  }

  /**
   * Announces now (for example after the caller learnt that the network changed). While an
   * announce is running, the next one is queued (calls coalesce) and this resolves after it.
   */
  async refresh (): Promise<void> {
    if (this.#stopped) return
    if (this.#queued !== null) return await this.#queued
    const prev = this.#running ?? Promise.resolve()
    const next = prev.then(async () => {
      this.#queued = null
      if (this.#stopped) return
      const run = this.#run()
      this.#running = run
      try {
        await run
      } finally {
        if (this.#running === run) this.#running = null
      }
    })
    this.#queued = next
    await next
  }

  /** Stops re-announcing and removes the announce from the network. */
  async stop (): Promise<void> {
    if (this.#stopped) return
    this.halt()
    try {
      await this.#running
    } catch {}
    if (this.#node.destroyed) return
    try {
      await this.#node.unannounce(this.key, { port: this.#opts.port, localAddress: this.#opts.localAddress })
    } catch {}
  }

  /** Stops the timers without unannouncing (used by `destroy()`). @internal */
  halt (): void {
    if (this.#stopped) return
    this.#stopped = true
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    this.#node.dht.off('remove-node', this.#onremove)
    this.#node.dht.off('add-node', this.#onadd)
    this.#ac.abort()
    this.#ondone()
  }

  async #run (): Promise<void> {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    let delay = this.#interval
    try {
      const result = await this.#node.announce(this.key, {
        port: this.#opts.port,
        localAddress: this.#opts.localAddress,
        signal: this.#ac.signal
      })
      this.announces++
      this.#retry = this.#opts.retryDelay ?? DEFAULT_RETRY_DELAY
      if (!this.#stopped) this.emit('announced', result)
    } catch (err) {
      if (this.#stopped) return
      this.failures++
      delay = Math.min(this.#retry, this.#interval)
      this.#retry = Math.min(this.#retry * 2, this.#interval)
      this.emit('announce-failed', err as HyperDHTError)
    }
    if (this.#stopped) return
    this.#timer = setTimeout(() => { void this.refresh() }, delay)
    this.#timer.unref()
  }

  // Re-announces when the routing table was emptied and has nodes again (a new network: the
  // nodes that stored our announce are gone or unreachable). Driven by the table's events.
  #onremove = (): void => {
    if (this.#node.dht.tableSize === 0) this.#tableWasEmpty = true
  }

  #onadd = (): void => {
    if (!this.#tableWasEmpty) return
    this.#tableWasEmpty = false
    void this.refresh()
  }
}
