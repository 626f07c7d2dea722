import { Request, Response } from './schema.js'

/** A decoded `Request` (PROTOCOL.md §2). Absent optional fields are `null`. */
export interface RequestMessage {
  command: string
  id?: Uint8Array | null
  target?: Uint8Array | null
  forwardRequest?: Uint8Array | null
  forwardResponse?: Uint8Array | null
  roundtripToken?: Uint8Array | null
  value?: Uint8Array | null
  /** Extension: a token of the receiver's, proving our address in a query (absent from reference nodes). */
  proof?: Uint8Array | null
}

/** A decoded `Response` (PROTOCOL.md §2). Absent optional fields are `null`. */
export interface ResponseMessage {
  id?: Uint8Array | null
  nodes?: Uint8Array | null
  value?: Uint8Array | null
  roundtripToken?: Uint8Array | null
  /** Extension: our address as the responder saw it (absent from reference nodes). */
  to?: Uint8Array | null
}

/**
 * The shape udp-request takes for its `requestEncoding` / `responseEncoding`, plus the two
 * methods that let a framer write header and body into one buffer (no second copy).
 */
export interface MessageEncoding<T> {
  encode (value: T): Uint8Array
  /** The message in `bytes[offset..end]` (default: all of it), so a framer can skip its header without a subarray. */
  decode (bytes: Uint8Array, offset?: number, end?: number): T
  /** Bytes `value` encodes to. Throws a TypeError on a missing or mistyped field. */
  encodingLength (value: T): number
  /** Writes `value` at `buf[offset..]`; returns the offset after it. RangeError if `buf` is short. */
  encodeInto (value: T, buf: Uint8Array, offset: number): number
}

// Code generated from schema.proto by scripts/proto-gen.mjs (chosen by measurement over
// protobufjs reflection and static code, see bench/codec.ts and the README). Decoded bytes are
// views into the datagram (a field of at most SHORT_BYTES met before any longer one is a copy:
// cheaper); absent fields are null; unknown fields are skipped.

/** Encoding of `Request` bodies. `decode` throws on malformed input (missing `command`, bad wire types, truncation). */
export const requestEncoding: MessageEncoding<RequestMessage> = {
  encode: (value) => Request.encode(value),
  decode: (bytes, offset, end) => Request.decode(bytes, offset, end),
  encodingLength: (value) => Request.encodingLength(value),
  encodeInto: (value, buf, offset) => Request.encodeInto(value, buf, offset)
}

/** Encoding of `Response` bodies. `decode` throws on malformed input. */
export const responseEncoding: MessageEncoding<ResponseMessage> = {
  encode: (value) => Response.encode(value),
  decode: (bytes, offset, end) => Response.decode(bytes, offset, end),
  encodingLength: (value) => Response.encodingLength(value),
  encodeInto: (value, buf, offset) => Response.encodeInto(value, buf, offset)
}
