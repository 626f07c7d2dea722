// The client/server mode state machine. Inputs: reachability verdicts, NAT verdicts, stall
// reports and time. Output: `mode` and a `mode` event. Timers come from the injected `schedule`.
import { EventEmitter } from 'node:events'
import { DEMOTE_AFTER, MIN_DWELL, PROMOTE_AFTER, STALL_THRESHOLD } from '../constants'
import { HolepunchError } from '../errors'
import { hostKey } from '../address'
import { defaultClock, defaultSchedule } from '../timers'
import type { Cancel, Clock, Logger, Mode, ModeSetting, NatType, Reachability, Schedule } from '../types'

/** Options of {@link ModeController}. */
export interface ModeControllerOptions {
  /**
   * A fixed role, or `auto` to switch at runtime.
   * @default 'auto'
   */
  mode?: ModeSetting
  /**
   * Continuous eligibility (reachable with a consistent or open mapping) before promotion (ms).
   * @default 30_000
   */
  promoteAfter?: number
  /**
   * Continuous ineligibility (reachability lost or unknown, mapping random or unknown) before
   * demotion (ms).
   * @default 20_000
   */
  demoteAfter?: number
  /**
   * Minimum time between two switches for soft reasons (ms). Hard reasons (public address change,
   * stall) switch at once.
   * @default 45_000
   */
  minDwell?: number
  /**
   * An event-loop stall longer than this (ms) demotes at once.
   * @default 15_000
   */
  stallThreshold?: number
  /** @default Date.now */
  now?: Clock
  /** @default setTimeout (unref'ed) */
  schedule?: Schedule
  /** Receives mode switches (info) and ignored stall reports (debug). */
  logger?: Logger
}

/** Why the mode changed. */
export type ModeChangeReason =
  | 'eligible'
  | 'reachability-lost'
  | 'nat-changed'
  | 'address-changed'
  | 'stall'
  | 'setting'

/** Payload of the `mode` event. */
export interface ModeChange {
  mode: Mode
  previous: Mode
  reason: ModeChangeReason
}

/** Events of {@link ModeController}. */
export interface ModeControllerEvents {
  /** The mode switched. */
  mode: [change: ModeChange]
}

/** The part of a NAT verdict the controller reads. */
export interface NatInput {
  type: NatType
  host: string | null
  port: number | null
}

/**
 * Decides whether a node is a DHT `client` or `server`.
 *
 * Fixed settings never switch by themselves. In `auto` the node starts as client and:
 * - is promoted once it has been eligible (reachable, and a `consistent` or `open` mapping) for
 *   `promoteAfter` continuously, and at least `minDwell` after its last switch;
 * - is demoted once it has been ineligible for `demoteAfter` continuously (and `minDwell` after
 *   its last switch);
 * - is demoted at once when the public address changes (one known address to another) or after
 *   an event-loop stall longer than `stallThreshold`. Both also make it forget the reachability
 *   input: the evidence was about the old situation, so promotion needs a fresh `reachable`
 *   (the owner should reset its reachability tracker and probe again).
 */
export class ModeController extends EventEmitter<ModeControllerEvents> {
  readonly #promoteAfter: number
  readonly #demoteAfter: number
  readonly #minDwell: number
  readonly #stallThreshold: number
  readonly #now: Clock
  readonly #schedule: Schedule
  readonly #logger: Logger | undefined
  #setting: ModeSetting
  #mode: Mode
  #reachability: Reachability = 'unknown'
  #natType: NatType = 'unknown'
  #host: string | null = null
  #port: number | null = null
  #lastSwitchAt = -Infinity
  #since: number | null = null // start of the current (in)eligibility that may lead to a switch
  #timer: Cancel | null = null
  #deadline = Infinity
  #destroyed = false

  constructor (options: ModeControllerOptions = {}) {
    super()
    this.#setting = options.mode ?? 'auto'
    if (this.#setting !== 'auto' && this.#setting !== 'client' && this.#setting !== 'server') {
      throw HolepunchError.INVALID_ARGUMENT(`mode must be client, server or auto, got ${String(this.#setting)}`)
    }
    this.#promoteAfter = duration(options.promoteAfter ?? PROMOTE_AFTER, 'promoteAfter')
    this.#demoteAfter = duration(options.demoteAfter ?? DEMOTE_AFTER, 'demoteAfter')
    this.#minDwell = duration(options.minDwell ?? MIN_DWELL, 'minDwell')
    this.#stallThreshold = duration(options.stallThreshold ?? STALL_THRESHOLD, 'stallThreshold')
    this.#now = options.now ?? defaultClock
    this.#schedule = options.schedule ?? defaultSchedule
    this.#logger = options.logger
    this.#mode = this.#setting === 'server' ? 'server' : 'client'
  }

  /** The current role. */
  get mode (): Mode {
    return this.#mode
  }

  /** The configured setting. */
  get setting (): ModeSetting {
    return this.#setting
  }

  /** True when the inputs qualify the node for server mode (reachable, consistent or open). */
  get eligible (): boolean {
    return this.#reachability === 'reachable' && (this.#natType === 'consistent' || this.#natType === 'open')
  }

  /** When the pending promotion or demotion would happen (ms on the clock), or `null`. */
  get pendingSwitchAt (): number | null {
    return this.#timer === null ? null : this.#deadline
  }

  /** Changes the setting at runtime: a fixed role applies at once; `auto` continues from the current role. */
  setSetting (setting: ModeSetting): void {
    if (this.#destroyed) return
    if (setting !== 'auto' && setting !== 'client' && setting !== 'server') {
      throw HolepunchError.INVALID_ARGUMENT(`mode must be client, server or auto, got ${String(setting)}`)
    }
    this.#setting = setting
    this.#since = null
    if (setting !== 'auto' && setting !== this.#mode) this.#switch(setting, 'setting')
    this.#evaluate()
  }

  /** The reachability verdict changed (or was confirmed). */
  setReachability (reachability: Reachability): void {
    if (this.#destroyed) return
    this.#reachability = reachability
    this.#evaluate()
  }

  /** The NAT verdict changed. A change from one known public address to another is a hard reason. */
  setNat (nat: NatInput): void {
    if (this.#destroyed) return
    const changed = this.#addressChanged(nat)
    this.#natType = nat.type
    if (nat.host !== null) {
      this.#host = nat.host
      if (nat.port !== null) this.#port = nat.port
      else if (changed) this.#port = null
    }
    if (changed) this.#hard('address-changed')
    else this.#evaluate()
  }

  /**
   * Reports that the event loop did not run for `gap` ms. Returns true when that counted as a
   * stall (longer than `stallThreshold`): a server is demoted at once.
   */
  reportStall (gap: number): boolean {
    if (this.#destroyed) return false
    if (!(gap > this.#stallThreshold)) {
      this.#logger?.debug?.(`holepunch: event-loop gap of ${gap} ms is below the stall threshold`)
      return false
    }
    this.#hard('stall')
    return true
  }

  /** Cancels the pending timer; later inputs are ignored. Idempotent. */
  destroy (): void {
    this.#destroyed = true
    this.#cancel()
  }

  #addressChanged (nat: NatInput): boolean {
    if (nat.host === null || this.#host === null) return false
    if (hostKey(nat.host) !== hostKey(this.#host)) return true
    return nat.port !== null && this.#port !== null && nat.port !== this.#port
  }

  #hard (reason: 'address-changed' | 'stall'): void {
    // the reachability evidence was about the old address / the time before the stall
    this.#reachability = 'unknown'
    this.#since = null
    if (this.#setting === 'auto' && this.#mode === 'server') this.#switch('client', reason)
    this.#evaluate()
  }

  #evaluate (): void {
    if (this.#setting !== 'auto') {
      this.#cancel()
      return
    }
    const now = this.#now()
    const wantsSwitch = this.#mode === 'client' ? this.eligible : !this.eligible
    if (!wantsSwitch) {
      this.#since = null
      this.#cancel()
      return
    }
    if (this.#since === null) this.#since = now
    const wait = this.#mode === 'client' ? this.#promoteAfter : this.#demoteAfter
    this.#arm(Math.max(this.#since + wait, this.#lastSwitchAt + this.#minDwell))
  }

  #arm (deadline: number): void {
    if (this.#timer !== null && deadline === this.#deadline) return
    this.#cancel()
    this.#deadline = deadline
    this.#timer = this.#schedule(() => this.#fire(), Math.max(0, deadline - this.#now()))
  }

  #fire (): void {
    this.#timer = null
    this.#deadline = Infinity
    if (this.#destroyed || this.#setting !== 'auto') return
    if (this.#mode === 'client' && this.eligible) this.#switch('server', 'eligible')
    else if (this.#mode === 'server' && !this.eligible) this.#switch('client', this.#reachability === 'reachable' ? 'nat-changed' : 'reachability-lost')
    this.#evaluate()
  }

  #switch (mode: Mode, reason: ModeChangeReason): void {
    const previous = this.#mode
    if (previous === mode) return
    this.#mode = mode
    this.#lastSwitchAt = this.#now()
    this.#since = null
    this.#cancel()
    this.#logger?.info?.(`holepunch: mode ${previous} -> ${mode} (${reason})`)
    this.emit('mode', { mode, previous, reason })
  }

  #cancel (): void {
    if (this.#timer !== null) this.#timer()
    this.#timer = null
    this.#deadline = Infinity
  }
}

function duration (value: number, name: string): number {
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) throw HolepunchError.INVALID_ARGUMENT(`${name} must be a non-negative number of ms`)
  return value
}
