// The connection frame: one datagram of the reliable-message layer. Pure codec.
//
//   offset  bytes  field
//   0       2      magic 0x48 0x43 ("HC")
//   2       1      0x00: never the first byte of a protobuf message, so no udp-request / dht-rpc
//                  datagram (2-byte header + protobuf) is ever mistaken for a frame
//   3       1      version (1)
//   4       1      type (FRAME_TYPE)
//   5       1      flags: bit 0 = payload encrypted (reserved for the handshake to come); a v1
//                  receiver drops a frame with any flag it does not know
//   6       4      connection id (uint32)
//   10      4      seq (uint32): message number (DATA), ping number (PING/PONG), next seq (CLOSE),
//                  nonce (PROBE/PROBE_ACK)
//   14      4      ack (uint32): the next message number the sender expects (all before arrived)
//   18      4      sack (uint32): bit i set = message ack + 1 + i arrived too
//   22      …      payload (DATA: the message; OPEN: the 32-byte key)
//
// All integers are big-endian. Types 0x10-0x1f are reserved for a later key-exchange handshake,
// which will run before DATA flows and set the encrypted flag, without changing the API.
import { HolepunchError } from '../errors'

/** Frame types. */
export const FRAME_TYPE = {
  DATA: 0x01,
  ACK: 0x02,
  PING: 0x03,
  PONG: 0x04,
  CLOSE: 0x05,
  CLOSE_ACK: 0x06,
  /** A punch probe (`seq`: a nonce): opens our NAT towards its destination; answered by PROBE_ACK. */
  PROBE: 0x07,
  /** The answer to a PROBE (same `seq`) from the address it arrived at: the path works. */
  PROBE_ACK: 0x08,
  /** Opens connection `id` over a working path; payload: the 32-byte key the peer listens on. */
  OPEN: 0x09,
  /** Connection `id` is accepted. */
  OPEN_ACK: 0x0a,
  /** Connection `id` is refused (nobody listens on that key). */
  REFUSE: 0x0b
} as const

/** Frame types that carry a payload. */
const WITH_PAYLOAD = new Set<number>([FRAME_TYPE.DATA, FRAME_TYPE.OPEN])

/** A frame type value. */
export type FrameType = typeof FRAME_TYPE[keyof typeof FRAME_TYPE]

/** Frame flags. */
export const FRAME_FLAG = {
  /** The payload is encrypted (reserved: no v1 sender sets it). */
  ENCRYPTED: 0x01
} as const

/** The protocol version this codec writes and reads. */
export const FRAME_VERSION = 1

/** Bytes of the frame header. */
export const FRAME_HEADER_BYTES = 22

const MAGIC_0 = 0x48
const MAGIC_1 = 0x43
const KNOWN_FLAGS = 0
const TYPES = new Set<number>(Object.values(FRAME_TYPE))

/** A decoded frame. `seq`, `ack` and `sack` are the raw uint32 wire values. */
export interface Frame {
  type: FrameType
  flags: number
  id: number
  seq: number
  ack: number
  sack: number
  /**
   * DATA: the message; OPEN: the key. A view into the decoded datagram: copy it before keeping
   * it. Frames without a payload share one empty array.
   */
  payload: Uint8Array
}

/** The fields of a frame to encode (`flags`, `sack` and `payload` default to 0 / empty). */
export type FrameInput = Pick<Frame, 'type' | 'id' | 'seq' | 'ack'> & Partial<Pick<Frame, 'flags' | 'sack' | 'payload'>>

/**
 * True when `bytes` starts like a frame (magic, the zero byte, a full header). Cheap: use it to
 * demultiplex frames from DHT messages arriving on the same socket.
 */
export function isFrame (bytes: Uint8Array): boolean {
  return bytes.byteLength >= FRAME_HEADER_BYTES && bytes[0] === MAGIC_0 && bytes[1] === MAGIC_1 && bytes[2] === 0
}

/** The connection id of something {@link isFrame} accepts, else `null`. */
export function frameConnectionId (bytes: Uint8Array): number | null {
  if (!isFrame(bytes)) return null
  return readU32(bytes, 6)
}

/**
 * Encodes a frame. Throws `INVALID_ARGUMENT` for out-of-range fields. The bytes are a `Buffer`
 * from Node's pool, as udp-request's datagrams are (every byte written): cheaper than an
 * array of its own, which for a full-size message is an allocation outside the heap.
 */
export function encodeFrame (frame: FrameInput): Uint8Array {
  const payload = frame.payload ?? EMPTY
  if (!TYPES.has(frame.type)) throw HolepunchError.INVALID_ARGUMENT(`unknown frame type ${frame.type}`)
  if (payload.byteLength > 0 && !WITH_PAYLOAD.has(frame.type)) throw HolepunchError.INVALID_ARGUMENT('only DATA and OPEN frames carry a payload')
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.byteLength)
  out[0] = MAGIC_0
  out[1] = MAGIC_1
  out[2] = 0
  out[3] = FRAME_VERSION
  out[4] = frame.type
  out[5] = u8(frame.flags ?? 0, 'flags')
  writeU32(out, 6, u32(frame.id, 'id'))
  writeU32(out, 10, u32(frame.seq, 'seq'))
  writeU32(out, 14, u32(frame.ack, 'ack'))
  writeU32(out, 18, u32(frame.sack ?? 0, 'sack'))
  if (payload.byteLength > 0) out.set(payload, FRAME_HEADER_BYTES)
  return out
}

/** Decodes a frame. Throws `INVALID_FRAME` for anything else (count and drop it). */
export function decodeFrame (bytes: Uint8Array): Frame {
  if (!(bytes instanceof Uint8Array)) throw HolepunchError.INVALID_FRAME('not bytes')
  if (!isFrame(bytes)) throw HolepunchError.INVALID_FRAME(bytes.byteLength < FRAME_HEADER_BYTES ? `truncated frame (${bytes.byteLength} bytes)` : 'bad magic')
  if (bytes[3] !== FRAME_VERSION) throw HolepunchError.INVALID_FRAME(`unsupported frame version ${bytes[3]}`)
  const type = bytes[4]!
  if (!TYPES.has(type)) throw HolepunchError.INVALID_FRAME(`unknown frame type ${type}`)
  const flags = bytes[5]!
  if ((flags & ~KNOWN_FLAGS) !== 0) throw HolepunchError.INVALID_FRAME(`unknown frame flags ${flags}`)
  if (!WITH_PAYLOAD.has(type) && bytes.byteLength > FRAME_HEADER_BYTES) throw HolepunchError.INVALID_FRAME('payload on a frame that has none')
  return {
    type: type as FrameType,
    flags,
    id: readU32(bytes, 6),
    seq: readU32(bytes, 10),
    ack: readU32(bytes, 14),
    sack: readU32(bytes, 18),
    // a view costs more than the rest of the decoding: none for the frames without a payload
    payload: bytes.byteLength > FRAME_HEADER_BYTES ? bytes.subarray(FRAME_HEADER_BYTES) : EMPTY
  }
}

/**
 * Turns a uint32 wire sequence number back into the absolute number nearest to `reference`
 * (within ±2^31), so that sequence numbers keep counting past 2^32 on both ends.
 */
export function unwrapSeq (wire: number, reference: number): number {
  return reference + ((wire - (reference >>> 0)) | 0)
}

const EMPTY = new Uint8Array(0)

// Byte by byte rather than through a DataView: making a view reads `buffer` and `byteOffset`,
// which Node 20 does through calls that are not inlined; per frame that was about a third of a
// stream's CPU time (with the view itself).
function writeU32 (out: Uint8Array, o: number, v: number): void {
  out[o] = v >>> 24
  out[o + 1] = (v >>> 16) & 255
  out[o + 2] = (v >>> 8) & 255
  out[o + 3] = v & 255
}

function readU32 (bytes: Uint8Array, o: number): number {
  return ((bytes[o]! << 24) | (bytes[o + 1]! << 16) | (bytes[o + 2]! << 8) | bytes[o + 3]!) >>> 0
}

function u32 (value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) throw HolepunchError.INVALID_ARGUMENT(`${name} must be a non-negative integer`)
  return value >>> 0 === value ? value : value % 0x1_0000_0000
}

function u8 (value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 255) throw HolepunchError.INVALID_ARGUMENT(`${name} must be a byte`)
  return value
}
