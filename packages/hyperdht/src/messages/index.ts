// Typed encoders/decoders over the static protobufjs code generated from schema.proto.
// Decoders never throw: a message that does not decode (or misses a required field) is null.
import { ImmutablePut, ImmutableValue, MutableRecord as MutableRecordMessage, MutableRequest, PeersRequest, PeersResponse, PutResponse } from './schema.js'

export interface PeersRequestMessage {
  type: number
  port?: number | null
  localAddress?: Uint8Array | null
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

function own (m: object, field: string): boolean {
  return Object.prototype.hasOwnProperty.call(m, field)
}

function bytes (m: object, field: string): Uint8Array | null {
  return own(m, field) ? toU8((m as Record<string, Uint8Array>)[field] as Uint8Array) : null
}

/** Decoded protobufjs bytes are Buffers in Node; hand out plain Uint8Array views. */
function toU8 (b: Uint8Array): Uint8Array {
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}

function safe<T> (fn: () => T): T | null {
  try {
    return fn()
  } catch {
    return null
  }
}

export const peersRequest = {
  encode (m: PeersRequestMessage): Uint8Array {
    const msg: PeersRequest.$Properties = { type: m.type }
    if (m.port !== undefined && m.port !== null) msg.port = m.port
    if (m.localAddress !== undefined && m.localAddress !== null) msg.localAddress = m.localAddress
    return PeersRequest.encode(msg).finish()
  },
  decode (buf: Uint8Array | null | undefined): PeersRequestMessage | null {
    if (buf === null || buf === undefined) return null
    return safe(() => {
      const m = PeersRequest.decode(buf)
      return { type: m.type, port: own(m, 'port') ? m.port : null, localAddress: bytes(m, 'localAddress') }
    })
  }
}

export const peersResponse = {
  encode (m: PeersResponseMessage): Uint8Array {
    const msg: PeersResponse.$Properties = {}
    if (m.peers !== null) msg.peers = m.peers
    if (m.localPeers !== null) msg.localPeers = m.localPeers
    return PeersResponse.encode(msg).finish()
  },
  decode (buf: Uint8Array | null | undefined): PeersResponseMessage | null {
    if (buf === null || buf === undefined) return null
    return safe(() => {
      const m = PeersResponse.decode(buf)
      return { peers: bytes(m, 'peers'), localPeers: bytes(m, 'localPeers') }
    })
  }
}

export const immutablePut = {
  encode (value: Uint8Array): Uint8Array {
    return ImmutablePut.encode({ value }).finish()
  },
  decode (buf: Uint8Array | null | undefined): Uint8Array | null {
    if (buf === null || buf === undefined) return null
    return safe(() => toU8(ImmutablePut.decode(buf).value))
  }
}

export const immutableValue = {
  encode (value: Uint8Array): Uint8Array {
    return ImmutableValue.encode({ value }).finish()
  },
  decode (buf: Uint8Array | null | undefined): Uint8Array | null {
    if (buf === null || buf === undefined) return null
    return safe(() => toU8(ImmutableValue.decode(buf).value))
  }
}

export const mutableRequest = {
  encode (m: MutableRequestMessage): Uint8Array {
    const msg: MutableRequest.$Properties = { publicKey: m.publicKey }
    if (m.salt !== null && m.salt.length > 0) msg.salt = m.salt
    if (m.seq !== null) msg.seq = m.seq
    if (m.value !== null) msg.value = m.value
    if (m.signature !== null) msg.signature = m.signature
    return MutableRequest.encode(msg).finish()
  },
  decode (buf: Uint8Array | null | undefined): MutableRequestMessage | null {
    if (buf === null || buf === undefined) return null
    return safe(() => {
      const m = MutableRequest.decode(buf)
      const seq = own(m, 'seq') ? Number(m.seq) : null
      if (seq !== null && !Number.isSafeInteger(seq)) return null
      return { publicKey: toU8(m.publicKey), salt: bytes(m, 'salt'), seq, value: bytes(m, 'value'), signature: bytes(m, 'signature') }
    })
  }
}

export const mutableRecord = {
  encode (m: MutableRecordMessageShape): Uint8Array {
    return MutableRecordMessage.encode({ seq: m.seq, value: m.value, signature: m.signature }).finish()
  },
  decode (buf: Uint8Array | null | undefined): MutableRecordMessageShape | null {
    if (buf === null || buf === undefined) return null
    return safe(() => {
      const m = MutableRecordMessage.decode(buf)
      const seq = Number(m.seq)
      if (!Number.isSafeInteger(seq) || seq < 0) return null
      return { seq, value: toU8(m.value), signature: toU8(m.signature) }
    })
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
    const msg: PutResponse.$Properties = { status: m.status }
    if (m.current !== null) {
      msg.seq = m.current.seq
      msg.value = m.current.value
      msg.signature = m.current.signature
    }
    return PutResponse.encode(msg).finish()
  },
  decode (buf: Uint8Array | null | undefined): PutResponseMessage | null {
    if (buf === null || buf === undefined) return null
    return safe(() => {
      const m = PutResponse.decode(buf)
      let current: MutableRecordMessageShape | null = null
      if (own(m, 'seq') && own(m, 'value') && own(m, 'signature')) {
        const seq = Number(m.seq)
        if (!Number.isSafeInteger(seq) || seq < 0) return null
        current = { seq, value: toU8(m.value), signature: toU8(m.signature) }
      }
      return { status: m.status, current }
    })
  }
}
