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
 * Samples as parallel columns (sample `i` is entry `i` of each), at most one per remote, in the
 * order they were added. {@link NatSampler} keeps its samples this way, so that classifying
 * them after every sample allocates almost nothing and normalizes no host again.
 */
export interface SampleColumns {
  /** Samples in use; the columns may be longer. */
  count: number
  /** Our host as the remote reported it. */
  host: readonly string[]
  /** `hostKey()` of that host (hosts are compared by it). */
  hostKey: readonly string[]
  /** Our port as the remote reported it. */
  port: ArrayLike<number>
  /** When the report arrived. */
  at: ArrayLike<number>
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
  const distinctHosts = options.distinctHosts ?? true
  const oldest = options.now !== undefined && options.maxAge !== undefined ? options.now - options.maxAge : -Infinity
  // the newest unexpired sample of each remote, at the place its remote first appeared (on
  // equal times the later sample in the input wins: it was added last)
  const slot = new Map<string, number>()
  const host: string[] = []
  const port: number[] = []
  const at: number[] = []
  for (const sample of samples) {
    if (!(sample.at >= oldest)) continue
    const key = remoteKey(sample.from, distinctHosts)
    let i = slot.get(key)
    if (i === undefined) {
      i = host.length
      slot.set(key, i)
    } else if (!(sample.at >= at[i]!)) {
      continue
    }
    host[i] = sample.address.host
    port[i] = sample.address.port
    at[i] = sample.at
  }
  return classifyColumns({ count: host.length, host, hostKey: host.map(hostKey), port, at }, options)
}

/** {@link classifyNat} on samples already reduced to one per remote (see {@link SampleColumns}). */
export function classifyColumns (samples: SampleColumns, options: ClassifyNatOptions = {}): NatVerdict {
  const minRemotes = Math.max(1, options.minRemotes ?? NAT_MIN_REMOTES)
  const tolerance = Math.min(0.49, Math.max(0, options.tolerance ?? NAT_OUTLIER_TOLERANCE))
  const oldest = options.now !== undefined && options.maxAge !== undefined ? options.now - options.maxAge : -Infinity

  const order = newestFirst(samples, oldest)
  const current = dropSuperseded(samples, order, minRemotes)
  if (current === 0) return { ...UNKNOWN_NAT }

  const hostKeys = samples.hostKey
  const first = top(order, current, hostKeys)
  const onHostCount = topCount
  if (onHostCount * 2 <= current) {
    return { type: 'unknown', host: null, port: null, remotes: current, agreeing: 0 }
  }

  // the samples that report that host, newest first, at the front of `order`
  const publicKey = hostKeys[first]
  let n = 0
  for (let r = 0; r < current; r++) if (hostKeys[order[r]!] === publicKey) order[n++] = order[r]!
  const host = samples.host[first]!
  const port = samples.port[top(order, n, samples.port)]!
  const topPortCount = topCount
  const outliers = Math.floor(n * tolerance)

  if (n < minRemotes) {
    return { type: 'unknown', host, port: topPortCount * 2 > n ? port : null, remotes: current, agreeing: topPortCount }
  }

  if (topPortCount >= n - outliers && topPortCount >= minRemotes) {
    const open = options.reachability === 'reachable' &&
      (options.assumeOpen === true || (options.localAddresses ?? []).some((a) => sameAddress(a, { host, port })))
    return { type: open ? 'open' : 'consistent', host, port, remotes: current, agreeing: topPortCount }
  }

  if (topPortCount <= Math.max(1, outliers)) {
    return { type: 'random', host, port: null, remotes: current, agreeing: n }
  }

  return { type: 'unknown', host, port: topPortCount * 2 > n ? port : null, remotes: current, agreeing: topPortCount }
}

/**
 * The indices of the unexpired samples, newest first; samples of equal time stay in the order
 * they were added. Samples usually arrive in time order, so the last is the newest: read
 * backwards they are sorted but for runs of equal times (one millisecond), which are turned
 * around. Only samples out of time order need a sort.
 */
function newestFirst (samples: SampleColumns, oldest: number): number[] {
  const at = samples.at
  const order: number[] = []
  let inOrder = true
  for (let i = samples.count - 1; i >= 0; i--) {
    const t = at[i]!
    if (!(t >= oldest)) continue
    if (order.length > 0 && at[order[order.length - 1]!]! < t) inOrder = false
    order.push(i)
  }
  if (!inOrder) return order.sort((a, b) => at[b]! - at[a]! || a - b)
  for (let start = 0; start < order.length;) {
    let end = start + 1
    while (end < order.length && at[order[end]!] === at[order[start]!]) end++
    for (let a = start, b = end - 1; a < b; a++, b--) {
      const swap = order[a]!
      order[a] = order[b]!
      order[b] = swap
    }
    start = end
  }
  return order
}

/**
 * Drops samples made obsolete by an address change: when the `minRemotes` newest samples agree on
 * a host, older samples with another host are dropped; when they also agree on the port, older
 * samples with another port are dropped too. Compacts `order` (newest first) in place and returns
 * how many samples are left at its front.
 */
function dropSuperseded (samples: SampleColumns, order: number[], minRemotes: number): number {
  const { hostKey: hostKeys, port: ports } = samples
  if (order.length <= minRemotes) return order.length
  const host = hostKeys[order[0]!]
  const port = ports[order[0]!]
  let samePort = true
  for (let r = 1; r < minRemotes; r++) {
    if (hostKeys[order[r]!] !== host) return order.length
    if (ports[order[r]!] !== port) samePort = false
  }
  let kept = minRemotes
  for (let r = minRemotes; r < order.length; r++) {
    const i = order[r]!
    if (hostKeys[i] === host && (!samePort || ports[i] === port)) order[kept++] = i
  }
  return kept
}

/** The count of the value {@link top} returned last (a second result without an allocation). */
let topCount = 0

/** Above this many samples, counting goes through a map rather than comparing every pair. */
const PAIRWISE_LIMIT = 32

/**
 * The sample (an index) whose value of `column` is the most common among the first `length` of
 * `order`; on a tie, the value counted first. Its count is left in {@link topCount}.
 */
function top<T> (order: readonly number[], length: number, column: ArrayLike<T>): number {
  let best = -1
  let bestCount = 0
  if (length > PAIRWISE_LIMIT) {
    const counts = new Map<T, { first: number, count: number }>()
    for (let r = 0; r < length; r++) {
      const i = order[r]!
      const seen = counts.get(column[i]!)
      if (seen === undefined) counts.set(column[i]!, { first: i, count: 1 })
      else seen.count++
    }
    for (const { first, count } of counts.values()) {
      if (count > bestCount) {
        best = first
        bestCount = count
      }
    }
  } else {
    outer: for (let r = 0; r < length; r++) {
      const value = column[order[r]!]
      for (let q = 0; q < r; q++) if (column[order[q]!] === value) continue outer // counted already
      let count = 1
      for (let q = r + 1; q < length; q++) if (column[order[q]!] === value) count++
      if (count > bestCount) {
        best = order[r]!
        bestCount = count
      }
    }
  }
  topCount = bestCount
  return best
}
