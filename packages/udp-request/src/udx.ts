// `udx-native` (the holepunch ecosystem's native UDP: libudx on libuv, prebuilt binaries inside
// its npm package) behind the `DatagramSocket` interface, as an optional faster transport. The
// pure-JS `node:dgram` path stays the default; this module is only loaded by those who import
// `@hyperdht-ts/udp-request/udx` and install `udx-native` themselves.
import { EventEmitter } from 'node:events'
import UDX from 'udx-native'
import type { DatagramSocket, RemoteInfo } from './types.js'

/** Options of {@link createUdxSocket}. */
export interface UdxSocketOptions {
  /** An IPv6 socket (`bind` without a host binds `::`). @default false */
  ipv6?: boolean
}

interface NativeSocket {
  bind (port: number, host?: string): void
  address (): { host: string, port: number, family: number } | null
  trySend (buffer: Uint8Array, port: number, host: string): void
  close (): Promise<void>
  on (event: 'message', listener: (msg: Uint8Array, from: { host: string, port: number, family: number }) => void): unknown
  on (event: 'close', listener: () => void): unknown
}

let shared: { createSocket: () => NativeSocket } | null = null

/**
 * A `DatagramSocket` on `udx-native` for `UDPRequest`, `DHT` and `HyperDHT`'s `socket` option:
 * `new DHT({ socket: createUdxSocket() })`. Sends are `trySend` (synchronous, no promise per
 * datagram); received datagrams are views into udx's receive slab, which it never overwrites.
 */
export function createUdxSocket (opts: UdxSocketOptions = {}): DatagramSocket {
  shared ??= new UDX() as unknown as { createSocket: () => NativeSocket }
  return new UdxSocket(shared.createSocket(), opts.ipv6 === true)
}

class UdxSocket extends EventEmitter implements DatagramSocket {
  readonly #socket: NativeSocket
  readonly #ipv6: boolean
  #closing = false

  constructor (socket: NativeSocket, ipv6: boolean) {
    super()
    this.#socket = socket
    this.#ipv6 = ipv6
    socket.on('message', (msg, from) => {
      this.emit('message', msg, { address: from.host, port: from.port, family: from.family === 6 ? 'IPv6' : 'IPv4', size: msg.byteLength } satisfies RemoteInfo & Record<string, unknown>)
    })
    socket.on('close', () => this.emit('close'))
  }

  send (msg: Uint8Array, port: number, address: string, callback?: (err: Error | null) => void): void {
    try {
      this.#socket.trySend(msg, port, address)
    } catch (err) {
      if (callback) callback(err as Error)
      else this.emit('error', err)
      return
    }
    callback?.(null)
  }

  bind (port: number, address: string | undefined, callback?: () => void): this {
    try {
      this.#socket.bind(port, address ?? (this.#ipv6 ? '::' : '0.0.0.0'))
    } catch (err) {
      // as dgram: a failed bind is an 'error' event (EADDRINUSE, EADDRNOTAVAIL, ...)
      queueMicrotask(() => this.emit('error', err))
      return this
    }
    queueMicrotask(() => {
      this.emit('listening')
      callback?.()
    })
    return this
  }

  address (): { address: string, port: number, family: string } {
    const a = this.#socket.address()
    if (a === null) throw Object.assign(new Error('getsockname EBADF'), { code: 'EBADF' })
    return { address: a.host, port: a.port, family: a.family === 6 ? 'IPv6' : 'IPv4' }
  }

  close (callback?: () => void): this {
    if (this.#closing) return this
    this.#closing = true
    if (callback) this.once('close', callback)
    void this.#socket.close()
    return this
  }
}
