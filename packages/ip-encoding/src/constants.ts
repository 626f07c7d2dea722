/** Bytes of an IPv4 address. */
export const IPV4_ADDRESS_BYTES = 4
/** Bytes of an IPv6 address. */
export const IPV6_ADDRESS_BYTES = 16
/** Bytes of a port (uint16, big-endian). */
export const PORT_BYTES = 2
/** Bytes of an encoded IPv4 peer: address then port. */
export const IPV4_PEER_BYTES = IPV4_ADDRESS_BYTES + PORT_BYTES
/** Bytes of an encoded IPv6 peer: address then port. */
export const IPV6_PEER_BYTES = IPV6_ADDRESS_BYTES + PORT_BYTES
/** Bytes of an encoded LAN peer (docs/protocol.md §3): last two IPv4 octets then port. */
export const LAN_PEER_BYTES = 4
/** Largest valid port. Port 0 is never valid on the wire. */
export const MAX_PORT = 65535
/** Host used by {@link parseAddress} for inputs without a host (`':8080'`, `'8080'`), as in dht-rpc@2. */
export const DEFAULT_HOST = '127.0.0.1'
