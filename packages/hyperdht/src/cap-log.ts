// Store caps hit by others' announces and puts, logged for the operator: at most one entry per
// cap per interval, with the number of hits left unlogged since the previous entry.
import type { Logger } from '@hyperdht-ts/dht-rpc'
import { CAP_LOG_INTERVAL } from './constants.js'

/** The store limits of {@link HyperDHTOptions} whose hits are logged. */
export type StoreCap =
  | 'maxPeers' | 'maxPeerKeys' | 'maxPeersPerKey' | 'maxPeersPerHost' | 'maxPeerBytes'
  | 'maxValues' | 'maxValuesPerHost' | 'maxValueBytes'

export class CapLog {
  readonly #log: Logger
  readonly #limits: Readonly<Record<StoreCap, number>>
  readonly #interval: number
  readonly #last = new Map<StoreCap, { at: number, hits: number }>()

  constructor (log: Logger, limits: Readonly<Record<StoreCap, number>>, interval = CAP_LOG_INTERVAL) {
    this.#log = log
    this.#limits = limits
    this.#interval = interval
  }

  /** `cap` refused (or, for the totals, evicted for) an announce or put from `host` at `now` (ms). */
  hit (cap: StoreCap, host: string, now: number): void {
    const last = this.#last.get(cap)
    if (last !== undefined && now - last.at < this.#interval) {
      last.hits++
      return
    }
    // per-host caps refuse; the others evict the oldest entry of the prefix holding the most
    const action = cap === 'maxPeersPerHost' || cap === 'maxValuesPerHost' ? 'refusing' : 'evicting from the largest prefix'
    this.#log.warn?.('hyperdht: store cap reached', { cap, limit: this.#limits[cap], action, host, unlogged: last?.hits ?? 0 })
    this.#last.set(cap, { at: now, hits: 0 })
  }
}
