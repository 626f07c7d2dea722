/**
 * `@hyperdht-ts/ip-encoding`: pure codecs between addresses and bytes for the DHT wire format
 * (docs/protocol.md), plus the address helpers the DHT needs.
 */
export type {
  BufferCodec,
  Codec,
  Family,
  LanPrefix,
  NodeAddress,
  NodeCodec,
  NodeCodecOptions,
  Peer,
  PeerCodec
} from './types'
export type { IpEncodingErrorCode } from './errors'
export type { LanPeerCodec } from './codecs/lan-peer'
export type { AddressLike } from './address/parse'

export { IpEncodingError } from './errors'
export { IPV4_PEER_BYTES, IPV6_PEER_BYTES, LAN_PEER_BYTES } from './constants'
export { ipv4Peers, ipv6Peers, peerCodec } from './codecs/peer'
export { nodeCodec } from './codecs/node'
export { lanPeer } from './codecs/lan-peer'
export { addressFamily, hostKey, ipv4Text, ipv4Value, normalizeHost, prefix16, prefix24 } from './address/host'
export { formatAddress, parseAddress } from './address/parse'
