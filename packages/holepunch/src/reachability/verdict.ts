// Aggregates reachability probe outcomes into one verdict. Pure: no timers, no I/O.
//
// A probe asks a helper to have a stranger (a node or port we never sent to) send us a datagram
// carrying a nonce; the wiring turns "the nonce arrived" into `reachable` and "the helper says it
// sent it and nothing arrived" into `unreachable`, and reports that outcome here.
import { EventEmitter } from 'node:events'
import type { Peer } from '@hyperdht-ts/ip-encoding'
import { isPeer } from '../address'
import { REACHABILITY_CONFIRMATIONS, REACHABILITY_MAX_NONCES, REACHABILITY_WINDOW } from '../constants'
import { HolepunchError } from '../errors'
import { remoteKey } from '../nat/classifier'
import { defaultClock } from '../timers'
import type { Clock, Reachability } from '../types'

/** What one helper found out. */
export type ProbeOutcome = 'reachable' | 'unreachable'

/** One probe outcome, as reported to {@link ReachabilityTracker.report}. */
export interface ProbeReport {
  /** The helper that was asked (distinctness is counted on its host). */
  helper: Peer
  /** What the probe found. */
  outcome: ProbeOutcome
  /** The probe's nonce: an outcome for a nonce already reported is ignored (no replays). */
  nonce?: string | number | Uint8Array
  /** When the outcome was known (ms); defaults to the tracker's clock. */
  at?: number
}

/** Options of {@link ReachabilityTracker}. */
export interface ReachabilityTrackerOptions {
  /**
   * Agreeing outcomes from distinct helpers needed to believe a verdict.
   * @default 3
   */
  confirmations?: number
  /**
   * How long an outcome counts (ms).
   * @default 300_000
   */
  window?: number
  /**
   * Count helpers by host (true) or host:port (false: a testnet on loopback).
   * @default true
   */
  distinctHosts?: boolean
  /**
   * Nonces remembered against replays.
   * @default 256
   */
  maxNonces?: number
  /** @default Date.now */
  now?: Clock
}

/** Payload of the `reachability` event. */
export interface ReachabilityChange {
  reachability: Reachability
  previous: Reachability
}

/** Events of {@link ReachabilityTracker}. */
export interface ReachabilityTrackerEvents {
  /** The verdict changed. */
  reachability: [change: ReachabilityChange]
}

/**
 * Believes `reachable` or `unreachable` only once `confirmations` distinct helpers agreed in a
 * row, within `window`:
 * - outcomes are counted in a streak of agreement; a contradicting outcome starts a new streak
 *   (the evidence for the other side resets to zero);
 * - the verdict flips only when the new streak is confirmed: a single lost probe never demotes a
 *   reachable node, and a single lucky one never promotes an unreachable one;
 * - the verdict decays to `unknown` once no outcome agreeing with it arrived for `window`.
 */
export class ReachabilityTracker extends EventEmitter<ReachabilityTrackerEvents> {
  readonly #confirmations: number
  readonly #window: number
  readonly #distinctHosts: boolean
  readonly #maxNonces: number
  readonly #now: Clock
  // both created on the first report (a node in server mode may never probe)
  #nonces: Set<string> | null = null
  #streakOutcome: ProbeOutcome | null = null
  #streak: Map<string, number> | null = null // helper key -> time of its agreeing outcome
  #verdict: Reachability = 'unknown'
  #supportedAt = -Infinity

  constructor (options: ReachabilityTrackerOptions = {}) {
    super()
    this.#confirmations = options.confirmations ?? REACHABILITY_CONFIRMATIONS
    this.#window = options.window ?? REACHABILITY_WINDOW
    this.#distinctHosts = options.distinctHosts ?? true
    this.#maxNonces = options.maxNonces ?? REACHABILITY_MAX_NONCES
    this.#now = options.now ?? defaultClock
    if (!Number.isInteger(this.#confirmations) || this.#confirmations < 1) throw HolepunchError.INVALID_ARGUMENT('confirmations must be a positive integer')
    if (!(this.#window > 0)) throw HolepunchError.INVALID_ARGUMENT('window must be positive')
  }

  /** The current verdict. */
  get reachability (): Reachability {
    return this.#verdict
  }

  /** The running streak: which outcome, agreed by how many distinct helpers. */
  get streak (): { outcome: ProbeOutcome | null, helpers: number } {
    return { outcome: this.#streakOutcome, helpers: this.#streak?.size ?? 0 }
  }

  /** Reports one probe outcome; returns the (possibly new) verdict. */
  report (report: ProbeReport): Reachability {
    if (!isPeer(report?.helper)) throw HolepunchError.INVALID_ARGUMENT('a probe report needs helper as { host, port }')
    if (report.outcome !== 'reachable' && report.outcome !== 'unreachable') throw HolepunchError.INVALID_ARGUMENT('outcome must be reachable or unreachable')
    if (report.nonce !== undefined) {
      const key = nonceKey(report.nonce)
      const nonces = this.#nonces ??= new Set()
      if (nonces.has(key)) return this.refresh()
      nonces.add(key)
      if (nonces.size > this.#maxNonces) nonces.delete(nonces.values().next().value!)
    }
    const at = report.at ?? this.#now()
    if (report.outcome !== this.#streakOutcome) {
      this.#streakOutcome = report.outcome
      this.#streak?.clear()
    }
    const helper = remoteKey(report.helper, this.#distinctHosts)
    const streak = this.#streak ??= new Map()
    streak.delete(helper)
    streak.set(helper, at)
    if (report.outcome === this.#verdict) this.#supportedAt = Math.max(this.#supportedAt, at)
    return this.#evaluate()
  }

  /** Applies expiry at the current time (no timers here: call it from time to time). */
  refresh (): Reachability {
    return this.#evaluate()
  }

  /**
   * Forgets all evidence (not the nonces): after a stall or an address change the old outcomes
   * say nothing about the new situation. The verdict becomes `unknown`.
   */
  reset (): Reachability {
    this.#streakOutcome = null
    this.#streak?.clear()
    this.#supportedAt = -Infinity
    return this.#set('unknown')
  }

  #evaluate (): Reachability {
    const oldest = this.#now() - this.#window
    const streak = this.#streak
    if (streak !== null) for (const [helper, at] of streak) if (at < oldest) streak.delete(helper)
    if (this.#streakOutcome !== null && streak !== null && streak.size >= this.#confirmations) {
      if (this.#verdict !== this.#streakOutcome) this.#supportedAt = Math.max(...streak.values())
      return this.#set(this.#streakOutcome)
    }
    if (this.#verdict !== 'unknown' && this.#supportedAt < oldest) return this.#set('unknown')
    return this.#verdict
  }

  #set (verdict: Reachability): Reachability {
    const previous = this.#verdict
    if (verdict === previous) return verdict
    this.#verdict = verdict
    this.emit('reachability', { reachability: verdict, previous })
    return verdict
  }
}

function nonceKey (nonce: string | number | Uint8Array): string {
  if (typeof nonce === 'string') return 's' + nonce
  if (typeof nonce === 'number') return 'n' + nonce
  return 'b' + Buffer.from(nonce.buffer, nonce.byteOffset, nonce.byteLength).toString('hex')
}
