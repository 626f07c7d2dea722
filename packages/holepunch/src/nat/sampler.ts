// The live side of NAT classification: keeps a bounded set of samples (the newest per remote),
// re-classifies on every change and says when the verdict or the public address changed.
// No timers: time comes in with each sample or from the injected clock.
import { EventEmitter } from 'node:events'
import type { Peer } from '@hyperdht-ts/ip-encoding'
import { isPeer } from '../address'
import { NAT_MAX_SAMPLES, NAT_MIN_REMOTES, NAT_OUTLIER_TOLERANCE, NAT_SAMPLE_MAX_AGE } from '../constants'
import { HolepunchError } from '../errors'
import { defaultClock } from '../timers'
import type { Clock, Reachability } from '../types'
import { classifyNat, remoteKey, UNKNOWN_NAT, type NatSample, type NatVerdict } from './classifier'

/** Options of {@link NatSampler}. */
export interface NatSamplerOptions {
  /**
   * Samples kept, one per remote; the least recently updated remote is forgotten first.
   * @default 16
   */
  maxSamples?: number
  /**
   * Distinct remotes needed for a verdict.
   * @default 3
   */
  minRemotes?: number
  /**
   * Count remotes by host (true) or host:port (false, for a testnet on loopback).
   * @default true
   */
  distinctHosts?: boolean
  /**
   * Tolerated share of disagreeing remotes.
   * @default 0.25
   */
  tolerance?: number
  /**
   * Age (ms) after which a sample no longer counts.
   * @default 300_000
   */
  maxAge?: number
  /**
   * The clock for samples added without `at` and for expiry.
   * @default Date.now
   */
  now?: Clock
  /** Our bound addresses (see {@link ClassifyNatOptions.localAddresses}). */
  localAddresses?: readonly Peer[]
  /** The starting reachability verdict. @default 'unknown' */
  reachability?: Reachability
  /** Vouch that the public address accepts unsolicited datagrams (a port mapping). @default false */
  assumeOpen?: boolean
}

/** Payload of the `nat` event. */
export interface NatChange {
  /** The new verdict. */
  verdict: NatVerdict
  /** The verdict before. */
  previous: NatVerdict
  /** True when the public host or port changed (not only the type). */
  addressChanged: boolean
}

/** Events of {@link NatSampler}. */
export interface NatSamplerEvents {
  /** The NAT type or the public address changed. */
  nat: [change: NatChange]
}

/** A sample as given to {@link NatSampler.add}: `at` defaults to the sampler's clock. */
export type NatSampleInput = Omit<NatSample, 'at'> & { at?: number }

/**
 * Collects what remote nodes report as our address and classifies our NAT with
 * {@link classifyNat}. Emits `nat` when the type, the public host or the public port changes.
 */
export class NatSampler extends EventEmitter<NatSamplerEvents> {
  /**
   * The samples, oldest update first, kept flat (a node keeps up to `maxSamples` of them): the
   * remote key of each, its two hosts (the remote's, and ours as it saw us) and its three numbers
   * (the remote's port, ours, when). An object per sample and a map of them cost twice as much.
   */
  #count = 0
  /** Per sample: its remote key, the remote's host, our host as it saw us (sized on the first sample). */
  #strings: string[] = []
  /** Per sample: the remote's port, ours, when. */
  #numbers = new Float64Array(0)
  readonly #maxSamples: number
  readonly #minRemotes: number
  readonly #distinctHosts: boolean
  readonly #tolerance: number
  readonly #maxAge: number
  readonly #now: Clock
  #localAddresses: readonly Peer[]
  #reachability: Reachability
  #assumeOpen: boolean
  #verdict: NatVerdict = { ...UNKNOWN_NAT }

  constructor (options: NatSamplerOptions = {}) {
    super()
    this.#maxSamples = positiveInt(options.maxSamples ?? NAT_MAX_SAMPLES, 'maxSamples')
    this.#minRemotes = positiveInt(options.minRemotes ?? NAT_MIN_REMOTES, 'minRemotes')
    this.#distinctHosts = options.distinctHosts ?? true
    this.#tolerance = options.tolerance ?? NAT_OUTLIER_TOLERANCE
    this.#maxAge = options.maxAge ?? NAT_SAMPLE_MAX_AGE
    this.#now = options.now ?? defaultClock
    this.#localAddresses = options.localAddresses ?? []
    this.#reachability = options.reachability ?? 'unknown'
    this.#assumeOpen = options.assumeOpen ?? false
    if (this.#maxSamples < this.#minRemotes) throw HolepunchError.INVALID_ARGUMENT('maxSamples must be at least minRemotes')
  }

  /** The current verdict. */
  get verdict (): NatVerdict {
    return this.#verdict
  }

  /** The current NAT type. */
  get type (): NatVerdict['type'] {
    return this.#verdict.type
  }

  /** The kept samples (newest per remote), oldest update first. */
  get samples (): readonly NatSample[] {
    const out: NatSample[] = []
    for (let i = 0; i < this.#count; i++) out.push(this.#sample(i))
    return out
  }

  /**
   * Adds what remote `from` reported as our `address`; replaces that remote's previous sample.
   * Returns the (possibly new) verdict. Malformed samples throw `INVALID_ARGUMENT` (they come from
   * the wiring, not the network: it decodes the addresses first).
   */
  add (sample: NatSampleInput): NatVerdict {
    if (!isPeer(sample?.from) || !isPeer(sample?.address)) throw HolepunchError.INVALID_ARGUMENT('a NAT sample needs from and address as { host, port }')
    const at = sample.at ?? this.#now()
    const key = remoteKey(sample.from, this.#distinctHosts)
    // the remote's previous sample goes: the samples stay in update order, the stalest first
    for (let i = 0; i < this.#count; i++) {
      if (this.#strings[i * 3] === key) {
        this.#remove(i)
        break
      }
    }
    // most samples report the same address: keep one copy of its host string
    let host = sample.address.host
    if (this.#count > 0 && this.#strings[2] === host) host = this.#strings[2]
    if (this.#count === this.#maxSamples) this.#remove(0)
    if (this.#numbers.length === 0) {
      this.#strings = new Array<string>(this.#maxSamples * 3).fill('')
      this.#numbers = new Float64Array(this.#maxSamples * 3)
    }
    const i = this.#count++
    this.#strings[i * 3] = key
    this.#strings[i * 3 + 1] = sample.from.host
    this.#strings[i * 3 + 2] = host
    this.#numbers[i * 3] = sample.from.port
    this.#numbers[i * 3 + 1] = sample.address.port
    this.#numbers[i * 3 + 2] = at
    return this.#update()
  }

  /** Tells the classifier the reachability verdict (`open` needs `reachable`). */
  setReachability (reachability: Reachability): NatVerdict {
    this.#reachability = reachability
    return this.#update()
  }

  /** Sets our bound addresses (for `open`). */
  setLocalAddresses (addresses: readonly Peer[]): NatVerdict {
    this.#localAddresses = [...addresses]
    return this.#update()
  }

  /** Vouches (or stops vouching) that the public address accepts unsolicited datagrams. */
  setAssumeOpen (assumeOpen: boolean): NatVerdict {
    this.#assumeOpen = assumeOpen
    return this.#update()
  }

  /** Re-classifies now, dropping expired samples (call it from time to time; no timers here). */
  refresh (): NatVerdict {
    return this.#update()
  }

  /** Forgets every sample (after a stall or a network change); the verdict becomes `unknown`. */
  clear (): NatVerdict {
    this.#count = 0
    this.#strings.fill('')
    return this.#update()
  }

  #sample (i: number): NatSample {
    const n = this.#numbers
    return { from: { host: this.#strings[i * 3 + 1]!, port: n[i * 3]! }, address: { host: this.#strings[i * 3 + 2]!, port: n[i * 3 + 1]! }, at: n[i * 3 + 2]! }
  }

  /** Removes sample `i`, moving the later ones down (order kept). */
  #remove (i: number): void {
    const end = this.#count * 3
    this.#strings.copyWithin(i * 3, i * 3 + 3, end)
    this.#numbers.copyWithin(i * 3, i * 3 + 3, end)
    this.#count--
    this.#strings.fill('', this.#count * 3, end)
  }

  #update (): NatVerdict {
    const now = this.#now()
    for (let i = this.#count - 1; i >= 0; i--) {
      if (this.#numbers[i * 3 + 2]! < now - this.#maxAge) this.#remove(i)
    }
    const verdict = classifyNat(this.samples, {
      minRemotes: this.#minRemotes,
      distinctHosts: this.#distinctHosts,
      tolerance: this.#tolerance,
      now,
      maxAge: this.#maxAge,
      reachability: this.#reachability,
      localAddresses: this.#localAddresses,
      assumeOpen: this.#assumeOpen
    })
    const previous = this.#verdict
    this.#verdict = verdict
    const addressChanged = verdict.host !== previous.host || verdict.port !== previous.port
    if (addressChanged || verdict.type !== previous.type) this.emit('nat', { verdict, previous, addressChanged })
    return verdict
  }
}

function positiveInt (value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw HolepunchError.INVALID_ARGUMENT(`${name} must be a positive integer`)
  return value
}
