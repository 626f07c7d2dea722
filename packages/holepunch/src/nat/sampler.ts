// The live side of NAT classification: keeps a bounded set of samples (the newest per remote),
// re-classifies on every change and says when the verdict or the public address changed.
// No timers: time comes in with each sample or from the injected clock.
import { EventEmitter } from 'node:events'
import type { Peer } from '@hyperdht-ts/ip-encoding'
import { hostKey, isPeer } from '../address'
import { NAT_MAX_SAMPLES, NAT_MIN_REMOTES, NAT_OUTLIER_TOLERANCE, NAT_SAMPLE_MAX_AGE } from '../constants'
import { HolepunchError } from '../errors'
import { defaultClock } from '../timers'
import type { Clock, Reachability } from '../types'
import { classifyColumns, remoteKey, UNKNOWN_NAT, type NatSample, type NatVerdict, type SampleColumns } from './classifier'

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
   * The samples, oldest update first, as columns (sample `i` is entry `i` of each; a node keeps
   * up to `maxSamples` of them, sized on the first sample). The classifier reads the columns
   * directly: an object per sample, and a map of them, cost twice the memory, and building them
   * on every sample cost most of the time.
   */
  #columns: SampleColumns & { host: string[], hostKey: string[], port: number[], at: number[] } = { count: 0, host: [], hostKey: [], port: [], at: [] }
  /** Per sample: the remote's key (see remoteKey), host and port. */
  #remotes: string[] = []
  #fromHosts: string[] = []
  #fromPorts: number[] = []
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
    for (let i = 0; i < this.#columns.count; i++) out.push(this.#sample(i))
    return out
  }

  /**
   * Adds what remote `from` reported as our `address`; replaces that remote's previous sample.
   * Returns the (possibly new) verdict. Malformed samples throw `INVALID_ARGUMENT` (they come from
   * the wiring, not the network: it decodes the addresses first).
   */
  add (sample: NatSampleInput): NatVerdict {
    if (!isPeer(sample?.from) || !isPeer(sample?.address)) throw HolepunchError.INVALID_ARGUMENT('a NAT sample needs from and address as { host, port }')
    const now = this.#now()
    const at = sample.at ?? now
    const key = remoteKey(sample.from, this.#distinctHosts)
    const columns = this.#columns
    // the remote's previous sample goes: the samples stay in update order, the stalest first
    const previous = this.#remotes.indexOf(key)
    if (previous !== -1 && previous < columns.count) this.#remove(previous)
    if (columns.count === this.#maxSamples) this.#remove(0)
    if (this.#remotes.length === 0) this.#allocate()
    // most samples report the same address: keep one copy of its host string, normalized once
    let host = sample.address.host
    let hostKeyOfHost: string
    const last = columns.count - 1
    if (last >= 0 && columns.host[last] === host) {
      host = columns.host[last]!
      hostKeyOfHost = columns.hostKey[last]!
    } else {
      hostKeyOfHost = hostKey(host)
    }
    const i = columns.count++
    this.#remotes[i] = key
    this.#fromHosts[i] = sample.from.host
    this.#fromPorts[i] = sample.from.port
    columns.host[i] = host
    columns.hostKey[i] = hostKeyOfHost
    columns.port[i] = sample.address.port
    columns.at[i] = at
    return this.#update(now)
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
    this.#columns.count = 0
    this.#forget(0)
    return this.#update()
  }

  #sample (i: number): NatSample {
    const columns = this.#columns
    return { from: { host: this.#fromHosts[i]!, port: this.#fromPorts[i]! }, address: { host: columns.host[i]!, port: columns.port[i]! }, at: columns.at[i]! }
  }

  #allocate (): void {
    const n = this.#maxSamples
    this.#remotes = new Array<string>(n).fill('')
    this.#fromHosts = new Array<string>(n).fill('')
    this.#fromPorts = new Array<number>(n).fill(0)
    const columns = this.#columns
    columns.host = new Array<string>(n).fill('')
    columns.hostKey = new Array<string>(n).fill('')
    columns.port = new Array<number>(n).fill(0)
    // (a double from the start: times are not small integers)
    columns.at = new Array<number>(n).fill(0.5)
  }

  /** Removes sample `i`, moving the later ones down (order kept). */
  #remove (i: number): void {
    const columns = this.#columns
    const { host, hostKey: keys, port, at } = columns
    const remotes = this.#remotes
    const fromHosts = this.#fromHosts
    const fromPorts = this.#fromPorts
    const last = --columns.count
    for (let k = i; k < last; k++) {
      remotes[k] = remotes[k + 1]!
      fromHosts[k] = fromHosts[k + 1]!
      fromPorts[k] = fromPorts[k + 1]!
      host[k] = host[k + 1]!
      keys[k] = keys[k + 1]!
      port[k] = port[k + 1]!
      at[k] = at[k + 1]!
    }
    remotes[last] = fromHosts[last] = host[last] = keys[last] = ''
  }

  /** Lets go of the strings from `from` on (the slots are unused). */
  #forget (from: number): void {
    const columns = this.#columns
    this.#remotes.fill('', from)
    this.#fromHosts.fill('', from)
    columns.host.fill('', from)
    columns.hostKey.fill('', from)
  }

  #update (now = this.#now()): NatVerdict {
    const columns = this.#columns
    for (let i = columns.count - 1; i >= 0; i--) {
      if (columns.at[i]! < now - this.#maxAge) this.#remove(i)
    }
    const verdict = classifyColumns(columns, {
      minRemotes: this.#minRemotes,
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
