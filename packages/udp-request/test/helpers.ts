import { createSocket, type RemoteInfo, type Socket } from 'node:dgram'
import { once } from 'node:events'

export const HOST = '127.0.0.1'
export const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b)

export interface RawServer {
  socket: Socket
  port: number
  received: Array<{ msg: Buffer, rinfo: RemoteInfo }>
  close: () => Promise<void>
}

/** A bare dgram socket that records every datagram and answers with `reply` if given. */
export async function rawServer (
  reply?: (msg: Buffer, rinfo: RemoteInfo, socket: Socket) => void, host = HOST, port = 0
): Promise<RawServer> {
  const socket = createSocket('udp4')
  const received: RawServer['received'] = []
  socket.on('message', (msg, rinfo) => {
    received.push({ msg, rinfo })
    reply?.(msg, rinfo, socket)
  })
  socket.bind(port, host)
  await once(socket, 'listening')
  return {
    socket,
    port: socket.address().port,
    received,
    close: async () => { await new Promise<void>((resolve) => socket.close(() => resolve())) }
  }
}

/** Sends one raw datagram and waits until it has left. */
export async function sendRaw (socket: Socket, msg: Uint8Array, port: number, host = HOST): Promise<void> {
  await new Promise<void>((resolve, reject) => socket.send(msg, port, host, (err) => err ? reject(err) : resolve()))
}

/** A 2-byte header + body, as the wire format has it. */
export function packet (request: boolean, tid: number, body: Uint8Array = new Uint8Array(0)): Buffer {
  const b = Buffer.alloc(2 + body.length)
  b.writeUInt16BE((request ? 0x8000 : 0) | tid, 0)
  b.set(body, 2)
  return b
}

// Shared with the other packages' tests; re-exported because tests import them from here.
export { sleep, waitFor } from '@hyperdht-ts/test-utils'
