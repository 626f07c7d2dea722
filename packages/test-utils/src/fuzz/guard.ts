// A real UDP socket for a node under fuzz that records where the node sends, and refuses to send
// anywhere but loopback: mutated forward fields must never make a test node reach the internet,
// even if the fuzzer's own filter had a bug.
import { createSocket, type Socket } from 'node:dgram'

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopback (host: string): boolean {
  if (host === '::1') return true
  const v4 = host.startsWith('::ffff:') ? host.slice(7) : host
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4)
}

type Listener = (...args: never[]) => void

/** The dgram subset a DHT node uses (udp-request's `DatagramSocket`), structurally. */
export interface GuardedSocket {
  send (msg: Uint8Array, port: number, address: string, callback?: (err: Error | null) => void): void
  bind (port: number, address: string | undefined, callback?: () => void): unknown
  address (): { address: string, port: number, family: string }
  close (callback?: () => void): unknown
  on (event: string, listener: Listener): unknown
  off (event: string, listener: Listener): unknown
  unref (): unknown
  /** Datagrams sent, per destination host. */
  readonly sentTo: Map<string, number>
  /** Sends refused because the destination was not loopback (must stay empty). */
  readonly blocked: Array<{ host: string, port: number }>
}

/** A fresh `udp4` socket wrapped so that only loopback destinations get through. */
export function guardedSocket (): GuardedSocket {
  const real: Socket = createSocket('udp4')
  const sentTo = new Map<string, number>()
  const blocked: Array<{ host: string, port: number }> = []
  const guarded: GuardedSocket = {
    sentTo,
    blocked,
    send (msg, port, address, callback) {
      if (!isLoopback(address)) {
        blocked.push({ host: address, port })
        const err = Object.assign(new Error(`fuzz guard: refused to send to ${address}:${port}`), { code: 'EHOSTUNREACH' })
        if (callback) queueMicrotask(() => callback(err))
        return
      }
      sentTo.set(address, (sentTo.get(address) ?? 0) + 1)
      real.send(msg, port, address, callback)
    },
    bind: (port, address, callback) => real.bind(port, address, callback),
    address: () => real.address(),
    close: (callback) => real.close(callback),
    on (event, listener) {
      real.on(event, listener as (...args: unknown[]) => void)
      return guarded
    },
    off (event, listener) {
      real.off(event, listener as (...args: unknown[]) => void)
      return guarded
    },
    unref: () => real.unref()
  }
  return guarded
}
