/** Every default of `hyperdht-bootstrap`, in one place. */
import { DEFAULT_RATE_LIMIT as LIBRARY_RATE_LIMIT } from '@hyperdht-ts/dht-rpc'

/** UDP port of the DHT node. @default 49737 */
export const DEFAULT_PORT = 49737
/** Address the DHT node binds. @default '0.0.0.0' */
export const DEFAULT_HOST = '0.0.0.0'
/**
 * Address the HTTP admin endpoint binds when `--http-port` is given. Loopback: metrics and
 * status are for the operator, not for the internet. @default '127.0.0.1'
 */
export const DEFAULT_HTTP_HOST = '127.0.0.1'
/**
 * The UDP implementation (`--transport`): `dgram` is Node's own; `udx` is udx-native, a native
 * module (prebuilt, an optional dependency) that answered 2-7% more requests a second in the
 * repository's server-capacity benchmark. @default 'dgram'
 */
export const DEFAULT_TRANSPORT = 'dgram'
export const TRANSPORTS = ['dgram', 'udx'] as const

/** Log level. @default 'info' */
export const DEFAULT_LOG_LEVEL = 'info'
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const

/** The routing table is written to the state file this often (s). @default 60 */
export const DEFAULT_SAVE_INTERVAL = 60
/** The request rate is sampled this often (ms): one point of the status page's chart. @default 5000 */
export const DEFAULT_RATE_INTERVAL = 5000
/** Samples of the request rate kept (with the default interval: the last 6 minutes). @default 72 */
export const RATE_SAMPLES = 72

/**
 * Requests a second one source IP may send, sustained (`--rate-limit`): the library's default,
 * so that this server and every other node agree on what an honest peer sends. @default 5
 */
export const DEFAULT_RATE_LIMIT = LIBRARY_RATE_LIMIT.rate
/** Requests one source IP may send at once (`--rate-burst`): the library's default. @default 50 */
export const DEFAULT_RATE_BURST = LIBRARY_RATE_LIMIT.burst
/** Upper bound of `--rate-limit` and `--rate-burst`: far above what one process answers a second. */
export const MAX_RATE = 1_000_000

/** `/health` pings the node from a probe socket and waits this long for the answer (ms). @default 1000 */
export const HEALTH_TIMEOUT = 1000
/** A health verdict is reused for this long (ms), so scraping `/health` cannot flood the node. @default 1000 */
export const HEALTH_CACHE = 1000

/** Shutdown (stop answering, write state, close HTTP) must finish within this (ms), else exit 1. @default 2000 */
export const SHUTDOWN_DEADLINE = 2000

/** Format version of the state file. */
export const STATE_VERSION = 1
/** Contacts kept in the state file at most (a routing table holds a few hundred). @default 1000 */
export const STATE_MAX_NODES = 1000

/** Exit codes: 0 after a clean shutdown, 1 when the server fails, 2 for a bad command line. */
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2
