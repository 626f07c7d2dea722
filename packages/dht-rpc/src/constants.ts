/** Every default of the package, in one place. */

/** Length in bytes of node ids and query targets. */
export const ID_LENGTH = 32
/** Kademlia k: bucket size, nodes per response, closest set of a query. */
export const K = 20
/** Default requests in flight per query (Kademlia's alpha, generous: the reference's 16). */
export const DEFAULT_CONCURRENCY = 16
/**
 * Requests in flight of a walk while it converges (Kademlia's alpha): until the closest nodes it
 * knows answered or its candidates are near enough to be among the k closest (see `query()`), a
 * walk asks this many at a time, then up to its `concurrency`. Asking 16 far nodes at once cost
 * ~15 requests per lookup that ended outside the k closest.
 */
export const WALK_ALPHA = 3
/**
 * Default node-wide window of query requests in flight (all queries together); more wait in the
 * queue. Larger than one query's concurrency, so that one query stuck on silent nodes never
 * holds every slot.
 */
export const DEFAULT_MAX_INFLIGHT = 128
/**
 * Requests in flight of a background query (bootstrap, bucket refresh) while user queries run,
 * as the reference does (`max(2, concurrency / 8)`).
 */
export const BACKGROUND_CONCURRENCY = 2
/** Pings (user pings, table upkeep, contact verification) have their own lane of this many in flight. */
export const PING_CONCURRENCY = 16
/** Pings that may wait in their lane; upkeep beyond it is skipped, a user ping gets `QUEUE_FULL`. */
export const PING_MAX_QUEUE = 1024
/** Contacts waiting for a verification ping (a request with an id but no roundtrip token). */
export const MAX_VERIFYING = 64
/** Default request timeout handed to udp-request (ms); with its 250 ms tick a request fails after ~1.25 s. */
export const DEFAULT_TIMEOUT = 1000
/** Default bound of the request queue behind the in-flight window. */
export const DEFAULT_MAX_QUEUE = 16384
/** Default port when a bootstrap string names none (the reference's default). */
export const DEFAULT_PORT = 3282
/**
 * Floor of an adaptive query timeout (ms): with round trips of a millisecond a silent node is
 * given up after this long, not after the full `timeout`. Above it, `srtt + 4 * rttvar`.
 */
export const MIN_ADAPTIVE_TIMEOUT = 200
/**
 * A walk (a lookup's or an update's) stops waiting for a request unanswered after
 * `srtt + 4 * rttvar`, at least this long (ms), while the request itself runs on until the walk
 * ends: the timeout's floor (`MIN_ADAPTIVE_TIMEOUT`) keeps a request from failing early on a busy
 * node, but a vanished node need not hold a walk that long (where answers take a millisecond,
 * 30 times the whole walk).
 */
export const MIN_OVERDUE = 10
/** A bootstrap that nobody answered is tried again after this long, doubling up to `REBOOTSTRAP_TICKS` ticks (ms). */
export const REBOOTSTRAP_FIRST_RETRY = 1000
/** How often the maintenance tick runs (ms). */
export const TICK_INTERVAL = 5000
/** Every this many ticks (~40 s) the least recently seen nodes are pinged, this many of them. */
export const PING_EVERY_TICKS = 8
export const UPKEEP_PINGS = 3
/**
 * After an upkeep round removed a contact that stopped answering, rounds run every tick for this
 * many ticks (~40 s), each removal extending it: nodes are leaving, and the rest of the table
 * likely holds more of them. Not when nothing at all answered us meanwhile (we are the one
 * offline). Without churn the rate stays one round every `PING_EVERY_TICKS`.
 */
export const CHURN_CHECK_TICKS = 8
/**
 * Contacts pinged per round while checking for churn (`UPKEEP_PINGS` otherwise): a table of ~80
 * contacts is checked in under a minute. A burst of pings per tick, only while contacts keep failing.
 */
export const CHURN_CHECK_PINGS = 8
/** A node seen within this many ticks (~15 s) counts as fresh and is not re-pinged. */
export const FRESH_TICKS = 3
/** While the table holds fewer than K nodes, re-bootstrap every this many ticks (~60 s). */
export const REBOOTSTRAP_TICKS = 12
/**
 * Bucket refresh (after the bootstrap lookup, then every `REFRESH_TICKS`): a far bucket with
 * fewer nodes than this gets a lookup for a random id in its range, stopped once it holds this many.
 */
export const REFRESH_MIN_NODES = 5
/** Requests in flight of a bucket-refresh lookup (Kademlia's alpha). */
export const REFRESH_CONCURRENCY = 3
/** Every this many ticks (~10 min) the far buckets are refreshed again. */
export const REFRESH_TICKS = 120
/** How often roundtrip-token secrets rotate (ms). Tokens stay valid for up to two periods. */
export const SECRET_ROTATE_INTERVAL = 5 * 60 * 1000
/** A table node whose query requests failed (timed out) this many times in a row is removed. */
export const MAX_FAILURES = 3
/** IP diversity: contacts of one /24 (IPv6 /48) per bucket (common-prefix length with our id). */
export const DEFAULT_MAX_PER_24_PER_BUCKET = 2
/** IP diversity: contacts of one /16 (IPv6 /32) in the whole routing table. */
export const DEFAULT_MAX_PER_16 = 10
/** Contacts pinged when a full bucket receives a newcomer. */
export const NODES_TO_PING = 3
/**
 * Default largest `value` (bytes) of a request: bigger incoming requests are dropped and counted
 * (`stats.dropped.tooLarge`), bigger outgoing ones refused with `VALUE_TOO_LARGE`. The reference
 * sets no limit; its own values (`peers` requests) are a few bytes, ours (stored values) at most
 * about 1.1 KB.
 */
export const MAX_VALUE_SIZE = 16384

/** Holepunch `_ping`s one requester may have us relay: per second, and burst. */
export const RELAY_RATE = 5
export const RELAY_BURST = 20
/** Holepunch `_ping`s we relay per second for everyone together, and burst. */
export const RELAY_TOTAL_RATE = 200
export const RELAY_TOTAL_BURST = 400
/**
 * Hosts we remember having sent requests to, with the port (for accepting relayed pings and
 * reachability checks, and never banning them); as many addresses again of hosts contacted on
 * several ports.
 */
export const MAX_CONTACTED = 8192
/** An address we sent a request to within this many ms counts as contacted. */
export const CONTACTED_TTL = 5 * 60 * 1000
/** How stale a contacted address's time may get before a new request refreshes it (ms). */
export const CONTACTED_REFRESH = 30 * 1000

/** Built-in command names. */
export const PING = '_ping'
export const FIND_NODE = '_find_node'
