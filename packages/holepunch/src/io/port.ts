// Where frames come and go: the DHT's own socket (its NAT mapping is the one the world knows),
// or an extra socket opened for a birthday attempt. Both deliver frames (and only frames) to one
// receiver and send raw bytes.
import { createSocket } from 'node:dgram'
import type { DHT } from '@hyperdht-ts/dht-rpc'
import { isFrame } from '../connection/frame'
import type { CreateSocket, DatagramSocket, Peer } from '../types'

/** `node:dgram`'s socket: the default of every `createSocket` option. */
export const dgramSocket: CreateSocket = (type) => createSocket(type)

/** Receives the frames a port gets: the bytes (a view: copy to keep), the sender, the port. */
export type FrameReceiver = (bytes: Uint8Array, from: Peer, port: DatagramPort) => void

/** A socket that frames travel on. */
export interface DatagramPort {
  /** `dht` for the DHT's socket, `extra` for a socket of a birthday attempt. */
  readonly kind: 'dht' | 'extra'
  send (bytes: Uint8Array, to: Peer): void
  /** Stops receiving (an extra port also closes its socket). */
  close (): void
}

/** The DHT's socket: frames are taken out of its datagrams before dht-rpc sees them. */
export class DhtPort implements DatagramPort {
  readonly kind = 'dht'
  readonly #dht: DHT
  #open = true

  constructor (dht: DHT, receive: FrameReceiver) {
    this.#dht = dht
    dht.interceptDatagrams((msg, rinfo) => {
      if (!isFrame(msg)) return false
      if (this.#open) receive(msg, { host: rinfo.address, port: rinfo.port }, this)
      return true
    })
  }

  send (bytes: Uint8Array, to: Peer): void {
    if (!this.#open || this.#dht.destroyed) return
    try {
      this.#dht.sendDatagram(bytes, to)
    } catch {} // an invalid address is a lost datagram here
  }

  close (): void {
    if (!this.#open) return
    this.#open = false
    if (!this.#dht.destroyed) this.#dht.interceptDatagrams(null)
  }
}

/**
 * An extra UDP socket (the random side of a birthday attempt opens many): frames only; it is
 * closed when the attempt lost, or when the connection that won on it ends.
 */
export class SocketPort implements DatagramPort {
  readonly kind = 'extra'
  readonly #socket: DatagramSocket
  #open = true

  private constructor (socket: DatagramSocket) {
    this.#socket = socket
  }

  /** Binds a new socket (from `create`) on `host` (any port); rejects if the bind fails. */
  static async open (host: string | undefined, family: 4 | 6, receive: FrameReceiver, create: CreateSocket = dgramSocket): Promise<SocketPort> {
    const socket = create(family === 6 ? 'udp6' : 'udp4')
    const port = new SocketPort(socket)
    socket.on('message', (msg, rinfo) => {
      if (port.#open && isFrame(msg)) receive(msg, { host: rinfo.address, port: rinfo.port }, port)
    })
    socket.on('error', () => {}) // a send error on one of many probe sockets is a lost datagram
    await new Promise<void>((resolve, reject) => {
      const onerror = (err: Error): void => {
        socket.off('error', onerror)
        reject(err)
      }
      socket.on('error', onerror)
      socket.bind(0, host, () => {
        socket.off('error', onerror)
        resolve()
      })
    })
    socket.unref?.()
    return port
  }

  /** The bound address. */
  address (): Peer {
    const a = this.#socket.address()
    return { host: a.address, port: a.port }
  }

  send (bytes: Uint8Array, to: Peer): void {
    if (!this.#open) return
    try {
      this.#socket.send(bytes, to.port, to.host, () => {})
    } catch {}
  }

  close (): void {
    if (!this.#open) return
    this.#open = false
    try {
      this.#socket.close()
    } catch {}
  }
}
