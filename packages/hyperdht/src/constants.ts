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
/** At most this many announces in one node's store (the reference's cap). */
export const DEFAULT_MAX_PEERS = 65_536
/** At most this many announces under one key. */
export const DEFAULT_MAX_PEERS_PER_KEY = 1024
/** At most this many announces from one host, over all keys. */
export const DEFAULT_MAX_PEERS_PER_HOST = 256
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
/** At most this many stored values (immutable + mutable) in one node. */
export const DEFAULT_MAX_VALUES = 16_384
/** At most this many stored values put by one host. */
export const DEFAULT_MAX_VALUES_PER_HOST = 256

/** ed25519 sizes. */
export const PUBLIC_KEY_LENGTH = 32
export const SECRET_KEY_LENGTH = 64
export const SIGNATURE_LENGTH = 64
export const SEED_LENGTH = 32
