/** All defaults of the package, in one place. */

/** Name of the dht-rpc command of hyperdht@1.3.0 (PROTOCOL.md §3). */
export const PEERS_COMMAND = 'peers'
/** Extension command: content-addressed values (docs/protocol.md). */
export const IMMUTABLE_COMMAND = 'immutable'
/** Extension command: signed, sequenced values (docs/protocol.md). */
export const MUTABLE_COMMAND = 'mutable'

/** `type` field of a `peers` request. */
export const PEERS_LOOKUP = 0
export const PEERS_ANNOUNCE = 1
export const PEERS_UNANNOUNCE = 2

/** Key and target length in bytes. */
export const KEY_LENGTH = 32

/** Announces expire this long after the last announce (ms). The reference uses 6 * 60 * 1024. */
export const DEFAULT_PEER_MAX_AGE = 6 * 60 * 1000
/**
 * At most this many announces in one node's store (the reference's cap); beyond it the oldest
 * announce of the network prefix holding the most is evicted.
 * @default 65536
 */
export const DEFAULT_MAX_PEERS = 65_536
/**
 * At most this many keys with announces in one node's store; beyond it announces of the prefix
 * holding the most are evicted (oldest first) until a key is free.
 * @default 65536
 */
export const DEFAULT_MAX_PEER_KEYS = 65_536
/**
 * At most this many announces under one key; beyond it the oldest announce, under that key, of
 * the prefix holding the most announces under it is evicted.
 * @default 1024
 */
export const DEFAULT_MAX_PEERS_PER_KEY = 1024
/** At most this many announces from one host, over all keys; beyond it new ones are refused. @default 256 */
export const DEFAULT_MAX_PEERS_PER_HOST = 256
/**
 * Memory budget of the announce store, in accounted bytes (see {@link PEER_ENTRY_BYTES}); beyond
 * it announces of the prefix holding the most are evicted, oldest first.
 * @default 33554432 (32 MiB)
 */
export const DEFAULT_MAX_PEER_BYTES = 32 * 1024 * 1024
/** A `peers` response carries at most this many bytes of peers (the reference's 900). */
export const MAX_PEERS_RESPONSE_BYTES = 900

/** A store cap that keeps being hit is logged at most once per this many ms (with a count of the rest). */
export const CAP_LOG_INTERVAL = 60_000

/** BEP 44: values are at most 1000 bytes. */
export const MAX_VALUE_SIZE = 1000
/** BEP 44: salts are at most 64 bytes. */
export const MAX_SALT_SIZE = 64
/** Stored values expire this long after the last put (ms), as BEP 44's two hours. */
export const DEFAULT_VALUE_MAX_AGE = 2 * 60 * 60 * 1000
/**
 * At most this many stored values (immutable + mutable) in one node; beyond it the oldest value
 * of the network prefix holding the most is evicted.
 * @default 16384
 */
export const DEFAULT_MAX_VALUES = 16_384
/** At most this many stored values put by one host; beyond it new ones are refused. @default 256 */
export const DEFAULT_MAX_VALUES_PER_HOST = 256
/**
 * Memory budget of the value store, in accounted bytes (see {@link VALUE_ENTRY_BYTES}); beyond
 * it values of the prefix holding the most are evicted, oldest first.
 * @default 25165824 (24 MiB)
 */
export const DEFAULT_MAX_VALUE_BYTES = 24 * 1024 * 1024

/*
 * What the stores count against their byte budgets: measured V8 heap (plus ArrayBuffer memory)
 * per item on Node 20 x64 by `bench/store-memory.ts`, rounded up, so that the accounted bytes
 * stay at or above the real heap the store holds. Payload bytes (peer, key, value, record) are
 * added on top where they vary.
 */
/** Fixed cost of one stored announce: entry object, id, map and list slots (measured ~215). */
export const PEER_ENTRY_BYTES = 288
/** Extra cost of an announce with a LAN address (a 6-character string, measured ~24). */
export const PEER_LAN_BYTES = 32
/** Fixed cost of one key with announces: its hex id, record, entry list, map slot (measured ~265). */
export const PEER_KEY_BYTES = 336
/** Fixed cost of one (key, prefix) group, kept only for keys that reached their per-key cap. */
export const PEER_KEY_GROUP_BYTES = 160
/** Fixed cost of one stored value: entry object, hex id, map slot, byte array (measured ~445). */
export const VALUE_ENTRY_BYTES = 544
/** Fixed cost of one storing host's record: its address, per-host count, map slot (measured ~115). */
export const STORE_HOST_BYTES = 144
/** Fixed cost of one network prefix's record and fair-index group (measured ~185). */
export const STORE_PREFIX_BYTES = 208

/** ed25519 sizes. */
export const PUBLIC_KEY_LENGTH = 32
export const SECRET_KEY_LENGTH = 64
export const SIGNATURE_LENGTH = 64
export const SEED_LENGTH = 32
