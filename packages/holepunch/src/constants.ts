// Every default of the package, with the reason for its value. DESIGN.md explains the choices.

// ── NAT classification ──────────────────────────────────────────────────────────────────────

/**
 * Distinct remote hosts whose reports we need before classifying the NAT (and the fewest that
 * must agree on a port for `consistent`). Three is the smallest number where one lying or stale
 * remote cannot decide alone.
 * @default 3
 */
export const NAT_MIN_REMOTES = 3

/**
 * Share of remotes that may disagree with the rest and still leave a clear verdict: up to
 * `floor(n * tolerance)` outlier ports still make `consistent`, and up to that many coincident
 * ports still make `random`. Anything in between is contradictory, hence `unknown`.
 * @default 0.25
 */
export const NAT_OUTLIER_TOLERANCE = 0.25

/**
 * Samples the {@link NatSampler} keeps (one per remote, the newest). Enough to ride out a few
 * outliers; small enough that a changed address is noticed from fresh samples quickly.
 * @default 16
 */
export const NAT_MAX_SAMPLES = 16

/**
 * Age after which a NAT sample no longer counts (ms). NAT mappings can change silently (router
 * reboot, conntrack flush, new uplink); five minutes of evidence is plenty, since a live node
 * hears its address from every response.
 * @default 300_000
 */
export const NAT_SAMPLE_MAX_AGE = 5 * 60_000

// ── Reachability ────────────────────────────────────────────────────────────────────────────

/**
 * Agreeing probe outcomes from distinct helper hosts needed before a reachability verdict is
 * believed (libp2p AutoNAT suggests the same number).
 * @default 3
 */
export const REACHABILITY_CONFIRMATIONS = 3

/**
 * How long a probe outcome counts (ms). A verdict whose supporting outcomes all expired goes
 * back to `unknown`, so a node must keep probing to stay `reachable`.
 * @default 300_000
 */
export const REACHABILITY_WINDOW = 5 * 60_000

/**
 * Probe nonces remembered to refuse a replayed outcome (a nonce counts once).
 * @default 256
 */
export const REACHABILITY_MAX_NONCES = 256

// ── Mode (client/server) ────────────────────────────────────────────────────────────────────

/**
 * How long a node must stay eligible (reachable, consistent or open mapping) before `auto`
 * promotes it to server (ms). The reachability verdict already needs three confirmations; this
 * only rides out transients. With a few seconds of probing it promotes well within 2 minutes.
 * @default 30_000
 */
export const PROMOTE_AFTER = 30_000

/**
 * How long a server may stay ineligible (reachability lost or unknown, mapping no longer
 * consistent) before `auto` demotes it (ms). Together with {@link MIN_DWELL} the demotion comes
 * at most 45 s after the verdict changed, leaving 15 s of the 1-minute budget for probes.
 * @default 20_000
 */
export const DEMOTE_AFTER = 20_000

/**
 * Minimum time between two mode switches for soft reasons (ms), against flapping. Hard reasons
 * (public address change, event-loop stall) switch at once.
 * @default 45_000
 */
export const MIN_DWELL = 45_000

/**
 * A gap between two ticks of the event loop longer than this (ms) is a stall (the machine slept,
 * or the process was frozen): the node's NAT mappings and reachability may be gone.
 * @default 15_000
 */
export const STALL_THRESHOLD = 15_000

// ── Connections ─────────────────────────────────────────────────────────────────────────────

/**
 * Largest datagram a connection sends (bytes): QUIC's choice, safe under the IPv6 minimum MTU
 * (1280) minus IPv6 and UDP headers, with room for tunnels, so nothing is fragmented.
 * @default 1200
 */
export const MAX_DATAGRAM_SIZE = 1200

/**
 * Largest message `send()` accepts (bytes): one message travels in one datagram.
 * @default 1178
 */
export const MAX_MESSAGE_SIZE = MAX_DATAGRAM_SIZE - 22

/**
 * Messages in flight (sent, not yet acknowledged). Bounds the memory of both ends (the receiver's
 * reorder buffer is the same size).
 * @default 64
 */
export const SEND_WINDOW = 64

/**
 * Messages that may wait for room in the window; `send()` beyond that rejects with `QUEUE_FULL`.
 * @default 1024
 */
export const MAX_SEND_QUEUE = 1024

/**
 * Retransmission timeout before any round trip was measured (ms), as RFC 6298 recommends.
 * @default 1000
 */
export const INITIAL_RTO = 1000

/**
 * Lower bound of the retransmission timeout (ms), against spurious retransmits on jittery paths.
 * @default 200
 */
export const MIN_RTO = 200

/**
 * Upper bound of the (backed-off) retransmission timeout (ms), so a retransmit still happens a few
 * times before the idle timeout declares the peer lost.
 * @default 4000
 */
export const MAX_RTO = 4000

/**
 * Send a keepalive after this long without sending anything (ms). Linux conntrack forgets an
 * unreplied UDP flow after 30 s and many home routers after 30-60 s; 5 s keeps every mapping
 * fresh and lets a lost peer be noticed early.
 * @default 5000
 */
export const KEEPALIVE_INTERVAL = 5000

/**
 * Silence (nothing heard, or our oldest frame unacknowledged) after which the peer is lost (ms):
 * three keepalive intervals, with probes every RTO in between, so only a dead path triggers it.
 * @default 15_000
 */
export const IDLE_TIMEOUT = 15_000

/**
 * How long `close()` waits for the peer's acknowledgement of our close (ms) before it gives up
 * waiting and finishes anyway.
 * @default 5000
 */
export const CLOSE_TIMEOUT = 5000

// ── Punching ────────────────────────────────────────────────────────────────────────────────

/**
 * Lowest port a random NAT is assumed to hand out (Linux `--random-fully` picks from 1024 up).
 * @default 1024
 */
export const PORT_MIN = 1024

/**
 * Highest port.
 * @default 65535
 */
export const PORT_MAX = 65535

/**
 * Sockets the random side opens in a birthday attempt (each one a fresh mapping towards the
 * consistent side).
 * @default 256
 */
export const BIRTHDAY_SOCKETS = 256

/**
 * Probes the consistent side sends to guessed ports in a birthday attempt. With 256 sockets over
 * 64,512 ports this succeeds with probability 0.999 (DESIGN.md has the math).
 * @default 1750
 */
export const BIRTHDAY_PROBES = 1750

/**
 * Pause between two probes (ms): 100 probes a second, so the whole attempt lasts at most
 * 17.5 s and the median success comes after about 175 probes (1.75 s).
 * @default 10
 */
export const BIRTHDAY_PROBE_INTERVAL = 10

/**
 * Birthday attempts a node runs at once.
 * @default 1
 */
export const BIRTHDAY_MAX_CONCURRENT = 1

/**
 * Birthday attempts a node starts per {@link BIRTHDAY_RATE_WINDOW}.
 * @default 5
 */
export const BIRTHDAY_MAX_PER_WINDOW = 5

/**
 * The `retryAfter` a listener answers while its one birthday attempt runs (about the length of
 * one: its probes end within 17.5 s, most succeed within a few seconds).
 * @default 10000
 */
export const BIRTHDAY_BUSY_RETRY = 10_000

/**
 * Sliding window of the birthday rate limit (ms).
 * @default 60_000
 */
export const BIRTHDAY_RATE_WINDOW = 60_000

/**
 * LAN addresses of a peer behind our own public host tried at once (the best-matching first):
 * a peer may list many interfaces (docker bridges, VPNs), most of them useless to us.
 * @default 4
 */
export const LAN_ATTEMPTS = 4

// ---- the wiring (holepuncher, reachability probes, signalling, punch attempts) ----

/** PROBE frames answered per second per source host, and burst (a birthday attempt sends up to 256 at once). */
export const PROBE_ANSWER_RATE = 50
export const PROBE_ANSWER_BURST = 300

/** Between two probes of a plain punch or LAN attempt (ms). */
export const PUNCH_PROBE_INTERVAL = 100
/** How long a plain punch, LAN or direct attempt probes before giving up (ms). */
export const PUNCH_TIMEOUT = 4000
/** Between two probes from each socket of the random side of a birthday attempt (ms). */
export const BIRTHDAY_SOCKET_PROBE_INTERVAL = 1000
/** How long we wait for the peer's OPEN_ACK once a path works (ms); OPEN is resent meanwhile. */
export const OPEN_TIMEOUT = 3000
/** Between two OPEN frames while waiting (ms). */
export const OPEN_RESEND_INTERVAL = 250

/**
 * Timeout of a signalling request (`_hp_connect`), which the referrer relays before answering
 * (ms). It is sent with udp-request's retry, whose copies go out at fixed multiples of it: at
 * about 0, 0.5, 0.9 and 1.65 s, given up at about 2.75 s (measured), after the referrer's own
 * wait for the listener (`RELAY_TIMEOUT`), so that its refusal still reaches us. One datagram
 * dropped on the way (loss, or a referrer's per-IP rate limit that peers behind one NAT share)
 * then costs half a second; the listener answers a repeated offer with its first answer. (At
 * 700 ms a drop cost 0.95 s: in the NAT benchmark's same-NAT scenario, 4 to 6 of 20 connects
 * took 945-975 ms.)
 */
export const SIGNAL_TIMEOUT = 350
/** Timeout of the referrer's relayed request to the listener (`_hp_relay`) (ms). */
export const RELAY_TIMEOUT = 2500
/** `_hp_connect` requests one initiator may send a referrer per second, and burst. */
export const SIGNAL_RATE = 2
export const SIGNAL_BURST = 10

/** Reachability round: helpers asked (distinct hosts), and how often (ms). */
export const REACH_HELPERS = 5
export const REACH_INTERVAL = 60_000
/** The first round after the node has bootstrapped (ms). */
export const REACH_FIRST_DELAY = 1000
/** How long the asker waits for the stranger's datagram after its helper dispatched it (ms). */
export const DIALBACK_WAIT = 2000
/** Requests one asker may send a helper per minute, and burst. */
export const REACH_RATE_PER_MINUTE = 6
export const REACH_BURST = 6
/** Dialbacks a stranger sends to one address per minute (and burst), and per helper. */
export const DIAL_RATE_PER_MINUTE = 6
export const DIAL_BURST = 6
/** How often the event-loop stall detector ticks (ms). */
export const STALL_TICK = 1000
/** LAN addresses shared with a peer at most. */
export const MAX_LAN_ADDRESSES = 4
