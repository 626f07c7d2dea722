// The wiring: NAT sampling, reachability probes and the mode controller on a dht-rpc node, and
// punching + connections through its socket. Everything decided here comes from the pure
// modules; this class only feeds them what the network says and carries out what they decide.
import { randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { networkInterfaces } from 'node:os'
import type { DHT } from '@hyperdht-ts/dht-rpc'
import { punchAddress, sameAddress } from './address'
import { BIRTHDAY_BUSY_RETRY, CLOSE_TIMEOUT, MAX_LAN_ADDRESSES, OPEN_RESEND_INTERVAL, OPEN_TIMEOUT, PUNCH_TIMEOUT, REACH_FIRST_DELAY, REACH_INTERVAL, SIGNAL_TIMEOUT, STALL_TICK } from './constants'
import { Connection } from './connection/connection'
import { encodeFrame, FRAME_TYPE } from './connection/frame'
import type { ReliableChannelOptions } from './connection/reliable-channel'
import { FrameRouter } from './connection/router'
import { HolepunchError } from './errors'
import { DhtPort, type DatagramPort } from './io/port'
import { Addresses, ANSWER, decodeNat, encodeNat, PunchAnswer, type PunchOffer } from './messages/index'
import { ModeController, type ModeChange } from './mode/controller'
import { checkPortMappingOptions, PortMapper } from './port-mapping/port-mapper'
import type { PortMappingBackendFactory, PortMappingChange, PortMappingOptions, PortMappingState } from './port-mapping/types'
import { StallDetector } from './mode/stall-detector'
import { NatSampler, type NatChange } from './nat/sampler'
import { runPlan, type PathFound } from './punch/attempts'
import { BirthdayLimiter } from './punch/birthday'
import { Signalling, type AnnounceCheck } from './punch/signal'
import { planPunch, type PlanPunchOptions, type PunchPeerInfo, type PunchPlan } from './punch/strategy'
import { ReachabilityService } from './reachability/probe'
import { ReachabilityTracker, type ReachabilityChange } from './reachability/verdict'
import type { ConnectionPath, CreateSocket, Logger, Mode, ModeSetting, NatType, Peer, Reachability } from './types'

export interface HolepuncherOptions {
  /** `client`, `server`, or `auto` (client until reachable with a consistent or open mapping). @default 'auto' */
  mode?: ModeSetting
  /** Mode controller timers (ms): see `ModeController`. */
  promoteAfter?: number
  demoteAfter?: number
  minDwell?: number
  stallThreshold?: number
  /** Between reachability rounds in `auto` mode (ms). @default 60000 */
  reachInterval?: number
  /** Before the first round, once bootstrapped (ms). @default 1000 */
  reachFirstDelay?: number
  /** Helpers asked per round. @default 5 */
  reachHelpers?: number
  /** How long to wait for a stranger's dialback (ms). @default 2000 */
  dialbackWait?: number
  /** Agreeing helpers (distinct hosts) needed to believe reachable / unreachable. @default 3 */
  confirmations?: number
  /** Distinct remotes needed for a NAT verdict. @default 3 */
  minRemotes?: number
  /**
   * Count remotes and helpers by host:port instead of host: only for a test network where every
   * node shares one IP (loopback without 127/8 aliases). Never on a real network. @default false
   */
  relaxDistinct?: boolean
  /** Our LAN addresses to offer peers behind the same NAT: given, or found from the interfaces. @default 'auto' */
  lanAddresses?: Peer[] | 'auto'
  /** Probing of one punch stage (ms). @default 4000 */
  punchTimeout?: number
  /** Birthday attempt sizes (see `planPunch`). */
  birthday?: Pick<PlanPunchOptions, 'sockets' | 'probes' | 'probeInterval'>
  /**
   * Opens the extra UDP sockets: a stranger's reachability dialback and the sockets of a birthday
   * attempt. Give a `MemoryNetwork`'s `createSocket` to run on the in-memory network.
   * @default `dgram.createSocket`
   */
  createSocket?: CreateSocket
  /** Connection timers (keepalive, idle timeout, ...). */
  channel?: Partial<Omit<ReliableChannelOptions, 'id' | 'send' | 'remoteAddress' | 'initialRtt'>>
  /**
   * Ask the home router for a UDP port mapping of our socket's port (NAT-PMP, then UPnP), renew
   * it and remove it on `destroy()`. Once mapped, reachability is probed again at once, so that
   * helpers confirm the mapping works before `auto` mode promotes us. IPv4 only; needs the
   * optional dependency `@achingbrain/nat-port-mapper`. `true` takes every default. @default false
   */
  portMapping?: boolean | (PortMappingOptions & {
    /** @internal the protocol clients (tests inject fakes) */
    backends?: PortMappingBackendFactory
  })
  logger?: Logger
}

/** Events of a {@link Holepuncher}. */
export interface HolepuncherEvents {
  /** The mode switched (client <-> server). */
  mode: [change: ModeChange]
  /** The NAT verdict or the public address changed. */
  nat: [change: NatChange]
  /** The reachability verdict changed. */
  reachability: [change: ReachabilityChange]
  /** A connection was accepted on a key we listen on. */
  connection: [conn: Connection]
  /** With `portMapping`: a mapping was obtained (or its external address changed), an attempt failed, or the mapping is gone. */
  portmapping: [change: PortMappingChange]
}

/** What a punch found. */
export interface PunchResult {
  remoteAddress: Peer
  path: ConnectionPath
  rtt: number
}

/** Who to connect to: a peer announced under `key` on `referrer`. */
export interface ConnectTarget {
  key: Uint8Array
  /** The peer as the referrer stores it (a lookup's `peers` entry). */
  peer: Peer
  /** The node that answered the lookup with that peer. */
  referrer: Peer
  /** The referrer's roundtrip token for us (a lookup result's `token`): proves our address to it. */
  token?: Uint8Array | null
  /** The peer's LAN addresses as the lookup gave them (used when the referrer cannot signal). */
  lanAddresses?: Peer[]
}

/** The events of a {@link Listener}. */
export interface ListenerEvents {
  connection: [conn: Connection]
  close: []
}

/** Accepts connections on one key; iterate it, or listen for `connection`. */
export class Listener extends EventEmitter<ListenerEvents> implements AsyncIterable<Connection> {
  readonly key: Uint8Array
  readonly #onclose: () => void
  #closed = false
  #queue: Connection[] = []
  #wake: (() => void) | null = null

  /** @internal */
  constructor (key: Uint8Array, onclose: () => void) {
    super()
    this.key = key
    this.#onclose = onclose
  }

  get closed (): boolean {
    return this.#closed
  }

  /** @internal */
  accept (conn: Connection): void {
    this.#queue.push(conn)
    // a listener used through its events is never iterated: a connection that closes before
    // anyone took it leaves the queue, so the queue holds only open connections
    conn.once('close', () => {
      const i = this.#queue.indexOf(conn)
      if (i !== -1) this.#queue.splice(i, 1)
    })
    this.#wake?.()
    this.emit('connection', conn)
  }

  async * [Symbol.asyncIterator] (): AsyncGenerator<Connection> {
    for (;;) {
      const next = this.#queue.shift()
      if (next !== undefined) {
        yield next
        continue
      }
      if (this.#closed) return
      await new Promise<void>((resolve) => { this.#wake = resolve })
      this.#wake = null
    }
  }

  /** Stops accepting (open connections stay open). */
  close (): void {
    if (this.#closed) return
    this.#closed = true
    this.#onclose()
    this.#wake?.()
    this.emit('close')
  }
}

interface Accepting {
  /** The key (hex), and the initiator as the referrer saw it: a repeat of the offer has both. */
  hex: string
  observed: Peer | null
  remote: PunchPeerInfo
  stop: AbortController
  /** Our answer: a repeat of the offer gets it again. */
  answer: Uint8Array
}

interface Sessions {
  listeners: Map<string, Listener>
  accepting: Map<number, Accepting>
  pending: Set<AbortController>
  /** Ids of the offers we are making: one reaching our own listener means the peer is us. */
  offering: Set<number>
}

/** How the stall watch reaches a holepuncher (set by the class's static block). */
let onStall: (h: Holepuncher, gap: number) => void

export class Holepuncher extends EventEmitter<HolepuncherEvents> {
  readonly dht: DHT
  readonly #opts: HolepuncherOptions
  readonly #family: 4 | 6
  readonly #addresses: Addresses
  readonly #sampler: NatSampler
  /** Reachability evidence: created by the first probe report (a node in a fixed mode may never probe). */
  #reachTracker: ReachabilityTracker | null = null
  readonly #mode: ModeController

  /** Frames of punches and connections: created by the first one (most nodes never connect). */
  #frameRouter: FrameRouter | null = null
  readonly #port: DhtPort
  readonly #reach: ReachabilityService
  readonly #signal: Signalling
  readonly #birthday = new BirthdayLimiter()
  /** Listeners, offers being accepted, calls in progress and offers being made: created on first use (most nodes never connect). */
  #sessions: Sessions | null = null
  #reachTimer: NodeJS.Timeout | null = null
  #reachRound: AbortController | null = null
  /** Probe again soon after the round in flight (something changed under it, e.g. a port mapping). */
  #reachSoon = false
  #portMapper: PortMapper | null = null
  #destroyed = false
  #log: Logger | undefined

  constructor (dht: DHT, opts: HolepuncherOptions = {}) {
    super()
    this.dht = dht
    this.#opts = opts
    this.#log = opts.logger
    if (opts.portMapping !== undefined && typeof opts.portMapping !== 'boolean') checkPortMappingOptions(opts.portMapping)
    this.#family = dht.family
    this.#addresses = new Addresses(this.#family)
    const relax = opts.relaxDistinct ?? false
    this.#sampler = new NatSampler({ minRemotes: opts.minRemotes, distinctHosts: !relax })
    this.#mode = new ModeController({
      mode: opts.mode ?? 'auto',
      promoteAfter: opts.promoteAfter,
      demoteAfter: opts.demoteAfter,
      minDwell: opts.minDwell,
      stallThreshold: opts.stallThreshold,
      logger: opts.logger
    })
    this.#port = new DhtPort(dht, (bytes, from, port) => { this.#router().receive(bytes, from, port) })
    this.#reach = new ReachabilityService(dht, this.#family, {
      helpers: opts.reachHelpers,
      minHelpers: opts.confirmations,
      dialbackWait: opts.dialbackWait,
      relaxDistinct: relax,
      createSocket: opts.createSocket,
      logger: opts.logger
    })
    this.#signal = new Signalling(dht, this.#family, (key, offer, referrer) => this.#onOffer(key, offer, referrer))

    dht.ephemeral = this.#mode.mode === 'client'
    this.#mode.on('mode', (change) => {
      if (this.#destroyed) return
      dht.ephemeral = change.mode === 'client'
      this.#log?.info?.('holepunch: mode switched', { mode: change.mode, reason: change.reason })
      this.emit('mode', change)
    })
    this.#sampler.on('nat', (change) => {
      this.#mode.setNat(change.verdict)
      if (change.addressChanged && change.previous.host !== null) this.#reachTracker?.reset() // evidence was for the old address
      this.emit('nat', change)
    })
    dht.on('observed-address', this.#onObserved)
    dht.on('listening', this.#onListening)
    dht.on('ready', this.#onReady)
    dht.on('close', () => { void this.destroy() })
    if (dht.bootstrapped) this.#onReady()
    try {
      dht.address()
      this.#onListening()
    } catch {}

    watchStalls(this)
  }

  /** An event-loop stall of `gap` ms (one watch for every holepuncher of the process). */
  #onStall (gap: number): void {
    if (this.#mode.reportStall(gap)) {
      // a sleeping laptop: its mappings and our evidence are gone
      this.#sampler.clear()
      this.#reachTracker?.reset()
    }
  }

  get #tracker (): ReachabilityTracker {
    if (this.#reachTracker === null) {
      const tracker = this.#reachTracker = new ReachabilityTracker({ confirmations: this.#opts.confirmations, distinctHosts: this.#opts.relaxDistinct !== true })
      tracker.on('reachability', (change) => {
        this.#sampler.setReachability(change.reachability)
        this.#mode.setReachability(change.reachability)
        this.emit('reachability', change)
      })
    }
    return this.#reachTracker
  }

  /** The role we play now. */
  get mode (): Mode {
    return this.#mode.mode
  }

  /** The configured mode (`auto` switches at run time). */
  get modeSetting (): ModeSetting {
    return this.#mode.setting
  }

  /** Our NAT mapping type, from what remote nodes report. */
  get natType (): NatType {
    return this.#sampler.type
  }

  /** Our public address, once remote nodes agree on it. */
  get publicAddress (): Peer | null {
    const v = this.#sampler.verdict
    return v.host === null ? null : { host: v.host, port: v.port ?? 0 }
  }

  /** Whether strangers can reach us, as reachability probes established. */
  get reachability (): Reachability {
    return this.#reachTracker?.reachability ?? 'unknown'
  }

  /** With `portMapping`: where the port mapping stands (`null` when it is off, or before the socket is bound). */
  get portMapping (): PortMappingState | null {
    return this.#portMapper?.state ?? null
  }

  /** Counters of the probes, signalling and frames. */
  get stats (): { reach: ReachabilityService['stats'], signal: Signalling['stats'], frames: FrameRouter['stats'], connections: number } {
    const router = this.#frameRouter
    return {
      reach: { ...this.#reach.stats },
      signal: { ...this.#signal.stats },
      frames: router?.stats ?? { frames: 0, dropped: { invalid: 0, unknownConnection: 0, rateLimited: 0 }, probesAnswered: 0 },
      connections: router?.size ?? 0
    }
  }

  /** Whom we relay offers to as a referrer: a peer announced on us under the key (hyperdht's store). */
  set announced (fn: AnnounceCheck) {
    this.#signal.announced = fn
  }

  /** Switches the mode setting at run time. */
  setMode (mode: ModeSetting): void {
    this.#mode.setSetting(mode)
    this.#scheduleReach()
  }

  /** Runs a reachability round now (in any mode); resolves with the verdict after it. */
  async checkReachability (opts: { signal?: AbortSignal } = {}): Promise<Reachability> {
    const reports = await this.#reach.round(opts.signal)
    for (const r of reports) this.#tracker.report(r)
    return this.#tracker.reachability
  }

  /** Accepts connections on `key` until the listener is closed. */
  listen (key: Uint8Array): Listener {
    this.#check()
    checkKey(key)
    const hex = Buffer.from(key).toString('hex')
    const { listeners } = this.#used()
    if (listeners.has(hex)) throw HolepunchError.INVALID_ARGUMENT('already listening on this key')
    const listener = new Listener(new Uint8Array(key), () => listeners.delete(hex))
    listeners.set(hex, listener)
    return listener
  }

  /**
   * Establishes a two-way path to `peer`, coordinated through `referrer`: our signalling when the
   * referrer speaks it (NAT types exchanged, both sides punch, a birthday attempt if one side is
   * random), else the classic `_ping` forwarding. Rejects with `HOLEPUNCH_FAILED`,
   * `BOTH_NATS_RANDOM`, `PEER_NOT_FOUND` (not listening there, or the peer is this node),
   * `RATE_LIMITED` (the listener has no birthday attempt to spare, or the referrer's relay budget
   * for us is spent; the message says when to retry) or `ABORTED`.
   */
  async punch (target: ConnectTarget, opts: { signal?: AbortSignal } = {}): Promise<PunchResult> {
    return await this.#cancellable(opts.signal, async (signal) => {
      const { found } = await this.#punch(target, randomId(this.#router()), signal)
      // a path found from one of the birthday sockets is of no use to the caller, who only gets
      // the address (connect() keeps it for its connection): close it rather than leak it
      if (found.port.kind === 'extra') found.port.close()
      return { remoteAddress: found.remote, path: found.path, rtt: found.rtt }
    })
  }

  /** Punches (see {@link punch}), then opens a connection to the peer listening on `target.key`. */
  async connect (target: ConnectTarget, opts: { signal?: AbortSignal } = {}): Promise<Connection> {
    return await this.#cancellable(opts.signal, async (signal) => {
      const id = randomId(this.#router())
      const { found } = await this.#punch(target, id, signal)
      return await this.#open(id, target.key, found, signal)
    })
  }

  /** Runs `fn` with a signal that fires on the caller's signal or on {@link destroy}. */
  async #cancellable<T> (outer: AbortSignal | undefined, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    this.#check()
    const ac = new AbortController()
    const onabort = (): void => ac.abort(outer?.reason)
    outer?.addEventListener('abort', onabort, { once: true })
    if (outer?.aborted === true) ac.abort(outer.reason)
    const { pending } = this.#used()
    pending.add(ac)
    try {
      return await fn(ac.signal)
    } finally {
      pending.delete(ac)
      outer?.removeEventListener('abort', onabort)
    }
  }

  // A method, not a getter: V8 (Node 20) does not inline private accessors, and every frame received asks.
  #router (): FrameRouter {
    return this.#frameRouter ??= new FrameRouter((id, key, from, port) => this.#onOpen(id, key, from, port))
  }

  static {
    onStall = (h, gap) => h.#onStall(gap)
  }

  #used (): Sessions {
    return this.#sessions ??= { listeners: new Map(), accepting: new Map(), pending: new Set(), offering: new Set() }
  }

  /** Stops probes, listeners, punches and connections; the DHT is left alone. Idempotent. */
  async destroy (): Promise<void> {
    if (this.#destroyed) return
    this.#destroyed = true
    unwatchStalls(this)
    if (this.#reachTimer !== null) clearTimeout(this.#reachTimer)
    this.#reachRound?.abort()
    this.#mode.destroy()
    const unmapping = this.#portMapper?.close()
    const sessions = this.#sessions
    if (sessions !== null) {
      for (const ac of sessions.pending) ac.abort(HolepunchError.DESTROYED('Holepuncher'))
      for (const a of sessions.accepting.values()) a.stop.abort()
      for (const l of [...sessions.listeners.values()]) l.close()
    }
    for (const c of this.#frameRouter?.connections() ?? []) c.destroy(HolepunchError.DESTROYED('Holepuncher'))
    this.#frameRouter?.clear()
    this.#port.close()
    this.#reach.close()
    this.#signal.close()
    this.dht.off('observed-address', this.#onObserved)
    this.dht.off('listening', this.#onListening)
    this.dht.off('ready', this.#onReady)
    await unmapping
  }

  // ---- internals ----

  #check (): void {
    if (this.#destroyed || this.dht.destroyed) throw HolepunchError.DESTROYED('Holepuncher')
  }

  #onObserved = (address: Peer, from: Peer): void => {
    try {
      this.#sampler.add({ from, address })
    } catch {} // an address the sampler cannot use
  }

  #onListening = (): void => {
    this.#sampler.setLocalAddresses(this.#boundAddresses())
    this.#startPortMapping()
  }

  /** With `portMapping`, once the socket has its port: map it on the router. */
  #startPortMapping (): void {
    const opts = this.#opts.portMapping
    if (opts === undefined || opts === false || this.#portMapper !== null || this.#destroyed) return
    if (this.#family !== 4) {
      this.#log?.info?.('holepunch: port mapping is IPv4 only; not mapping')
      return
    }
    let bound: { host: string, port: number }
    try {
      bound = this.dht.address()
    } catch {
      return
    }
    const mapper = new PortMapper({
      ...(opts === true ? {} : opts),
      internalPort: bound.port,
      internalHost: bound.host === '0.0.0.0' ? undefined : bound.host,
      logger: this.#log
    })
    this.#portMapper = mapper
    mapper.on('mapped', (mapping) => {
      if (this.#destroyed) return
      const observed = this.publicAddress
      if (observed !== null && observed.port !== mapping.externalPort) {
        // peers reach us at the port they observe; a mapping of another port does not help them
        this.#log?.warn?.('holepunch: the router mapped another external port than the one peers see', { mapped: mapping.externalPort, observed: observed.port })
      }
      this.emit('portmapping', { status: 'mapped', mapping })
      this.#probeSoon()
    })
    mapper.on('failed', (error) => {
      if (!this.#destroyed) this.emit('portmapping', { status: 'failed', error })
    })
    mapper.on('removed', (mapping) => {
      this.emit('portmapping', { status: 'removed', mapping })
      if (!this.#destroyed) this.#probeSoon()
    })
    mapper.start()
  }

  /** Reachability changed under us (a port mapping came or went): probe again soon, not at the next interval. */
  #probeSoon (): void {
    if (this.#mode.setting !== 'auto' || this.#destroyed) return
    if (this.#reachRound !== null) {
      this.#reachSoon = true // the round in flight started before the change
      return
    }
    if (this.dht.bootstrapped) this.#scheduleReach(this.#opts.reachFirstDelay ?? REACH_FIRST_DELAY)
  }

  #onReady = (): void => {
    this.#scheduleReach(this.#opts.reachFirstDelay ?? REACH_FIRST_DELAY)
  }

  /** In `auto` mode, reachability rounds run on a timer. */
  #scheduleReach (delay = this.#opts.reachInterval ?? REACH_INTERVAL): void {
    if (this.#reachTimer !== null) clearTimeout(this.#reachTimer)
    this.#reachTimer = null
    if (this.#destroyed || this.#mode.setting !== 'auto') return
    this.#reachTimer = setTimeout(() => {
      this.#reachTimer = null
      const round = new AbortController()
      this.#reachRound = round
      this.#reach.round(round.signal).then((reports) => {
        for (const r of reports) this.#tracker.report(r)
        this.#tracker.refresh()
      }, () => {}).finally(() => {
        if (this.#reachRound === round) this.#reachRound = null
        const soon = this.#reachSoon
        this.#reachSoon = false
        this.#scheduleReach(soon ? (this.#opts.reachFirstDelay ?? REACH_FIRST_DELAY) : undefined)
      })
    }, delay)
    this.#reachTimer.unref()
  }

  /** Our addresses on the socket: the bound one, or every interface's when bound to a wildcard. */
  #boundAddresses (): Peer[] {
    let bound: { host: string, port: number }
    try {
      bound = this.dht.address()
    } catch {
      return []
    }
    if (bound.host !== '0.0.0.0' && bound.host !== '::') return [{ host: bound.host, port: bound.port }]
    const out: Peer[] = []
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) {
        if (a.internal || (a.family === 'IPv4') !== (this.#family === 4)) continue
        out.push({ host: a.address, port: bound.port })
      }
    }
    return out
  }

  #lanAddresses (): Peer[] {
    const given = this.#opts.lanAddresses
    if (Array.isArray(given)) return given.slice(0, MAX_LAN_ADDRESSES)
    return this.#boundAddresses().slice(0, MAX_LAN_ADDRESSES)
  }

  /** Our facts for a plan. */
  #localInfo (): PunchPeerInfo {
    const v = this.#sampler.verdict
    return { nat: v.type, publicAddress: v.host === null ? null : { host: v.host, port: v.port }, lanAddresses: this.#lanAddresses() }
  }

  async #punch (target: ConnectTarget, id: number, signal: AbortSignal | undefined): Promise<{ found: PathFound }> {
    this.#check()
    checkKey(target.key)
    const local = this.#localInfo()
    const offer: PunchOffer = {
      id,
      peer: this.#addresses.encode(target.peer),
      nat: encodeNat(local.nat),
      address: local.publicAddress?.host != null && local.publicAddress.port != null ? this.#addresses.encode({ host: local.publicAddress.host, port: local.publicAddress.port }) : null,
      lan: this.#addresses.encodeList(local.lanAddresses ?? [])
    }
    let answer: Required<PunchAnswer> | null = null
    const { offering } = this.#used()
    offering.add(id)
    try {
      answer = await this.#signal.offer(target.key, offer, target.referrer, { token: target.token, signal, timeout: SIGNAL_TIMEOUT })
    } catch (err) {
      if (signal?.aborted === true) throw HolepunchError.ABORTED(signal.reason)
      this.#log?.debug?.('holepunch: referrer did not answer the offer', { referrer: `${target.referrer.host}:${target.referrer.port}`, error: (err as Error).message })
    } finally {
      offering.delete(id)
    }
    let remote: PunchPeerInfo
    if (answer === null) {
      // a referrer that does not speak our signalling (a reference node): the classic forwarding
      // makes the peer answer us directly, which opens its NAT towards us
      await this.dht.holepunch(target.peer, target.referrer, { signal }).catch(() => {})
      remote = { nat: 'unknown', publicAddress: target.peer, lanAddresses: target.lanAddresses ?? [] }
    } else if (answer.status === ANSWER.ACCEPTED) {
      const observed = this.#addresses.decode(answer.observed) ?? target.peer
      const claimed = this.#addresses.decode(answer.address)
      remote = {
        nat: decodeNat(answer.nat),
        publicAddress: punchAddress(claimed, observed),
        lanAddresses: this.#addresses.decodeList(answer.lan, MAX_LAN_ADDRESSES),
        verified: answer.verified === true
      }
    } else if (answer.status === ANSWER.RATE_LIMITED) {
      const wait = answer.retryAfter ?? undefined
      throw HolepunchError.RATE_LIMITED(`The peer (or its referrer) is rate limiting connection attempts${wait !== undefined ? `; retry in ${wait} ms` : ''}`, target.peer, wait)
    } else if (answer.status === ANSWER.SELF) {
      throw HolepunchError.PEER_NOT_FOUND(SELF_PEER_MESSAGE, target.peer)
    } else if (answer.status === ANSWER.NOT_LISTENING || answer.status === ANSWER.UNKNOWN_PEER) {
      throw HolepunchError.PEER_NOT_FOUND(answer.status === ANSWER.NOT_LISTENING ? 'The peer does not listen on that key' : 'The referrer does not know that peer', target.peer)
    } else {
      throw HolepunchError.HOLEPUNCH_FAILED('The peer refused', { peer: target.peer })
    }
    const found = await this.#runPlan(id, local, remote, signal)
    return { found }
  }

  /**
   * Admits a punch between `local` and `remote`: when it takes a birthday attempt, a slot of the
   * birthday limiter, or `RATE_LIMITED` (with the wait) at once, rather than a plain punch that
   * cannot work against a random NAT and would only run out its timeout.
   */
  #admit (local: PunchPeerInfo, remote: PunchPeerInfo): { plan: PunchPlan, release: () => void } | { limited: string, retryAfter: number | null } {
    const plan = planPunch(local, remote, { ...this.#opts.birthday, allowBirthday: true })
    if (!plan.stages.some((stage) => stage.some((a) => a.kind === 'birthday'))) return { plan, release: () => {} }
    const admission = this.#birthday.tryAcquire()
    if (admission.ok) return { plan, release: () => admission.permit.release() }
    return admission.reason === 'busy'
      ? { limited: 'A birthday attempt is already running', retryAfter: null }
      : { limited: 'Too many birthday attempts', retryAfter: Math.ceil(admission.retryAfter ?? 0) }
  }

  async #runPlan (id: number, local: PunchPeerInfo, remote: PunchPeerInfo, signal: AbortSignal | undefined, admitted?: { plan: PunchPlan, release: () => void }): Promise<PathFound> {
    const admission = admitted ?? this.#admit(local, remote)
    if ('limited' in admission) {
      const at = remote.publicAddress
      const peer = at?.host != null && at.port != null ? { host: at.host, port: at.port } : undefined
      throw HolepunchError.RATE_LIMITED(`${admission.limited}${admission.retryAfter !== null ? `; retry in ${admission.retryAfter} ms` : ''}`, peer, admission.retryAfter ?? undefined)
    }
    const { plan, release } = admission
    this.#log?.debug?.('holepunch: plan', { reason: plan.reason, stages: plan.stages.map((s) => s.map((a) => a.kind).join('+')) })
    const ac = new AbortController()
    const onabort = (): void => ac.abort(signal?.reason)
    signal?.addEventListener('abort', onabort, { once: true })
    if (signal?.aborted === true) ac.abort(signal.reason)
    try {
      return await runPlan({
        router: this.#router(),
        port: this.#port,
        id,
        family: this.#family,
        bindHost: this.#bindHost(),
        createSocket: this.#opts.createSocket,
        receive: this.#router().receive,
        signal: ac.signal,
        peerHosts: remote.publicAddress?.host != null ? [remote.publicAddress.host] : []
      }, plan, this.#opts.punchTimeout ?? PUNCH_TIMEOUT)
    } finally {
      signal?.removeEventListener('abort', onabort)
      release()
    }
  }

  #bindHost (): string | undefined {
    try {
      const host = this.dht.address().host
      return host === '0.0.0.0' || host === '::' ? undefined : host
    } catch {
      return undefined
    }
  }

  /** Sends OPEN over the path until the listener accepts (or refuses). */
  async #open (id: number, key: Uint8Array, found: PathFound, signal: AbortSignal): Promise<Connection> {
    const frame = encodeFrame({ type: FRAME_TYPE.OPEN, id, seq: 0, ack: 0, payload: key })
    const accepted = await new Promise<boolean | null>((resolve) => {
      const stop = this.#router().onOpen(id, (ok) => done(ok))
      const timer = setInterval(() => found.port.send(frame, found.remote), OPEN_RESEND_INTERVAL)
      const deadline = setTimeout(() => done(null), OPEN_TIMEOUT)
      const onabort = (): void => done(null)
      signal.addEventListener('abort', onabort, { once: true })
      function done (v: boolean | null): void {
        stop()
        clearInterval(timer)
        clearTimeout(deadline)
        signal.removeEventListener('abort', onabort)
        resolve(v)
      }
      found.port.send(frame, found.remote)
    })
    if (signal.aborted) {
      if (found.port.kind === 'extra') found.port.close()
      throw HolepunchError.ABORTED(signal.reason)
    }
    if (accepted !== true) {
      if (found.port.kind === 'extra') found.port.close()
      if (accepted === false) throw HolepunchError.PEER_NOT_FOUND('The peer does not listen on that key', found.remote)
      throw HolepunchError.HOLEPUNCH_FAILED('The peer did not open the connection', { peer: found.remote })
    }
    const conn = this.#connection(id, key, found.port, found.remote, found.path, found.rtt, true)
    this.#router().add(conn)
    return conn
  }

  #connection (id: number, key: Uint8Array, port: DatagramPort, remote: Peer, path: ConnectionPath, rtt: number, initiator: boolean): Connection {
    return new Connection({
      id,
      key,
      port,
      remoteAddress: remote,
      path,
      rtt,
      initiator,
      channel: this.#opts.channel,
      logger: this.#log,
      onend: (c) => this.#router().remove(c, CLOSE_TIMEOUT)
    })
  }

  /** Listener: a relayed offer. Starts our half of the punch and answers our facts. */
  #onOffer (key: Uint8Array, offer: PunchOffer, referrer: Peer): Uint8Array {
    const hex = Buffer.from(key).toString('hex')
    const sessions = this.#sessions
    if (this.#destroyed || sessions?.listeners.has(hex) !== true) return PunchAnswer.encode({ status: ANSWER.NOT_LISTENING })
    // our own offer, relayed back to us: we announced the key we are connecting to
    if (sessions.offering.has(offer.id)) return PunchAnswer.encode({ status: ANSWER.SELF })
    const observed = this.#addresses.decode(offer.observed)
    const earlier = sessions.accepting.get(offer.id)
    // the initiator resent its offer (a copy or our answer was lost): the same answer, once more
    if (earlier !== undefined && earlier.hex === hex && sameAddress(earlier.observed, observed)) return earlier.answer
    if (this.#frameRouter?.has(offer.id) === true || earlier !== undefined) return PunchAnswer.encode({ status: ANSWER.REFUSED })
    const claimed = this.#addresses.decode(offer.address)
    const remote: PunchPeerInfo = {
      nat: decodeNat(offer.nat),
      publicAddress: punchAddress(claimed, observed),
      lanAddresses: this.#addresses.decodeList(offer.lan, MAX_LAN_ADDRESSES),
      verified: offer.verified === true
    }
    const local = this.#localInfo()
    // a birthday attempt we have no slot for is refused now, with the wait, so that the initiator
    // does not spray probes for the whole attempt at a side that is not punching
    const admission = this.#admit(local, remote)
    if ('limited' in admission) {
      this.#log?.debug?.('holepunch: offer rate limited', { id: offer.id, reason: admission.limited })
      return PunchAnswer.encode({ status: ANSWER.RATE_LIMITED, retryAfter: admission.retryAfter ?? BIRTHDAY_BUSY_RETRY })
    }
    const address = local.publicAddress?.host != null && local.publicAddress.port != null ? { host: local.publicAddress.host, port: local.publicAddress.port } : null
    const answer = PunchAnswer.encode({
      status: ANSWER.ACCEPTED,
      nat: encodeNat(local.nat),
      address: this.#addresses.encode(address),
      lan: this.#addresses.encodeList(local.lanAddresses ?? [])
    })
    const stop = new AbortController()
    sessions.accepting.set(offer.id, { hex, observed, remote, stop, answer })
    this.#log?.debug?.('holepunch: offer accepted', { id: offer.id, referrer: `${referrer.host}:${referrer.port}`, nat: remote.nat })
    // our half: probes (and, if we are the random side, the birthday sockets) until OPEN arrives
    this.#runPlan(offer.id, local, remote, stop.signal, admission).catch(() => {}).finally(() => {
      // the initiator sends OPEN once its side works; give it a moment, then forget the offer
      setTimeout(() => {
        const a = sessions.accepting.get(offer.id)
        if (a?.stop === stop) sessions.accepting.delete(offer.id)
      }, OPEN_TIMEOUT).unref()
    })
    return answer
  }

  /** An OPEN for a connection we do not have: accept it if we listen on its key. */
  #onOpen (id: number, key: Uint8Array, from: Peer, port: DatagramPort): Connection | null {
    if (this.#destroyed) return null
    const sessions = this.#sessions
    const listener = sessions?.listeners.get(Buffer.from(key).toString('hex'))
    if (sessions === null || listener === undefined) return null
    const accepting = sessions.accepting.get(id)
    if (accepting !== undefined) {
      accepting.stop.abort()
      sessions.accepting.delete(id)
    }
    const lan = accepting?.remote.lanAddresses?.some((a) => a.host === from.host && a.port === from.port) === true
    const path: ConnectionPath = lan ? 'lan' : (this.#sampler.type === 'open' ? 'direct' : 'holepunch')
    const conn = this.#connection(id, listener.key, port, from, path, 0, false)
    queueMicrotask(() => {
      listener.accept(conn)
      this.emit('connection', conn)
    })
    return conn
  }
}

/** The message of the `PEER_NOT_FOUND` of a connect that reached our own listener. */
export const SELF_PEER_MESSAGE = 'That peer is this node (our own announce)'

function checkKey (key: unknown): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array) || key.byteLength !== 32) throw HolepunchError.INVALID_ARGUMENT('key must be a 32-byte Uint8Array')
}

/** A random connection id not in use. */
function randomId (router: FrameRouter): number {
  for (;;) {
    const id = randomBytes(4).readUInt32BE(0)
    if (!router.has(id)) return id
  }
}

/**
 * One timer watches the event loop for every holepuncher of the process (a stall is the whole
 * process's): a timer per node cost ~0.25 KB of it. Unref'ed; stopped when the last one goes.
 */
const watched = new Set<Holepuncher>()
const stall = new StallDetector()
let stallTimer: NodeJS.Timeout | null = null

function watchStalls (h: Holepuncher): void {
  watched.add(h)
  if (stallTimer !== null) return
  stall.tick(Date.now())
  stallTimer = setInterval(() => {
    const gap = stall.tick(Date.now())
    if (gap > 0) for (const w of [...watched]) onStall(w, gap)
  }, STALL_TICK)
  stallTimer.unref()
}

function unwatchStalls (h: Holepuncher): void {
  watched.delete(h)
  if (watched.size > 0 || stallTimer === null) return
  clearInterval(stallTimer)
  stallTimer = null
}
