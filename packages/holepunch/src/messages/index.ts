// Typed, never-throwing wrappers over the generated codecs (schema.ts), and the address and NAT
// type encodings they use. A message that does not decode is `null`: it came from the network.
import { peerCodec, type Peer } from '@hyperdht-ts/ip-encoding'
import type { NatType } from '../types'
import { Dialback, DialRequest, DialResponse, PunchAnswer, PunchOffer, ReachRequest, ReachResponse } from './schema'

export { Dialback, DialRequest, DialResponse, PunchAnswer, PunchOffer, ReachRequest, ReachResponse }

/** `ReachResponse.status`. */
export const REACH = { DISPATCHED: 0, UNAVAILABLE: 1, RATE_LIMITED: 2 } as const
/** `DialResponse.status`. */
export const DIAL = { SENT: 0, REFUSED: 1 } as const
/** `PunchAnswer.status`. */
export const ANSWER = { ACCEPTED: 0, NOT_LISTENING: 1, REFUSED: 2, UNKNOWN_PEER: 3, RATE_LIMITED: 4, SELF: 5 } as const

const NAT_TYPES: readonly NatType[] = ['unknown', 'open', 'consistent', 'random']

export function encodeNat (type: NatType): number {
  const i = NAT_TYPES.indexOf(type)
  return i === -1 ? 0 : i
}

export function decodeNat (value: number | null | undefined): NatType {
  return NAT_TYPES[value ?? 0] ?? 'unknown'
}

/** Decodes with `decode`, or `null` for anything malformed (or absent). */
export function safeDecode<T> (decode: (b: Uint8Array) => T, bytes: Uint8Array | null | undefined): T | null {
  if (bytes === null || bytes === undefined) return null
  try {
    return decode(bytes)
  } catch {
    return null
  }
}

/** Peer (and peer list) encodings of one IP family. */
export class Addresses {
  readonly #codec

  constructor (family: 4 | 6) {
    this.#codec = peerCodec(family)
  }

  encode (peer: Peer | null): Uint8Array | null {
    if (peer === null) return null
    try {
      return this.#codec.encodeOne({ host: peer.host, port: peer.port })
    } catch {
      return null
    }
  }

  decode (bytes: Uint8Array | null | undefined): Peer | null {
    if (bytes === null || bytes === undefined || bytes.byteLength !== this.#codec.bytesPerEntry) return null
    try {
      return this.#codec.decodeOne(bytes, 0)
    } catch {
      return null
    }
  }

  /** At most `max` peers, skipping those this family cannot carry. */
  encodeList (peers: readonly Peer[], max = 8): Uint8Array | null {
    const ok: Peer[] = []
    for (const p of peers) {
      if (ok.length >= max) break
      if (this.encode(p) !== null) ok.push({ host: p.host, port: p.port })
    }
    return ok.length === 0 ? null : this.#codec.encode(ok)
  }

  /** The valid peers of a concatenation (at most `max`); a malformed list gives none. */
  decodeList (bytes: Uint8Array | null | undefined, max = 8): Peer[] {
    if (bytes === null || bytes === undefined) return []
    const size = this.#codec.bytesPerEntry
    if (bytes.byteLength % size !== 0) return []
    const out: Peer[] = []
    for (let off = 0; off < bytes.byteLength && out.length < max; off += size) {
      try {
        out.push(this.#codec.decodeOne(bytes, off))
      } catch {}
    }
    return out
  }
}
