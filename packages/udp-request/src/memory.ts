import { EventEmitter } from 'node:events'
import type { DatagramSocket, Peer, RemoteInfo } from './types.js'

/** A delay in ms: fixed, or `[min, max]` for a uniform random one. */
export type MemoryDelay = number | [number, number]

export interface MemoryNetworkOptions {
  /** One-way delay of every datagram in ms, or `[min, max]` for a uniform random delay. @default 0 */
  latency?: MemoryDelay
  /** Probability (0..1) that a datagram is lost. @default 0 */
  loss?: number
  /** Probability (0..1) that a datagram is delivered twice; the copy draws its own delay. @default 0 */
  duplicate?: number
  /**
   * Probability (0..1) that a datagram is held back by an extra `reorderDelay`, so that datagrams
   * sent after it overtake it. @default 0
   */
  reorder?: number
  /** Extra delay of a held-back (reordered) datagram, ms or `[min, max]`. @default [1, 100] */
  reorderDelay?: MemoryDelay
  /**
   * Random source in [0, 1), e.g. a seeded one for reproducible runs. Every random choice of the
   * network (loss, delays, duplicates, reordering, faults) draws from it. @default Math.random
   */
  random?: () => number
}

/**
 * A fault of one address (see {@link MemoryNetwork.setFault}): a node that answers slowly, loses
 * much, or never answers.
 */
export interface MemoryFault {
  /** Extra delay (ms or `[min, max]`) of every datagram this address sends: it answers slowly. */
  delay?: MemoryDelay
  /** Extra loss probability (0..1) of every datagram this address sends or receives. */
  loss?: number
  /**
   * Drop every datagram this address receives (`'in'`), sends (`'out'`) or both (`true`): a node
   * that never answers (it still hears with `'out'`). @default false
   */
  drop?: boolean | 'in' | 'out'
}

/** Counters of a {@link MemoryNetwork} since it was created. */
export interface MemoryNetworkStats {
  /** Datagrams sent by sockets (copies and forged ones not included). */
  sent: number
  /** Datagrams handed to a socket. */
  delivered: number
  /** Datagrams lost (`loss`, or a fault's `loss`). */
  lost: number
  /** Datagrams to an address nobody is bound to (when they arrived). */
  unreachable: number
  /** Datagrams a NATed socket refused (from an address it never sent to). */
  filtered: number
  /** Extra copies made (`duplicate`). */
  duplicated: number
  /** Datagrams held back to be overtaken (`reorder`). */
  reordered: number
  /** Datagrams delayed by a fault's `delay`. */
  delayed: number
  /** Datagrams dropped by a fault's `drop`. */
  dropped: number
  /** Datagrams injected with a forged source address ({@link MemoryNetwork.inject}). */
  forged: number
}

/** What an observer ({@link MemoryNetwork.observe}) sees of a delivered datagram. */
export type MemoryObserver = (bytes: Uint8Array, from: RemoteInfo, to: RemoteInfo) => void

interface Datagram {
  from: RemoteInfo
  host: string
  port: number
  bytes: Buffer
}

/** The datagrams due at one ms, delivered by one timer (few timers however busy the network). */
interface Slot {
  timer: NodeJS.Timeout | NodeJS.Immediate
  list: Datagram[]
}

const now = (): number => performance.now()

/**
 * A simulated UDP network in memory (`@hyperdht-ts/udp-request/memory`): sockets made by
 * {@link MemoryNetwork.createSocket} implement udp-request's {@link DatagramSocket}, so a
 * `UDPRequest` (and a dht-rpc `DHT` above it) runs on them unchanged. Latency, loss, duplication,
 * reordering, faults per address, forged sources and a port-restricted NAT per socket are
 * simulated; nothing leaves the process.
 *
 * Timing comes from the global `setTimeout` / `setImmediate` / `performance.now`, so a fake
 * clock (e.g. `@sinonjs/fake-timers`) installed before the network is used drives it in virtual
 * time. Datagrams due in the same millisecond share one timer.
 */
export class MemoryNetwork {
  latency: MemoryDelay
  loss: number
  duplicate: number
  reorder: number
  reorderDelay: MemoryDelay
  readonly stats: MemoryNetworkStats = {
    sent: 0, delivered: 0, lost: 0, unreachable: 0, filtered: 0, duplicated: 0, reordered: 0, delayed: 0, dropped: 0, forged: 0
  }

  readonly #random: () => number
  readonly #sockets = new Map<string, MemorySocket>()
  /** Faults by `host:port` or by `host` (every port of it). */
  readonly #faults = new Map<string, MemoryFault>()
  readonly #observers = new Set<MemoryObserver>()
  /** Pending deliveries by due time (integer ms), one timer each; `-1` is the zero-delay slot. */
  readonly #slots = new Map<number, Slot>()
  #queued = 0
  #nextPort = 10000

  constructor (opts: MemoryNetworkOptions = {}) {
    this.latency = opts.latency ?? 0
    this.loss = opts.loss ?? 0
    this.duplicate = opts.duplicate ?? 0
    this.reorder = opts.reorder ?? 0
    this.reorderDelay = opts.reorderDelay ?? [1, 100]
    this.#random = opts.random ?? Math.random
  }

  /**
   * A new unbound socket on this network. With `nat: true` it sits behind a simulated
   * port-restricted NAT: it only receives datagrams from addresses it has sent to.
   */
  createSocket (opts: MemorySocketOptions = {}): MemorySocket {
    return new MemorySocket(this, opts)
  }

  /** Sockets bound now. */
  get size (): number {
    return this.#sockets.size
  }

  /** Datagrams in flight (sent, not yet delivered or dropped). */
  get inflight (): number {
    return this.#queued
  }

  /**
   * Sets (or with `null` clears) the fault of an address: `'host:port'`, `{ host, port }`, or a
   * bare `'host'` for every port of that host. A fault of `host:port` wins over one of `host`.
   *
   * ```ts
   * network.setFault('10.0.0.7', { drop: true })           // never answers, hears nothing
   * network.setFault({ host, port }, { delay: [800, 2000] }) // answers slowly
   * ```
   */
  setFault (address: string | Peer, fault: MemoryFault | null): void {
    const k = typeof address === 'string' ? address : key(address.host, address.port)
    if (fault === null) this.#faults.delete(k)
    else this.#faults.set(k, { ...fault })
  }

  /** The fault in effect for `host:port`, if any. */
  faultOf (host: string, port: number): MemoryFault | null {
    if (this.#faults.size === 0) return null
    return this.#faults.get(key(host, port)) ?? this.#faults.get(host) ?? null
  }

  /** Clears every fault. */
  clearFaults (): void {
    this.#faults.clear()
  }

  /**
   * Sends `bytes` to `to` as if `from` had sent them: a forged source address, for spoofing
   * tests. Nobody needs to be bound at `from`. The datagram takes the network's latency, loss,
   * duplication and reordering and the faults of `to`, like any other.
   */
  inject ({ from, to, bytes }: { from: Peer, to: Peer, bytes: Uint8Array }): void {
    this.stats.forged++
    this.#route({ address: from.host, port: from.port }, bytes, to.port, to.host, null)
  }

  /**
   * Calls `fn(bytes, from, to)` for every datagram delivered from now on (before the receiving
   * socket sees it), e.g. to trace a query's messages. Returns a function that stops it.
   */
  observe (fn: MemoryObserver): () => void {
    this.#observers.add(fn)
    return () => { this.#observers.delete(fn) }
  }

  /** Drops every datagram in flight (their timers are cleared). */
  destroy (): void {
    for (const [due, slot] of this.#slots) {
      if (due < 0) clearImmediate(slot.timer as NodeJS.Immediate)
      else clearTimeout(slot.timer as NodeJS.Timeout)
    }
    this.#slots.clear()
    this.#queued = 0
  }

  /** @internal */
  _bind (socket: MemorySocket, port: number, host: string): number {
    if (port === 0) {
      do {
        port = this.#nextPort++
        if (this.#nextPort > 65535) this.#nextPort = 10000
      } while (this.#sockets.has(key(host, port)))
    }
    const k = key(host, port)
    if (this.#sockets.has(k)) {
      const err = new Error(`bind EADDRINUSE ${host}:${port}`) as NodeJS.ErrnoException
      err.code = 'EADDRINUSE'
      throw err
    }
    this.#sockets.set(k, socket)
    return port
  }

  /** @internal */
  _unbind (host: string, port: number): void {
    this.#sockets.delete(key(host, port))
  }

  /** @internal A socket sends (its faults apply). */
  _send (from: RemoteInfo, msg: Uint8Array, port: number, host: string): void {
    this.stats.sent++
    const fault = this.faultOf(from.address, from.port)
    if (fault !== null && (fault.drop === true || fault.drop === 'out')) {
      this.stats.dropped++
      return
    }
    this.#route(from, msg, port, host, fault)
  }

  #route (from: RemoteInfo, msg: Uint8Array, port: number, host: string, senderFault: MemoryFault | null): void {
    if (this.#chance(this.loss) || (senderFault !== null && this.#chance(senderFault.loss ?? 0))) {
      this.stats.lost++
      return
    }
    const d: Datagram = { from, host, port, bytes: copy(msg) }
    let extra = 0
    if (senderFault?.delay !== undefined) {
      extra = this.#draw(senderFault.delay)
      this.stats.delayed++
    }
    this.#schedule(d, extra)
    if (this.#chance(this.duplicate)) {
      this.stats.duplicated++
      this.#schedule({ ...d, bytes: copy(d.bytes) }, extra)
    }
  }

  #schedule (d: Datagram, extra: number): void {
    let delay = this.#draw(this.latency) + extra
    if (this.#chance(this.reorder)) {
      this.stats.reordered++
      delay += this.#draw(this.reorderDelay)
    }
    this.#queued++
    const due = delay > 0 ? Math.ceil(now() + delay) : -1
    const slot = this.#slots.get(due)
    if (slot !== undefined) {
      slot.list.push(d)
      return
    }
    const list = [d]
    const run = (): void => this.#flush(due, list)
    this.#slots.set(due, { list, timer: due < 0 ? setImmediate(run) : setTimeout(run, Math.max(0, due - now())) })
  }

  #flush (due: number, list: Datagram[]): void {
    this.#slots.delete(due)
    this.#queued -= list.length
    for (const d of list) {
      try {
        this.#deliver(d)
      } catch (err) {
        // A listener threw: uncaught, as from a dgram socket, but the rest of the slot still arrives.
        queueMicrotask(() => { throw err })
      }
    }
  }

  #deliver (d: Datagram): void {
    const { host, port } = d
    const to = this.#sockets.get(key(host, port)) ?? (host !== '127.0.0.1' ? undefined : this.#sockets.get(key('0.0.0.0', port)))
    if (to === undefined) {
      this.stats.unreachable++
      return
    }
    const fault = this.faultOf(host, port)
    if (fault !== null) {
      if (fault.drop === true || fault.drop === 'in') {
        this.stats.dropped++
        return
      }
      if (this.#chance(fault.loss ?? 0)) {
        this.stats.lost++
        return
      }
    }
    if (!to._accepts(d.from)) {
      this.stats.filtered++
      return
    }
    this.stats.delivered++
    if (this.#observers.size > 0) {
      const toInfo = { address: host, port }
      for (const fn of this.#observers) fn(d.bytes, d.from, toInfo)
    }
    to._deliver(d.bytes, d.from)
  }

  #chance (p: number): boolean {
    return p > 0 && this.#random() < p
  }

  #draw (delay: MemoryDelay): number {
    return Array.isArray(delay) ? delay[0] + this.#random() * (delay[1] - delay[0]) : delay
  }
}

/**
 * A copy (the sender may reuse its buffer) in a buffer of its own, like a datagram dgram
 * receives: not a slice of Buffer's shared pool, which a retained view would keep alive whole.
 */
function copy (msg: Uint8Array): Buffer {
  const bytes = new Uint8Array(msg)
  return Buffer.from(bytes.buffer, 0, bytes.byteLength)
}

function key (host: string, port: number): string {
  return `${host}:${port}`
}

export interface MemorySocketOptions {
  /** Simulate a port-restricted NAT: drop datagrams from addresses this socket never sent to. @default false */
  nat?: boolean
}

/** A datagram socket of a {@link MemoryNetwork} (dgram's `send`/`bind`/`address`/`close` and events). */
export class MemorySocket extends EventEmitter implements DatagramSocket {
  readonly #net: MemoryNetwork
  #bound: { host: string, port: number } | null = null
  /** What receivers see as the source: one object per bound socket, not one per datagram. */
  #source: RemoteInfo | null = null
  #closed = false
  #nat: boolean
  #sentTo = new Set<string>()

  constructor (net: MemoryNetwork, opts: MemorySocketOptions = {}) {
    super()
    this.#net = net
    this.#nat = !!opts.nat
  }

  bind (port = 0, address?: string, callback?: () => void): this {
    const host = address ?? '127.0.0.1'
    setImmediate(() => {
      if (this.#closed) return
      try {
        const p = this.#net._bind(this, port, host)
        this.#bound = { host, port: p }
        this.#source = { address: host, port: p }
      } catch (err) {
        this.emit('error', err)
        return
      }
      callback?.()
      this.emit('listening')
    })
    return this
  }

  address (): { address: string, port: number, family: string } {
    if (!this.#bound) throw Object.assign(new Error('getsockname EBADF'), { code: 'EBADF' })
    return { address: this.#bound.host, port: this.#bound.port, family: this.#bound.host.includes(':') ? 'IPv6' : 'IPv4' }
  }

  send (msg: Uint8Array, port: number, address: string, callback?: (err: Error | null) => void): void {
    if (this.#closed) {
      const err = new Error('Not running')
      if (callback) queueMicrotask(() => callback(err))
      return
    }
    if (!this.#bound) {
      // dgram binds an unbound socket implicitly on first send
      const p = this.#net._bind(this, 0, '127.0.0.1')
      this.#bound = { host: '127.0.0.1', port: p }
      this.#source = { address: '127.0.0.1', port: p }
    }
    if (this.#nat) this.#sentTo.add(key(address, port))
    this.#net._send(this.#source!, msg, port, address)
    // Asynchronous like dgram's, but a microtask rather than a timer: under a fake clock a timer
    // per datagram would double the clock's work for nothing.
    if (callback) queueMicrotask(() => callback(null))
  }

  close (callback?: () => void): this {
    if (this.#closed) throw Object.assign(new Error('Not running'), { code: 'ERR_SOCKET_DGRAM_NOT_RUNNING' })
    this.#closed = true
    if (this.#bound) this.#net._unbind(this.#bound.host, this.#bound.port)
    setImmediate(() => {
      callback?.()
      this.emit('close')
    })
    return this
  }

  unref (): this {
    return this
  }

  ref (): this {
    return this
  }

  /** @internal */
  _accepts (from: RemoteInfo): boolean {
    return !this.#nat || this.#sentTo.has(key(from.address, from.port))
  }

  /** @internal */
  _deliver (msg: Buffer, from: RemoteInfo): void {
    if (this.#closed) return
    this.emit('message', msg, { address: from.address, port: from.port, family: from.address.includes(':') ? 'IPv6' : 'IPv4', size: msg.byteLength })
  }
}
