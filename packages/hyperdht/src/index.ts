/**
 * `@hyperdht-ts/hyperdht`: announce and find peers under 32-byte keys (wire-compatible with
 * hyperdht@1.3.0) and store verified values (immutable and mutable, BEP 44 style) on a
 * Kademlia DHT.
 */
export { HyperDHT, Lookup } from './hyperdht.js'
export { Announcer, type AnnouncerEvents } from './announcer.js'
export { Server, LISTEN_KEEPALIVE, type ServerEvents } from './connections.js'
export type { Connection, ConnectionEvents, Mode, ModeChange, ModeSetting, NatChange, NatType, Reachability, ReachabilityChange, HolepuncherOptions, PortMapping, PortMappingChange, PortMappingOptions, PortMappingState } from '@hyperdht-ts/holepunch'
export { HyperDHTError, type HyperDHTErrorCode } from './errors.js'
export { PeerStore, type PeerStoreOptions, type PeerStoreCap, type PeerStoreStats, type StoredPeer, type PutResult, type SelectOptions, type Selection } from './store/peer-store.js'
export { ValueStore, type ValueStoreOptions, type ValueStoreCap, type ValueStoreStats, type MutableRecord, type StoreResult, type StoreRefusal } from './store/value-store.js'
export { signable, mutableTarget } from './crypto.js'
export * from './constants.js'
export type { BootstrapResult, Logger, LogFields } from '@hyperdht-ts/dht-rpc'
export type { StoreCap } from './cap-log.js'
export type {
  AnnounceOptions,
  AnnounceResult,
  AnnouncerOptions,
  ConnectOptions,
  HyperDHTEvents,
  HyperDHTOptions,
  ImmutableGetResult,
  ImmutablePutResult,
  KeyPair,
  ListenOptions,
  LookupOptions,
  LookupResult,
  MutableGetOptions,
  MutableGetResult,
  MutablePutOptions,
  MutablePutResult,
  NodeRef,
  Peer,
  TamperReport
} from './types.js'
