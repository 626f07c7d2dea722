import type { BootstrapResult, DHTOptions, Logger, Peer } from '@hyperdht-ts/dht-rpc'
import type { HolepuncherOptions, ModeChange, ModeSetting, NatChange, PortMappingChange, ReachabilityChange } from '@hyperdht-ts/holepunch'
import type { KeyPair } from './crypto.js'
import type { HyperDHTError } from './errors.js'

export type { KeyPair, Peer }

/** A DHT node that answered: its id is `null` only for our own store. */
export interface NodeRef extends Peer {
  id: Uint8Array | null
}

/** Store limits on top of the dht-rpc options. */
export interface HyperDHTOptions extends DHTOptions {
  /**
   * `client` (uses the DHT, in nobody's routing table), `server` (serves it), or `auto`: start as
   * a client and become a server once strangers can reach us with a consistent or open NAT
   * mapping, back to client when that is lost. Without `mode`, an explicit `ephemeral` fixes
   * the role (`true`: client). @default 'auto'
   */
  mode?: ModeSetting
  /**
   * Options of the holepuncher: mode timers, reachability probes, punching, connections, and
   * `portMapping` (ask the home router for a UDP port mapping by NAT-PMP / UPnP; off by default).
   */
  holepunch?: Omit<HolepuncherOptions, 'mode'>
  /** Announces expire this long (ms) after their last announce. @default 360000 */
  peerMaxAge?: number
  /**
   * Announces one node stores in total; beyond it the oldest announce of the network prefix
   * (/24, IPv6 /48) holding the most is evicted. @default 65536
   */
  maxPeers?: number
  /** Keys with announces; beyond it announces are evicted as for `maxPeers` until a key is free. @default 65536 */
  maxPeerKeys?: number
  /**
   * Announces stored under one key; beyond it the oldest announce, under that key, of the prefix
   * holding the most there is evicted. @default 1024
   */
  maxPeersPerKey?: number
  /** Announces stored from one host, over all keys; new ones refused beyond it. @default 256 */
  maxPeersPerHost?: number
  /** Memory budget of the announce store in accounted bytes; evicts as `maxPeers` beyond it. @default 33554432 */
  maxPeerBytes?: number
  /** Stored values expire this long (ms) after their last put. @default 7200000 */
  valueMaxAge?: number
  /** Values one node stores in total; beyond it the oldest value of the prefix holding the most is evicted. @default 16384 */
  maxValues?: number
  /** Values stored for one host; new ones refused beyond it. @default 256 */
  maxValuesPerHost?: number
  /** Memory budget of the value store in accounted bytes; evicts as `maxValues` beyond it. @default 25165824 */
  maxValueBytes?: number
  /** Clock of the stores, in ms (for tests). @default Date.now */
  now?: () => number
  /**
   * Where to log (the library never prints). Passed to the dht-rpc node (and by it to
   * udp-request); hyperdht adds a warn entry when a store cap refuses or evicts, at most one per
   * cap per minute. `console` fits. @default none: nothing is logged
   */
  logger?: Logger
}

export interface AnnounceOptions {
  /** Port to announce; 0 or absent = the port the storing nodes see us on. */
  port?: number
  /** Our LAN address, answered to lookups from the same /16. */
  localAddress?: Peer
  signal?: AbortSignal
}

export interface LookupOptions {
  /** Our LAN address: nodes then also answer LAN peers of the same /16. */
  localAddress?: Peer
  signal?: AbortSignal
}

/** One answer of a lookup: the peers a node stores for the key. */
export interface LookupResult {
  node: NodeRef
  /** The node's roundtrip token for us (`null` for our own store): `connect()` proves our address with it. */
  token: Uint8Array | null
  peers: Peer[]
  /** LAN addresses of peers in the requester's /16 (only when `localAddress` was given). */
  localPeers: Peer[]
}

/** What `announce()` resolves to once committed. */
export interface AnnounceResult {
  /** The closest nodes that received the commit. */
  committed: NodeRef[]
  /** Peers our own store (first) and those nodes already had for the key (our own address left out). */
  results: LookupResult[]
}

export interface ListenOptions {
  /** The LAN address shared with peers behind the same NAT; `false` shares none. @default our first non-internal IPv4 address */
  localAddress?: Peer | false
  /** Re-announce interval (ms). @default 120000 */
  interval?: number
}

export interface ConnectOptions {
  signal?: AbortSignal
  /** Our LAN address, for peers behind the same NAT; `false` sends none. @default our first non-internal IPv4 address */
  localAddress?: Peer | false
}

export interface AnnouncerOptions extends Omit<AnnounceOptions, 'signal'> {
  /** Re-announce interval (ms); keep it under the storing nodes' expiry. @default 120000 */
  interval?: number
  /** First retry delay (ms) after a failed announce; doubles up to `interval`. @default 2000 */
  retryDelay?: number
}

export interface ImmutablePutResult {
  /** sha256 of the value: the key to get it with. */
  hash: Uint8Array
  /** Nodes that confirmed storing it. */
  stored: NodeRef[]
}

export interface ImmutableGetResult {
  value: Uint8Array
  from: NodeRef
}

export interface MutablePutOptions {
  /** Sequence number; must be higher than the stored one to replace it. */
  seq: number
  /** 0..64 bytes; several values per key pair, one per salt. */
  salt?: Uint8Array
  signal?: AbortSignal
}

export interface MutablePutResult {
  publicKey: Uint8Array
  salt: Uint8Array | null
  seq: number
  signature: Uint8Array
  /** sha256(publicKey || salt): the target the record is stored under. */
  target: Uint8Array
  stored: NodeRef[]
}

export interface MutableGetOptions {
  salt?: Uint8Array
  /** Lowest seq wanted; older records are ignored. @default 0 */
  seq?: number
  signal?: AbortSignal
}

export interface MutableGetResult {
  value: Uint8Array
  seq: number
  signature: Uint8Array
  from: NodeRef
}

/** A node answered a value that does not verify. */
export interface TamperReport {
  command: 'immutable' | 'mutable'
  target: Uint8Array
  node: NodeRef
  reason: 'hash-mismatch' | 'invalid-signature' | 'malformed' | 'seq-too-low'
}

/** Events of {@link HyperDHT} (all on the storing side except `tampered`). */
export interface HyperDHTEvents {
  /** A peer announced itself under `key` (a valid update). */
  announce: [key: Uint8Array, peer: Peer]
  /** A peer removed its announce under `key`. */
  unannounce: [key: Uint8Array, peer: Peer]
  /** A node looked up `key`. */
  lookup: [key: Uint8Array, from: NodeRef]
  /** A node stored an immutable value with us. */
  'immutable-put': [hash: Uint8Array, from: NodeRef]
  /** A node stored (or refreshed) a mutable record with us. */
  'mutable-put': [target: Uint8Array, record: { publicKey: Uint8Array, seq: number }, from: NodeRef]
  /** While getting a value, a node answered one that does not verify; it was ignored. */
  tampered: [report: TamperReport]
  /**
   * Something non-fatal from the dht-rpc node underneath, forwarded as is (a `DHTError` or
   * `UDPRequestError`): `BOOTSTRAP_FAILED`, a dropped datagram, a failed send.
   */
  warning: [err: Error]
  /** The first bootstrap finished (successful or not; see `result.error`). */
  ready: [result: BootstrapResult]
  /**
   * A fatal socket error (`SOCKET_ERROR`): the node destroyed itself, and `close` follows.
   * Without a listener it is only logged.
   */
  error: [err: HyperDHTError]
  /** The node is destroyed and its socket closed. */
  close: []
  /** Our role switched (client <-> server). */
  mode: [change: ModeChange]
  /** Our NAT type or public address changed. */
  nat: [change: NatChange]
  /** Whether strangers can reach us changed. */
  reachability: [change: ReachabilityChange]
  /** With `holepunch.portMapping`: a port mapping was obtained, an attempt failed, or the mapping is gone. */
  portmapping: [change: PortMappingChange]
}
