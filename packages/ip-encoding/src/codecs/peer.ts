// Address-only peers: IPv4 (4 + 2 bytes, as ipv4-peers@2) and IPv6 (16 + 2 bytes, as BEP 32).

import { formatIPv4 } from '../address/ipv4'
import { formatIPv6 } from '../address/ipv6'
import { checkPort } from '../address/port'
import { hostToIPv4, writeIPv6Host } from '../address/host'
import { IPV4_PEER_BYTES, IPV6_PEER_BYTES } from '../constants'
import { IpEncodingError } from '../errors'
import type { Family, Peer, PeerCodec } from '../types'
import { listCodec } from './list'

/** Writes the IPv4 peer `host`/`port` at `o` (6 bytes). Validates both. */
export function writeIPv4Peer (host: unknown, port: unknown, out: Uint8Array, o: number): void {
  const v4 = hostToIPv4(host)
  const p = checkPort(port)
  out[o] = v4 >>> 24
  out[o + 1] = (v4 >>> 16) & 255
  out[o + 2] = (v4 >>> 8) & 255
  out[o + 3] = v4 & 255
  out[o + 4] = p >>> 8
  out[o + 5] = p & 255
}

/** Writes the IPv6 peer `host`/`port` at `o` (18 bytes). Validates both. */
export function writeIPv6Peer (host: unknown, port: unknown, out: Uint8Array, o: number): void {
  const p = checkPort(port)
  writeIPv6Host(host, out, o)
  out[o + 16] = p >>> 8
  out[o + 17] = p & 255
}

/** Reads a non-zero big-endian port at `o`; port 0 throws `INVALID_PORT`. */
export function readPort (bytes: Uint8Array, o: number): number {
  const port = (bytes[o]! << 8) | bytes[o + 1]!
  if (port === 0) throw IpEncodingError.INVALID_PORT(`port 0 at byte ${o}`)
  return port
}

/** IPv4 peers: 4 address bytes then the port, big-endian; byte-identical to ipv4-peers@2. */
export const ipv4Peers: PeerCodec = listCodec<Peer, object>(
  4,
  IPV4_PEER_BYTES,
  (e, out, o) => writeIPv4Peer(e.host, e.port, out, o),
  (bytes, o) => {
    const port = readPort(bytes, o + 4)
    return { host: formatIPv4(bytes, o), port }
  },
  {}
)

/** IPv6 peers: 16 address bytes then the port, big-endian (BEP 32 layout). */
export const ipv6Peers: PeerCodec = listCodec<Peer, object>(
  6,
  IPV6_PEER_BYTES,
  (e, out, o) => writeIPv6Peer(e.host, e.port, out, o),
  (bytes, o) => {
    const port = readPort(bytes, o + 16)
    return { host: formatIPv6(bytes, o), port }
  },
  {}
)

/** The peer codec of a family: {@link ipv4Peers} for 4, {@link ipv6Peers} for 6. */
export function peerCodec (family: Family): PeerCodec {
  if (family === 4) return ipv4Peers
  if (family === 6) return ipv6Peers
  throw IpEncodingError.INVALID_ARGUMENT(`family must be 4 or 6, got ${String(family)}`)
}
