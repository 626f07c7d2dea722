/** Defaults of netlab. Every one can be overridden where it is used. */

/**
 * First characters of every namespace a lab creates; `sweepStale()` looks for this prefix.
 * A lab's own prefix adds the owner's pid modulo 1000 and a counter: `hl421a`.
 * @default 'hl'
 */
export const DEFAULT_PREFIX = 'hl'

/**
 * Directory of the lease files that name the live owner process of each lab prefix, so a sweep
 * removes only what a dead process left behind. `/run` is a tmpfs, emptied at boot like the
 * namespaces themselves. Overridable with the `NETLAB_STATE_DIR` environment variable.
 * @default '/run/hyperdht-netlab'
 */
export const DEFAULT_STATE_DIR = '/run/hyperdht-netlab'

/**
 * The "public internet": one flat bridged segment, inside the benchmarking range 198.18.0.0/15
 * (RFC 2544), so no address of the lab can ever be a real host.
 * @default '198.18.0.0/16'
 */
export const INTERNET_SUBNET = '198.18.0.0/16'

/**
 * LAN of the n-th home router (n from 1): `192.168.<n>.0/24`, the router at `.1`.
 * @default '192.168.0.0/16'
 */
export const HOME_LAN_BASE = '192.168.0.0'

/**
 * LAN of the n-th carrier-grade NAT (n from 1): `100.64.<n>.0/24` inside the shared address
 * space 100.64.0.0/10 (RFC 6598).
 * @default '100.64.0.0'
 */
export const CGNAT_LAN_BASE = '100.64.0.0'

/**
 * Interface names inside the namespaces. Every lab interface lives inside a lab namespace, so
 * these short fixed names never collide with the host's or another lab's.
 */
export const IF_INTERNET_BRIDGE = 'br0'
export const IF_HOST = 'eth0'
export const IF_WAN = 'wan'
export const IF_LAN = 'lan'

/** Name of the filter chain that admits port-forwarded (DNAT) flows while their forward exists. */
export const FORWARD_CHAIN = 'NETLAB-FWD'

/**
 * How long `waitFor` waits for a matching message by default. Generous: tests run on loaded
 * machines and a timeout here means "it did not happen", never "it was slow".
 * @default 10000
 */
export const DEFAULT_WAIT_TIMEOUT = 10_000

/**
 * How long `destroy()` lets a spawned process exit after SIGTERM before it sends SIGKILL.
 * @default 1000
 */
export const KILL_GRACE = 1000

/**
 * How long one `ip` / `iptables` / `conntrack` command may run before it is killed.
 * @default 20000
 */
export const COMMAND_TIMEOUT = 20_000

/**
 * Lines of a process's stderr and stdout kept to explain a timeout or an early exit.
 * @default 20
 */
export const DIAGNOSTIC_LINES = 20
