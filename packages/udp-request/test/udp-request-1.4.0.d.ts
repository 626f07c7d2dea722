// Minimal types for the reference implementation (udp-request@1.4.0, a devDependency).
declare module 'udp-request' {
  import type { EventEmitter } from 'node:events'

  interface RefPeer { host: string, port: number, tid?: number }
  interface RefSocket extends EventEmitter {
    inflight: number
    socket: import('node:dgram').Socket
    listen (port: number, cb?: () => void): void
    address (): { address: string, port: number, family: string }
    request (value: Uint8Array | string, peer: RefPeer, opts: { retry?: boolean }, cb: (err: Error | null, value: Buffer, peer: RefPeer) => void): number
    request (value: Uint8Array | string, peer: RefPeer, cb: (err: Error | null, value: Buffer, peer: RefPeer) => void): number
    response (value: Uint8Array | string, peer: RefPeer): void
    forwardRequest (value: Uint8Array | string, from: RefPeer, to: RefPeer): void
    forwardResponse (value: Uint8Array | string, from: RefPeer, to: RefPeer): void
    destroy (err?: Error): void
  }
  function udp (opts?: { timeout?: number, retry?: boolean, socket?: import('node:dgram').Socket }): RefSocket
  export = udp
}
