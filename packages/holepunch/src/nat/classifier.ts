// The NAT classifier: what remote nodes reported as our address in, a verdict out. Pure.
import type { Peer } from '@hyperdht-ts/ip-encoding'
import { addressKey, hostKey, sameAddress } from '../address'
import { NAT_MIN_REMOTES, NAT_OUTLIER_TOLERANCE } from '../constants'
import type { NatType, Reachability } from '../types'

/** One observation: remote `from` told us (at time `at`) that it sees us as `address`. */
export interface NatSample {
  /** The remote node that reported our address. */
  from: Peer
  /** Our address as that remote saw it (the source of our datagram after every NAT). */
  address: Peer
  /** When the report arrived (ms, any clock shared with `now`). */
  at: number
}

/** Options of {@link classifyNat}. */
export interface ClassifyNatOptions {
  /**
   * Distinct remotes needed for a verdict.
   * @default 3
   */
  minRemotes?: number
  /**
   * Count remotes by host (true) or by host and port (false). Only a testnet on loopback, where
   * every node shares one IP, should turn this off.
   * @default true
   */
  distinctHosts?: boolean
  /**
   * Share of disagreeing remotes tolerated (see {@link NAT_OUTLIER_TOLERANCE}).
   * @default 0.25
   */
  tolerance?: number
  /** Current time; with `maxAge`, samples older than `now - maxAge` are ignored. */
  now?: number
  /** Age (ms) after which a sample is ignored; needs `now`. No limit by default. */
  maxAge?: number
  /** The reachability verdict: `open` needs `reachable`. */
  reachability?: Reachability
  /**
   * The addresses our socket is bound to (one per interface when bound to a wildcard address).
   * When the public address is one of them and we are reachable, no NAT is in the way: `open`.
   */
  localAddresses?: readonly Peer[]
  /**
   * The caller vouches that the public address accepts unsolicited datagrams (a port mapping
   * made with UPnP/NAT-PMP, a configured port forward). With `reachable`, gives `open` even
   * though the public address is not ours.
   * @default false
   */
  assumeOpen?: boolean
}

/** The classifier's verdict. */
export interface NatVerdict {
  /** The mapping type (see {@link NatType}). */
  type: NatType
  /** Our public host: the one a strict majority of remotes report, else `null`. */
  host: string | null
  /**
   * Our public port: the agreed port for `open`/`consistent`; for `unknown` the port a strict
   * majority reports if there is one; `null` for `random` (each remote sees another port).
   */
  port: number | null
  /** Distinct remotes whose (newest, unexpired) samples were counted. */
  remotes: number
  /** Of those, how many report the verdict's host and port (host only for `random`). */
  agreeing: number
}

/** The verdict when there is no evidence at all. */
export const UNKNOWN_NAT: Readonly<NatVerdict> = Object.freeze({ type: 'unknown', host: null, port: null, remotes: 0, agreeing: 0 })

/** The key a sample's remote is counted under. */
export function remoteKey (from: Peer, distinctHosts = true): string {
  return distinctHosts ? hostKey(from.host) : addressKey(from)
}

/**
 * Classifies our NAT from what remote nodes report as our address.
 *
 * 1. Only the newest sample of each remote counts (remotes are hosts, or host:port without
 *    `distinctHosts`), and samples older than `maxAge` are dropped.
 * 2. Recency wins over history: when the `minRemotes` newest samples agree on a host (and port),
 *    older samples that disagree are from before an address change and are dropped.
 * 3. The public host is the host a strict majority reports; with none, `unknown`.
 * 4. Among the remotes that report that host (at least `minRemotes` of them): if all but
 *    `floor(n * tolerance)` agree on one port, `consistent`; if no port is shared by more than
 *    `max(1, floor(n * tolerance))` of them, `random`; otherwise `unknown` (contradictory).
 * 5. `consistent` becomes `open` when `reachability` is `reachable` and the public address is one
 *    of `localAddresses` (or `assumeOpen`).
 */
export function classifyNat (samples: Iterable<NatSample>, options: ClassifyNatOptions = {}): NatVerdict {
  const minRemotes = Math.max(1, options.minRemotes ?? NAT_MIN_REMOTES)
  const tolerance = Math.min(0.49, Math.max(0, options.tolerance ?? NAT_OUTLIER_TOLERANCE))
  const distinctHosts = options.distinctHosts ?? true

  const newest = newestPerRemote(samples, distinctHosts, options.now, options.maxAge)
  const current = dropSuperseded(newest, minRemotes)
  if (current.length === 0) return { ...UNKNOWN_NAT }

  const hostCounts = countBy(current, (s) => hostKey(s.address.host))
  const [topHost, topHostCount] = top(hostCounts)
  if (topHostCount * 2 <= current.length) {
    return { type: 'unknown', host: null, port: null, remotes: current.length, agreeing: 0 }
  }

  const onHost = current.filter((s) => hostKey(s.address.host) === topHost)
  const host = onHost[0]!.address.host
  const n = onHost.length
  const [topPort, topPortCount] = top(countBy(onHost, (s) => String(s.address.port)))
  const port = Number(topPort)
  const outliers = Math.floor(n * tolerance)

  if (n < minRemotes) {
    return { type: 'unknown', host, port: topPortCount * 2 > n ? port : null, remotes: current.length, agreeing: topPortCount }
  }

  if (topPortCount >= n - outliers && topPortCount >= minRemotes) {
    const open = options.reachability === 'reachable' &&
      (options.assumeOpen === true || (options.localAddresses ?? []).some((a) => sameAddress(a, { host, port })))
    return { type: open ? 'open' : 'consistent', host, port, remotes: current.length, agreeing: topPortCount }
  }

  if (topPortCount <= Math.max(1, outliers)) {
    return { type: 'random', host, port: null, remotes: current.length, agreeing: n }
  }

  return { type: 'unknown', host, port: topPortCount * 2 > n ? port : null, remotes: current.length, agreeing: topPortCount }
}

/** The newest unexpired sample of each remote, newest first. */
function newestPerRemote (samples: Iterable<NatSample>, distinctHosts: boolean, now?: number, maxAge?: number): NatSample[] {
  const oldest = now !== undefined && maxAge !== undefined ? now - maxAge : -Infinity
  const byRemote = new Map<string, NatSample>()
  for (const sample of samples) {
    if (!(sample.at >= oldest)) continue
    const key = remoteKey(sample.from, distinctHosts)
    const seen = byRemote.get(key)
    // on equal times the later sample in the input wins: it was added last
    if (seen === undefined || sample.at >= seen.at) byRemote.set(key, sample)
  }
  return [...byRemote.values()].sort((a, b) => b.at - a.at)
}

/**
 * Drops samples made obsolete by an address change: when the `minRemotes` newest samples agree on
 * a host, older samples with another host are dropped; when they also agree on the port, older
 * samples with another port are dropped too. Expects `newest` sorted newest first.
 */
function dropSuperseded (newest: NatSample[], minRemotes: number): NatSample[] {
  if (newest.length <= minRemotes) return newest
  const recent = newest.slice(0, minRemotes)
  const host = hostKey(recent[0]!.address.host)
  if (!recent.every((s) => hostKey(s.address.host) === host)) return newest
  const port = recent[0]!.address.port
  const samePort = recent.every((s) => s.address.port === port)
  return newest.filter((s, i) => i < minRemotes || (hostKey(s.address.host) === host && (!samePort || s.address.port === port)))
}

function countBy<T> (items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>()
  for (const item of items) {
    const k = key(item)
    counts.set(k, (counts.get(k) ?? 0) + 1)
  }
  return counts
}

/** The key with the highest count; on a tie, the first one counted (the newest sample's). */
function top (counts: Map<string, number>): [string, number] {
  let best: [string, number] = ['', 0]
  for (const entry of counts) if (entry[1] > best[1]) best = entry
  return best
}
