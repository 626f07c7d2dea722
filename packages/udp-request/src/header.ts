// (imported: the global `Buffer` is an accessor on Node 20, about 6 ns more a use)
import { Buffer } from 'node:buffer'
import { HEADER_BYTES, REQUEST_BIT, TID_MASK } from './constants.js'

/** Frames a body: 2-byte big-endian header (request bit + tid) followed by the body. */
export function frame (request: boolean, tid: number, body: Uint8Array): Uint8Array {
  const message = Buffer.allocUnsafe(HEADER_BYTES + body.byteLength)
  writeHeader(message, request, tid)
  message.set(body, HEADER_BYTES)
  return message
}

/** Writes the 2-byte header (request bit + tid) at the start of `message`. */
export function writeHeader (message: Uint8Array, request: boolean, tid: number): void {
  const header = (request ? REQUEST_BIT : 0) | (tid & TID_MASK)
  message[0] = header >>> 8
  message[1] = header & 0xff
}

/** True when the header of a (at least 2-byte) message has the request bit set. */
export function isRequest (message: Uint8Array): boolean {
  return (message[0]! & 0x80) !== 0
}

/** The transaction id of a (at least 2-byte) message. */
export function tidOf (message: Uint8Array): number {
  return ((message[0]! << 8) | message[1]!) & TID_MASK
}
