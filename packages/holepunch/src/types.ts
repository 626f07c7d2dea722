import type { DatagramSocket } from '@hyperdht-ts/dht-rpc'
import type { Peer } from '@hyperdht-ts/ip-encoding'

export type { Peer }

/**
 * How our NAT maps our socket to public ports, as seen by remote nodes:
 * - `open`: reachable unsolicited, and the public address is our own (or the caller vouches for it);
 * - `consistent`: the same public port towards every remote (endpoint-independent mapping);
 * - `random`: a different public port towards each remote (endpoint-dependent, "symmetric");
 * - `unknown`: not enough, or contradictory, evidence.
 */
export type NatType = 'open' | 'consistent' | 'random' | 'unknown'

/** Whether strangers can reach us, as established by reachability probes. */
export type Reachability = 'reachable' | 'unreachable' | 'unknown'

/** The role a node plays: a `server` serves the DHT, a `client` only uses it. */
export type Mode = 'client' | 'server'

/** The configured mode: a fixed role, or `auto` (switched at runtime by the {@link ModeController}). */
export type ModeSetting = Mode | 'auto'

/** The path a connection took. */
export type ConnectionPath = 'direct' | 'lan' | 'holepunch'

/** Milliseconds on some clock (only differences matter). */
export type Clock = () => number

/** Cancels a scheduled callback; calling it again, or after the callback ran, does nothing. */
export type Cancel = () => void

/**
 * Runs `fn` once after `ms` milliseconds, returns how to cancel it. Injected into every state
 * machine of this package so that tests can run on virtual time.
 */
export type Schedule = (fn: () => void, ms: number) => Cancel

/** Where the package may log: the one `Logger` of the stack (console- and pino-compatible). */
export type { Logger } from '@hyperdht-ts/dht-rpc'

/** A UDP socket as udp-request uses one: `node:dgram`'s, or a `MemoryNetwork`'s. */
export type { DatagramSocket }

/**
 * Opens the extra sockets of reachability dialbacks and birthday attempts (unbound: the caller
 * binds it). Default: `dgram.createSocket(type)`.
 */
export type CreateSocket = (type: 'udp4' | 'udp6') => DatagramSocket
