import type { Encoding } from './types.js'

/** The default encoding: bytes in, bytes out (decoded values are views into the datagram). */
export const passthrough: Encoding<Uint8Array> = {
  encode (value: Uint8Array): Uint8Array {
    if (!(value instanceof Uint8Array)) throw new TypeError('The default encoding expects a Uint8Array')
    return value
  },
  decode (bytes: Uint8Array, offset = 0, end = bytes.byteLength): Uint8Array {
    return offset === 0 && end === bytes.byteLength ? bytes : bytes.subarray(offset, end)
  }
}
