import { EventEmitter } from 'node:events'
import type { DatagramSocket, RemoteInfo } from './types.js'

export interface MemoryNetworkOptions {
  /** One-way delay of every datagram in ms, or `[min, max]` for a uniform random delay. @default 0 */
  latency?: number | [number, number]
  /** Probability (0..1) that a datagram is lost. @default 0 */
  loss?: number
  /** Random source in [0, 1), e.g. a seeded one for reproducible runs. @default Math.random */
  random?: () => number
}

interface Delivery {
  timer: NodeJS.Timeout | null
}

/**
 * A simulated UDP network in memory (`@hyperdht-ts/udp-request/memory`): sockets made by
 * {@link MemoryNetwork.createSocket} implement udp-request's {@link DatagramSocket}, so a
 * `UDPRequest` (and a dht-rpc `DHT` above it) runs on them unchanged. Latency, loss and a
 * port-restricted NAT per socket are simulated; nothing leaves the process.
 */
export class MemoryNetwork {
  latency: number | [number, number]
  loss: number
  /** Datagrams sent, delivered, lost, and sent to an address nobody is bound to. */
  readonly stats = { sent: 0, delivered: 0, lost: 0, unreachable: 0, filtered: 0 }
  readonly #random: () => number
  readonly #sockets = new Map<string, MemorySocket>()
  readonly #inflight = new Set<Delivery>()
  #nextPort = 10000

  constructor (opts: MemoryNetworkOptions = {}) {
    this.latency = opts.latency ?? 0
    this.loss = opts.loss ?? 0
    this.#random = opts.random ?? Math.random
  }

  /**
   * A new unbound socket on this network. With `nat: true` it sits behind a simulated
   * port-restricted NAT: it only receives datagrams from addresses it has sent to.
   */
  createSocket (opts: MemorySocketOptions = {}): MemorySocket {
    return new MemorySocket(this, opts)
  }

  /** Drops every datagram in flight (their timers are cleared). */
  destroy (): void {
    for (const d of this.#inflight) if (d.timer) clearTimeout(d.timer)
    this.#inflight.clear()
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

  /** @internal */
  _send (from: RemoteInfo, msg: Uint8Array, port: number, host: string): void {
    this.stats.sent++
    if (this.loss > 0 && this.#random() < this.loss) {
      this.stats.lost++
      return
    }
    const copy = new Uint8Array(msg) // the sender may reuse its buffer
    const delay = Array.isArray(this.latency)
      ? this.latency[0] + this.#random() * (this.latency[1] - this.latency[0])
      : this.latency
    const d: Delivery = { timer: null }
    const deliver = (): void => {
      this.#inflight.delete(d)
      const to = this.#sockets.get(key(host, port)) ?? (host !== '127.0.0.1' ? undefined : this.#sockets.get(key('0.0.0.0', port)))
      if (!to) {
        this.stats.unreachable++
        return
      }
      if (!to._accepts(from)) {
        this.stats.filtered++
        return
      }
      this.stats.delivered++
      to._deliver(copy, from)
    }
    this.#inflight.add(d)
    if (delay > 0) d.timer = setTimeout(deliver, delay)
    else setImmediate(deliver)
  }
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
      if (callback) setImmediate(() => callback(err))
      return
    }
    if (!this.#bound) {
      // dgram binds an unbound socket implicitly on first send
      const p = this.#net._bind(this, 0, '127.0.0.1')
      this.#bound = { host: '127.0.0.1', port: p }
    }
    if (this.#nat) this.#sentTo.add(key(address, port))
    this.#net._send({ address: this.#bound.host, port: this.#bound.port }, msg, port, address)
    if (callback) setImmediate(() => callback(null))
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
  _deliver (msg: Uint8Array, from: RemoteInfo): void {
    if (this.#closed) return
    this.emit('message', Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength), { ...from, family: from.address.includes(':') ? 'IPv6' : 'IPv4', size: msg.byteLength })
  }
}

