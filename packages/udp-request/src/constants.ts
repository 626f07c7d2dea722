/** Defaults and wire constants of udp-request (PROTOCOL.md §1). */

/** Default request timeout in milliseconds; the tick is a quarter of it. */
export const DEFAULT_TIMEOUT = 1000

/** The reference's tick is `timeout / TICKS_PER_TIMEOUT` (250 ms by default); the counters below count those ticks. */
export const TICKS_PER_TIMEOUT = 4

/**
 * Our timer runs this many times per reference tick (every 50 ms by default), the counters
 * scaled to match: the same retry and timeout schedule, but a per-request `timeout` shorter than
 * the instance's (an adaptive one) is honoured within `timeout / 20` instead of `timeout / 4`.
 */
export const SUBTICKS = 5

/** Idle ticks a request waits before it is retried or times out (same counter as the reference). */
export const INITIAL_TICKS = 5

/**
 * Idle ticks after each retransmission: with retry a request is resent after its first 5 idle
 * ticks, then after 4 and 8 more, and times out after 12 more (copies on ticks 0, 6, 11, 20; the
 * timeout on tick 33), exactly like the reference.
 */
export const RETRY_TICKS: readonly number[] = Object.freeze([4, 8, 12])

/** Size of the header: a uint16 with the request bit and the transaction id. */
export const HEADER_BYTES = 2

/** Top bit of the header: set for requests, clear for responses. */
export const REQUEST_BIT = 0x8000

/** Mask of the transaction id in the header. */
export const TID_MASK = 0x7fff

/** Transaction ids wrap below this value (the reference counter resets at 32767). */
export const TID_LIMIT = 32767
