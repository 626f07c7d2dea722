// The 4-byte LAN peer of hyperdht's `localPeers` (docs/protocol.md §3): the last two octets of an
// IPv4 address then the port. The first two octets are implied by the requester's own LAN
// address, the /16 prefix the decoder is given.

import { OCTETS, OCTETS_DOT } from '../address/ipv4'
import { hostToIPv4 } from '../address/host'
import { checkPort, describe } from '../address/port'
import { LAN_PEER_BYTES } from '../constants'
import { IpEncodingError } from '../errors'
import type { LanPrefix, Peer } from '../types'
import { checkBytes, checkEntry, checkList, checkOffset, isBytes } from './shared'
import { readPort } from './peer'

/** Codec of the 4-byte LAN peer. */
export interface LanPeerCodec {
  /** Bytes of one LAN peer: 4. */
  readonly bytesPerEntry: number
  /** Encodes one IPv4 peer as its last two octets and port (4 bytes). */
  encode (peer: Peer): Uint8Array
  /** Encodes several peers as a concatenation of 4-byte entries. */
  encodeList (peers: readonly Peer[]): Uint8Array
  /** Bytes `encodeList(peers)` produces. */
  encodingLength (peers: readonly Peer[]): number
  /**
   * Decodes a concatenation of 4-byte entries, rebuilding each address from the /16 `prefix`.
   * A trailing partial entry throws `INVALID_LENGTH`, a port 0 `INVALID_PORT`.
   */
  decode (bytes: Uint8Array, prefix: LanPrefix): Peer[]
  /** Decodes the entry at `offset` (default 0) with the /16 `prefix`. */
  decodeOne (bytes: Uint8Array, prefix: LanPrefix, offset?: number): Peer
  /** True when both prefixes name the same /16 network (the reference's `localAddress` filter). */
  samePrefix (a: LanPrefix, b: LanPrefix): boolean
}

/** The first two octets of a prefix as a 16-bit number. */
function prefixValue (prefix: LanPrefix): number {
  if (isBytes(prefix)) {
    const n = prefix.length
    if (n !== 2 && n !== 4 && n !== 6) {
      throw IpEncodingError.INVALID_LENGTH(`a LAN prefix must be 2, 4 or 6 bytes, got ${n}`)
    }
    return (prefix[0]! << 8) | prefix[1]!
  }
  if (typeof prefix === 'string') return hostToIPv4(prefix) >>> 16
  if (typeof prefix === 'object' && prefix !== null) return hostToIPv4((prefix as Peer).host) >>> 16
  throw IpEncodingError.INVALID_ARGUMENT(`a LAN prefix must be bytes, an IPv4 host or a peer, got ${describe(prefix)}`)
}

function prefixText (prefix: LanPrefix): string {
  const v = prefixValue(prefix)
  return OCTETS_DOT[v >>> 8]! + OCTETS_DOT[v & 255]!
}

function write (peer: unknown, index: number, out: Uint8Array, o: number): void {
  const e = checkEntry(peer, index)
  const v4 = hostToIPv4(e.host)
  const port = checkPort(e.port)
  out[o] = (v4 >>> 8) & 255
  out[o + 1] = v4 & 255
  out[o + 2] = port >>> 8
  out[o + 3] = port & 255
}

function read (bytes: Uint8Array, o: number, head: string): Peer {
  const port = readPort(bytes, o + 2)
  return { host: head + OCTETS_DOT[bytes[o]!]! + OCTETS[bytes[o + 1]!]!, port }
}

/** The 4-byte LAN peer codec (docs/protocol.md §3). */
export const lanPeer: LanPeerCodec = Object.freeze({
  bytesPerEntry: LAN_PEER_BYTES,

  encode (peer: Peer): Uint8Array {
    const out = new Uint8Array(LAN_PEER_BYTES)
    write(peer, 0, out, 0)
    return out
  },

  encodeList (peers: readonly Peer[]): Uint8Array {
    const list = checkList(peers)
    const out = new Uint8Array(list.length * LAN_PEER_BYTES)
    for (let i = 0; i < list.length; i++) write(list[i], i, out, i * LAN_PEER_BYTES)
    return out
  },

  encodingLength (peers: readonly Peer[]): number {
    return checkList(peers).length * LAN_PEER_BYTES
  },

  decode (bytes: Uint8Array, prefix: LanPrefix): Peer[] {
    checkBytes(bytes)
    const head = prefixText(prefix)
    const len = bytes.length
    if (len % LAN_PEER_BYTES !== 0) {
      throw IpEncodingError.INVALID_LENGTH(`${len} bytes is not a whole number of ${LAN_PEER_BYTES}-byte LAN peers`)
    }
    const n = len / LAN_PEER_BYTES
    const list: Peer[] = new Array(n)
    for (let i = 0; i < n; i++) list[i] = read(bytes, i * LAN_PEER_BYTES, head)
    return list
  },

  decodeOne (bytes: Uint8Array, prefix: LanPrefix, offset = 0): Peer {
    checkBytes(bytes)
    checkOffset(offset)
    const head = prefixText(prefix)
    if (offset + LAN_PEER_BYTES > bytes.length) {
      throw IpEncodingError.INVALID_LENGTH(`need ${LAN_PEER_BYTES} bytes at offset ${offset}, have ${Math.max(0, bytes.length - offset)}`)
    }
    return read(bytes, offset, head)
  },

  samePrefix (a: LanPrefix, b: LanPrefix): boolean {
    return prefixValue(a) === prefixValue(b)
  }
})

