// One job: hold a UDP port mapping on the home router for our socket's port. Obtain it (NAT-PMP,
// then UPnP, as configured), renew it at half its lifetime, remove it on close, and say what
// happened as events. It never throws into its owner: a router that does not answer, refuses, or a
// missing optional library is a `failed` event and a retry later.
import { EventEmitter } from 'node:events'
import { HolepunchError } from '../errors'
import { defaultSchedule } from '../timers'
import type { Cancel, Logger, Schedule } from '../types'
import { defaultGateway, localAddressFor } from './gateway'
import { libraryBackends } from './nat-port-mapper'
import type { PortMapping, PortMappingBackend, PortMappingBackendFactory, PortMappingOptions, PortMappingProtocol, PortMappingState } from './types'

export const PORT_MAPPING_TTL = 7200
export const PORT_MAPPING_TIMEOUT = 5000
export const PORT_MAPPING_RETRY = 300_000
/** A failed renewal is tried again this soon (ms), while the mapping has not lapsed. */
const RENEW_RETRY = 30_000

export interface PortMapperOptions extends PortMappingOptions {
  /** The port to map (our socket's). */
  internalPort: number
  /** Our address on the LAN, when the socket is bound to one. @default the interface facing the gateway */
  internalHost?: string
  /** The protocol clients (tests inject fakes). @default `@achingbrain/nat-port-mapper`'s */
  backends?: PortMappingBackendFactory
  schedule?: Schedule
  now?: () => number
  logger?: Logger
}

/** Events of a {@link PortMapper}. */
export interface PortMapperEvents {
  /** A mapping was obtained, or a renewal changed its external address. */
  mapped: [mapping: PortMapping]
  /** An attempt found no router that would map the port (no mapping is held; retried later). */
  failed: [error: HolepunchError]
  /** The mapping is gone: removed on close, or lapsed because renewals failed. */
  removed: [mapping: PortMapping]
}

export class PortMapper extends EventEmitter<PortMapperEvents> {
  readonly #opts: PortMapperOptions
  readonly #protocols: PortMappingProtocol[]
  readonly #ttl: number
  readonly #timeout: number
  readonly #retry: number
  readonly #backends: PortMappingBackendFactory
  readonly #schedule: Schedule
  readonly #now: () => number
  readonly #log: Logger | undefined
  readonly #closing = new AbortController()
  #state: PortMappingState = { status: 'mapping', mapping: null, error: null }
  #backend: PortMappingBackend | null = null
  #internalHost: string | null = null
  #timer: Cancel | null = null
  #started = false
  #closed: Promise<void> | null = null
  #busy: Promise<void> = Promise.resolve()

  constructor (opts: PortMapperOptions) {
    super()
    if (!Number.isInteger(opts.internalPort) || opts.internalPort <= 0 || opts.internalPort > 65535) throw HolepunchError.INVALID_ARGUMENT('internalPort must be a port number')
    checkPortMappingOptions(opts)
    this.#opts = opts
    this.#protocols = [...new Set<PortMappingProtocol>(opts.protocols ?? ['pmp', 'upnp'])]
    this.#ttl = positive(opts.ttl, PORT_MAPPING_TTL, 'portMapping.ttl')
    this.#timeout = positive(opts.timeout, PORT_MAPPING_TIMEOUT, 'portMapping.timeout')
    this.#retry = positive(opts.retryInterval, PORT_MAPPING_RETRY, 'portMapping.retryInterval')
    this.#backends = opts.backends ?? libraryBackends
    this.#schedule = opts.schedule ?? defaultSchedule
    this.#now = opts.now ?? Date.now
    this.#log = opts.logger
  }

  /** Where it stands (a copy). */
  get state (): PortMappingState {
    return { ...this.#state, mapping: this.#state.mapping === null ? null : { ...this.#state.mapping } }
  }

  /** The mapping held now, if any. */
  get mapping (): PortMapping | null {
    return this.#state.mapping === null ? null : { ...this.#state.mapping }
  }

  /** Starts asking (once; later calls do nothing). */
  start (): void {
    if (this.#started || this.#closing.signal.aborted) return
    this.#started = true
    this.#run(async () => { await this.#obtain() })
  }

  /**
   * Stops renewing and removes the mapping from the router (bounded by `timeout`, or `signal`).
   * Never rejects; idempotent.
   */
  async close (opts: { signal?: AbortSignal } = {}): Promise<void> {
    this.#closed ??= this.#close(opts.signal)
    await this.#closed
  }

  async #close (signal: AbortSignal | undefined): Promise<void> {
    this.#closing.abort(HolepunchError.DESTROYED('PortMapper'))
    this.#timer?.()
    this.#timer = null
    await this.#busy // an attempt in flight ends at once: its signal follows #closing
    const mapping = this.#state.mapping
    const backend = this.#backend
    this.#backend = null
    this.#state = { status: 'closed', mapping: null, error: this.#state.error }
    if (mapping !== null && backend !== null) {
      try {
        await backend.unmap({ internalHost: mapping.internalHost, internalPort: mapping.internalPort, externalPort: mapping.externalPort, signal: timeoutSignal(this.#timeout, signal) })
        this.#log?.debug?.('holepunch: port mapping removed', { protocol: mapping.protocol, externalPort: mapping.externalPort })
      } catch (err) {
        // it lapses by itself at expiresAt
        this.#log?.warn?.('holepunch: could not remove the port mapping', { protocol: mapping.protocol, error: (err as Error).message })
      }
      this.emit('removed', mapping)
    }
    await backend?.close().catch(() => {})
  }

  /** Runs one step at a time; whatever it throws is logged, never thrown to the caller. */
  #run (step: () => Promise<void>): void {
    this.#busy = this.#busy.then(step).catch((err: unknown) => {
      this.#log?.warn?.('holepunch: port mapping step failed', { error: (err as Error)?.message })
    })
  }

  #later (ms: number, step: () => Promise<void>): void {
    this.#timer?.()
    if (this.#closing.signal.aborted) return
    this.#timer = this.#schedule(() => {
      this.#timer = null
      this.#run(step)
    }, ms)
  }

  async #obtain (): Promise<void> {
    this.#state = { ...this.#state, status: 'mapping' }
    const gateway = this.#opts.gateway ?? defaultGateway()
    let last: unknown = null
    for (const protocol of this.#protocols) {
      if (this.#closing.signal.aborted) return
      let backend: PortMappingBackend | null = null
      try {
        const signal = timeoutSignal(this.#timeout, this.#closing.signal)
        backend = await this.#backends(protocol, { gateway, signal })
        const internalHost = this.#opts.internalHost ?? localAddressFor(backend.gatewayHost ?? gateway)
        if (internalHost === null) throw HolepunchError.PORT_MAPPING_FAILED('No IPv4 address to map the port to')
        const granted = await backend.map({ internalHost, internalPort: this.#opts.internalPort, ttl: this.#ttl, description: this.#opts.description ?? 'hyperdht-ts', signal: timeoutSignal(this.#timeout, this.#closing.signal) })
        if (this.#closing.signal.aborted) {
          // closed while the router was granting it: take it back
          await backend.unmap({ internalHost, internalPort: this.#opts.internalPort, externalPort: granted.externalPort, signal: timeoutSignal(this.#timeout) }).catch(() => {})
          await backend.close().catch(() => {})
          return
        }
        this.#backend = backend
        this.#internalHost = internalHost
        this.#hold(protocol, internalHost, granted)
        return
      } catch (err) {
        await backend?.close().catch(() => {})
        if (this.#closing.signal.aborted) return
        last = err
        this.#log?.debug?.('holepunch: port mapping attempt failed', { protocol, error: (err as Error)?.message })
      }
    }
    // a missing library says so; anything else is "no router mapped it", with the last refusal as cause
    const error = HolepunchError.isInstance(last) && last.code === 'PORT_MAPPING_UNAVAILABLE'
      ? last
      : HolepunchError.PORT_MAPPING_FAILED(`No gateway mapped UDP port ${this.#opts.internalPort} (tried ${this.#protocols.join(', ')})`, last)
    this.#state = { status: 'failed', mapping: null, error }
    this.#log?.info?.('holepunch: port mapping failed', { error: error.message, cause: (error.cause as Error | undefined)?.message, retryIn: this.#retry })
    this.emit('failed', error)
    this.#later(this.#retry, async () => { await this.#obtain() })
  }

  #hold (protocol: PortMappingProtocol, internalHost: string, granted: { externalHost: string, externalPort: number, ttl: number }): void {
    const previous = this.#state.mapping
    const ttl = granted.ttl > 0 ? granted.ttl : this.#ttl
    const mapping: PortMapping = {
      protocol,
      externalHost: granted.externalHost,
      externalPort: granted.externalPort,
      internalHost,
      internalPort: this.#opts.internalPort,
      ttl,
      expiresAt: this.#now() + ttl * 1000
    }
    this.#state = { status: 'mapped', mapping, error: null }
    this.#later(ttl * 500, async () => { await this.#renew() })
    const changed = previous === null || previous.externalHost !== mapping.externalHost || previous.externalPort !== mapping.externalPort || previous.protocol !== protocol
    if (!changed) {
      this.#log?.debug?.('holepunch: port mapping renewed', { protocol, ttl })
      return
    }
    this.#log?.info?.('holepunch: port mapped', { protocol, external: `${mapping.externalHost}:${mapping.externalPort}`, internal: `${internalHost}:${mapping.internalPort}`, ttl })
    this.emit('mapped', { ...mapping })
  }

  async #renew (): Promise<void> {
    const backend = this.#backend
    const mapping = this.#state.mapping
    const internalHost = this.#internalHost
    if (backend === null || mapping === null || internalHost === null) return await this.#obtain()
    try {
      const granted = await backend.map({ internalHost, internalPort: mapping.internalPort, ttl: this.#ttl, description: this.#opts.description ?? 'hyperdht-ts', signal: timeoutSignal(this.#timeout, this.#closing.signal) })
      if (this.#closing.signal.aborted) return
      this.#hold(mapping.protocol, internalHost, granted)
    } catch (err) {
      if (this.#closing.signal.aborted) return
      const left = mapping.expiresAt - this.#now()
      this.#log?.debug?.('holepunch: port mapping renewal failed', { protocol: mapping.protocol, error: (err as Error)?.message, leftMs: left })
      if (left > RENEW_RETRY) {
        this.#later(Math.min(RENEW_RETRY, left / 2), async () => { await this.#renew() })
        return
      }
      // it lapses: say so, and start over (another protocol may work now)
      this.#backend = null
      await backend.close().catch(() => {})
      this.#state = { status: 'failed', mapping: null, error: HolepunchError.PORT_MAPPING_FAILED('The port mapping could not be renewed', err) }
      this.emit('removed', mapping)
      this.#later(0, async () => { await this.#obtain() })
    }
  }
}

/** Throws `INVALID_ARGUMENT` for options a {@link PortMapper} would refuse. */
export function checkPortMappingOptions (opts: PortMappingOptions): void {
  if (typeof opts !== 'object' || opts === null) throw HolepunchError.INVALID_ARGUMENT('portMapping must be a boolean or an options object')
  const protocols = opts.protocols ?? ['pmp', 'upnp']
  if (!Array.isArray(protocols) || protocols.length === 0 || protocols.some((p) => p !== 'pmp' && p !== 'upnp')) {
    throw HolepunchError.INVALID_ARGUMENT("portMapping.protocols must list 'pmp' and/or 'upnp'")
  }
  positive(opts.ttl, PORT_MAPPING_TTL, 'portMapping.ttl')
  positive(opts.timeout, PORT_MAPPING_TIMEOUT, 'portMapping.timeout')
  positive(opts.retryInterval, PORT_MAPPING_RETRY, 'portMapping.retryInterval')
  if (opts.gateway !== undefined && typeof opts.gateway !== 'string') throw HolepunchError.INVALID_ARGUMENT('portMapping.gateway must be an IPv4 address')
}

function positive (value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) throw HolepunchError.INVALID_ARGUMENT(`${name} must be a positive number`)
  return value
}

/** A signal that aborts after `ms`, or with `parent`. */
function timeoutSignal (ms: number, parent?: AbortSignal): AbortSignal {
  const ac = new AbortController()
  const timer = setTimeout(() => ac.abort(HolepunchError.TIMEOUT(`No answer from the router in ${ms} ms`)), ms)
  timer.unref?.()
  if (parent !== undefined) {
    if (parent.aborted) ac.abort(parent.reason)
    else parent.addEventListener('abort', () => ac.abort(parent.reason), { once: true })
  }
  ac.signal.addEventListener('abort', () => clearTimeout(timer), { once: true })
  return ac.signal
}
