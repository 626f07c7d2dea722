// Nodes: an id of any fixed length followed by an IPv4 or IPv6 peer.

import { formatIPv4 } from '../address/ipv4'
import { formatIPv6 } from '../address/ipv6'
import { describe } from '../address/port'
import { IPV4_PEER_BYTES, IPV6_PEER_BYTES } from '../constants'
import { IpEncodingError } from '../errors'
import type { NodeAddress, NodeCodec, NodeCodecOptions } from '../types'
import { listCodec } from './list'
import { isBytes } from './shared'
import { readPort, writeIPv4Peer, writeIPv6Peer } from './peer'

const cache = new Map<number, NodeCodec>()

/**
 * The codec of nodes with `idLength`-byte ids over `family` (default 4): each entry is the id
 * followed by the peer, `idLength + 6` bytes over IPv4 (38 for the DHT's 32-byte ids) and
 * `idLength + 18` over IPv6 (50). Decoded ids are fresh copies, never views of the input.
 */
export function nodeCodec (options: NodeCodecOptions): NodeCodec {
  if (typeof options !== 'object' || options === null) {
    throw IpEncodingError.INVALID_ARGUMENT(`options must be an object, got ${describe(options)}`)
  }
  const { idLength, family = 4 } = options
  if (typeof idLength !== 'number' || !Number.isInteger(idLength) || idLength < 1 || idLength > 65536) {
    throw IpEncodingError.INVALID_ARGUMENT(`idLength must be an integer in 1..65536, got ${describe(idLength)}`)
  }
  if (family !== 4 && family !== 6) {
    throw IpEncodingError.INVALID_ARGUMENT(`family must be 4 or 6, got ${describe(family)}`)
  }
  const key = idLength * 2 + (family === 6 ? 1 : 0)
  let codec = cache.get(key)
  if (codec === undefined) {
    codec = create(idLength, family)
    cache.set(key, codec)
  }
  return codec
}

function create (idLength: number, family: 4 | 6): NodeCodec {
  const peerBytes = family === 4 ? IPV4_PEER_BYTES : IPV6_PEER_BYTES
  const addressBytes = peerBytes - 2
  const writePeer = family === 4 ? writeIPv4Peer : writeIPv6Peer
  const formatHost = family === 4 ? formatIPv4 : formatIPv6

  return listCodec<NodeAddress, { idLength: number }>(
    family,
    idLength + peerBytes,
    (e, out, o) => {
      const id = e.id
      if (!isBytes(id) || id.length !== idLength) {
        throw IpEncodingError.INVALID_ID(`id must be a ${idLength}-byte Uint8Array, got ${describe(id)}`)
      }
      writePeer(e.host, e.port, out, o + idLength)
      out.set(id, o)
    },
    (bytes, o) => {
      const p = o + idLength
      const port = readPort(bytes, p + addressBytes)
      const id = new Uint8Array(idLength)
      for (let i = 0; i < idLength; i++) id[i] = bytes[o + i]!
      return { id, host: formatHost(bytes, p), port }
    },
    { idLength }
  ) as NodeCodec
}
