/** Every default of the `hyperdht` command, in one place. */

/** Port of the testnet's bootstrap node, and of the default bootstrap address. @default 49737 */
export const DEFAULT_PORT = 49737

/** Host the testnet binds, and the default bootstrap host. @default '127.0.0.1' */
export const DEFAULT_HOST = '127.0.0.1'

/**
 * Bootstrap nodes when neither a flag, `HYPERDHT_BOOTSTRAP` nor the config file names any: the
 * local testnet (`hyperdht testnet`). There is no public network of these nodes yet.
 * @default ['127.0.0.1:49737']
 */
export const DEFAULT_BOOTSTRAP = [`${DEFAULT_HOST}:${DEFAULT_PORT}`]

/** Nodes a testnet starts besides its bootstrap node. @default 20 */
export const DEFAULT_TESTNET_SIZE = 20

/** Nodes that join a testnet at once (spares the CPU while it starts). @default 8 */
export const TESTNET_JOIN_BATCH = 8

/** How often the live status line is redrawn on a terminal (ms). @default 1000 */
export const STATUS_INTERVAL = 1000

/** Server events of the same kind, key and peer within this window print as one line (ms). @default 300 */
export const EVENT_COALESCE = 300

/** How long a `ping` waits for each answer before it counts as lost (ms). @default 2000 */
export const PING_TIMEOUT = 2000

/** After Ctrl-C, the process exits anyway after this long (ms), even if cleanup hangs. @default 5000 */
export const SHUTDOWN_TIMEOUT = 5000

/** Environment variables read (flags win over them; they win over the config file). */
export const ENV = {
  bootstrap: 'HYPERDHT_BOOTSTRAP',
  host: 'HYPERDHT_HOST',
  listenPort: 'HYPERDHT_LISTEN_PORT',
  mode: 'HYPERDHT_MODE',
  config: 'HYPERDHT_CONFIG'
} as const

/** The config file, under `$XDG_CONFIG_HOME` (default `~/.config`). */
export const CONFIG_DIR = 'hyperdht'
export const CONFIG_FILE = 'config.json'
/** The console's history, next to the config file. */
export const HISTORY_FILE = 'console-history'
/** Lines of console history kept. @default 500 */
export const HISTORY_SIZE = 500

/** Exit codes. */
export const EXIT_OK = 0
/** The operation failed (unreachable bootstrap, busy port, nothing found, ...). */
export const EXIT_FAILURE = 1
/** The command line was wrong (unknown flag, bad key, bad address, ...). */
export const EXIT_USAGE = 2
/** Stopped by a second Ctrl-C before cleanup finished (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130
