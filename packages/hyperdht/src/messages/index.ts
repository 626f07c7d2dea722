// Typed encoders/decoders over the code generated from schema.proto (scripts/proto-gen.mjs).
// Decoders never throw: a message that does not decode (or misses a required field) is null.
// Decoded bytes may be views into the datagram (copy what you keep): long fields are, short ones
// may be copies (scripts/proto-gen.mjs says when).
import { ImmutablePut, ImmutableValue, MutableRecord as MutableRecordMessage, MutableRequest, PeersRequest, PeersResponse, PutResponse } from './schema.js'

export interface PeersRequestMessage {
  type: number
  port?: number | null
  /** The requester's 6-byte IPv4 LAN address as one number ({@link lanAddressNumber}). */
  localAddress?: number | null
}

export interface PeersResponseMessage {
  peers: Uint8Array | null
  localPeers: Uint8Array | null
}

export interface MutableRequestMessage {
  publicKey: Uint8Array
  salt: Uint8Array | null
  seq: number | null
  value: Uint8Array | null
  signature: Uint8Array | null
}

export interface MutableRecordMessageShape {
  seq: number
  value: Uint8Array
  signature: Uint8Array
}

// Each decoder catches the generated decoder's Error on malformed input itself (rather than
// through one shared helper taking the decoder as an argument: that call site would see every
// decoder and stop being inlined).

/**
 * A 6-byte IPv4 peer (address, then port, big-endian) as the number a `peers` request carries
 * in `localAddress`: address * 2^16 + port, below 2^48 and so exact.
 */
export function lanAddressNumber (peer: Uint8Array): number {
  if (peer.length !== 6) throw new RangeError('a LAN address is 6 bytes')
  return peer[0]! * 0x10000000000 + peer[1]! * 0x100000000 + ((peer[2]! << 24 | peer[3]! << 16 | peer[4]! << 8 | peer[5]!) >>> 0)
}

/** The 6 bytes of a `localAddress` number: the inverse of {@link lanAddressNumber}. */
export function lanAddressBytes (n: number): Uint8Array {
  const hi = Math.floor(n / 0x100000000)
  return new Uint8Array([hi >>> 8 & 0xff, hi & 0xff, n >>> 24 & 0xff, n >>> 16 & 0xff, n >>> 8 & 0xff, n & 0xff])
}

export const peersRequest = {
  encode (m: PeersRequestMessage): Uint8Array {
    return PeersRequest.encode(m)
  },
  decode (buf: Uint8Array | null | undefined): PeersRequestMessage | null {
    if (buf === null || buf === undefined) return null
    try {
      return PeersRequest.decode(buf)
    } catch {
      return null
    }
  }
}

export const peersResponse = {
  encode (m: PeersResponseMessage): Uint8Array {
    return PeersResponse.encode(m)
  },
  decode (buf: Uint8Array | null | undefined): PeersResponseMessage | null {
    if (buf === null || buf === undefined) return null
    try {
      return PeersResponse.decode(buf)
    } catch {
      return null
    }
  }
}

export const immutablePut = {
  encode (value: Uint8Array): Uint8Array {
    return ImmutablePut.encode({ value })
  },
  decode (buf: Uint8Array | null | undefined): Uint8Array | null {
    if (buf === null || buf === undefined) return null
    try {
      return decodeImmutablePut(buf)
    } catch {
      return null
    }
  }
}

export const immutableValue = {
  encode (value: Uint8Array): Uint8Array {
    return ImmutableValue.encode({ value })
  },
  decode (buf: Uint8Array | null | undefined): Uint8Array | null {
    if (buf === null || buf === undefined) return null
    try {
      return decodeImmutableValue(buf)
    } catch {
      return null
    }
  }
}

export const mutableRequest = {
  encode (m: MutableRequestMessage): Uint8Array {
    // an empty salt is the same target as no salt: leave it out
    const salt = m.salt !== null && m.salt.length > 0 ? m.salt : null
    return MutableRequest.encode({ publicKey: m.publicKey, salt, seq: m.seq, value: m.value, signature: m.signature })
  },
  decode (buf: Uint8Array | null | undefined): MutableRequestMessage | null {
    // seq above 2^53 - 1 does not decode
    if (buf === null || buf === undefined) return null
    try {
      return MutableRequest.decode(buf)
    } catch {
      return null
    }
  }
}

export const mutableRecord = {
  encode (m: MutableRecordMessageShape): Uint8Array {
    return MutableRecordMessage.encode(m)
  },
  decode (buf: Uint8Array | null | undefined): MutableRecordMessageShape | null {
    if (buf === null || buf === undefined) return null
    try {
      return MutableRecordMessage.decode(buf)
    } catch {
      return null
    }
  }
}

/** `status` of a {@link PutResponseMessage}. */
export const PUT_STORED = 0
export const PUT_SEQ_TOO_LOW = 1
export const PUT_INVALID = 2
export const PUT_FULL = 3

export interface PutResponseMessage {
  status: number
  /** With `PUT_SEQ_TOO_LOW`: the stored record. */
  current: MutableRecordMessageShape | null
}

export const putResponse = {
  encode (m: PutResponseMessage): Uint8Array {
    const c = m.current
    return PutResponse.encode(c === null ? { status: m.status } : { status: m.status, seq: c.seq, value: c.value, signature: c.signature })
  },
  decode (buf: Uint8Array | null | undefined): PutResponseMessage | null {
    if (buf === null || buf === undefined) return null
    try {
      return decodePutResponse(buf)
    } catch {
      return null
    }
  }
}

function decodeImmutablePut (buf: Uint8Array): Uint8Array {
  return ImmutablePut.decode(buf).value
}

function decodeImmutableValue (buf: Uint8Array): Uint8Array {
  return ImmutableValue.decode(buf).value
}

function decodePutResponse (buf: Uint8Array): PutResponseMessage {
  const m = PutResponse.decode(buf)
  // the stored record travels only whole: a partial one is no record
  const current = m.seq !== null && m.value !== null && m.signature !== null ? { seq: m.seq, value: m.value, signature: m.signature } : null
  return { status: m.status, current }
}
