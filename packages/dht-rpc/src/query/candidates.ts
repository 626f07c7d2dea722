import { compareDistance } from '@hyperdht-ts/kbucket'
import type { Peer } from '../types.js'
import { bytesEqual } from '../bytes.js'
import { addressPrefixes } from '../routing/table.js'

/** A node a query may ask, or has asked. */
export interface Candidate extends Peer {
  /** `null` for a bootstrap address whose id we do not know yet. */
  id: Uint8Array | null
  /** The node that told us about this one (for holepunching). */
  referrer: Peer | null
  /** The token this node handed us (commit phase). */
  roundtripToken: Uint8Array | null
  queried: boolean
  /** It answered (a query ends once the k closest known nodes all have). */
  responded?: boolean
  /** When the walk's request to it went out (`performance.now()`), where overdue requests are watched. */
  sentAt?: number
  /** Unanswered well past the expected round trip: the walk stopped waiting for it (see Query). */
  overdue?: boolean
  /**
   * The referrer speaks our extensions (its answer carried `to`): it only refers nodes of its
   * table, which are reachable servers, so a silent one is gone, not behind a NAT.
   */
  referredByOurs?: boolean
  /** Within the query's close range of the target (cached by the query). */
  inRange?: boolean
  /** Its /24 and /16 (IPv6: /48, /32), set by a list that limits them. */
  prefixes?: [string, string]
}

/** Places one address prefix may hold in a list (the routing table's diversity limits). */
export interface ListDiversity {
  maxPer24: number
  maxPer16: number
}

/**
 * Candidates sorted by exact XOR distance to the target, at most `max` of them, one per id.
 * Small (k = 20), so linear scans are the fast choice.
 */
export class CandidateList {
  readonly target: Uint8Array
  readonly max: number
  readonly list: Candidate[] = []
  readonly #diversity: ListDiversity | null

  /**
   * `diversity`: at most that many candidates of one /24 and of one /16, so that Sybils on few
   * addresses, answering lookups with one another, cannot take every place of a query's k closest
   * (an eclipse), as the table's limits keep them from most of its places.
   */
  constructor (target: Uint8Array, max: number, diversity: ListDiversity | null = null) {
    this.target = target
    this.max = max
    this.#diversity = diversity !== null && (diversity.maxPer24 < Infinity || diversity.maxPer16 < Infinity) ? diversity : null
  }

  get (id: Uint8Array): Candidate | null {
    for (const c of this.list) if (c.id !== null && bytesEqual(c.id, id)) return c
    return null
  }

  /** Takes `c` out of the list (a node that failed: it must not hold one of the k places). */
  remove (c: Candidate): void {
    const i = this.list.indexOf(c)
    if (i !== -1) this.list.splice(i, 1)
  }

  /**
   * Inserts `c` in order unless its id is already present, it is farther than a full list's last,
   * or its prefix holds its share of places already with closer candidates (a closer one takes the
   * farthest one's place). Returns whether it was added.
   */
  insert (c: Candidate & { id: Uint8Array }): boolean {
    const list = this.list
    const last = list[list.length - 1]
    if (list.length >= this.max && last !== undefined && last.id !== null &&
      compareDistance(this.target, c.id, last.id) >= 0) return false
    if (this.get(c.id)) return false
    let pos = list.length
    while (pos > 0) {
      const prev = list[pos - 1]!
      if (prev.id !== null && compareDistance(this.target, prev.id, c.id) <= 0) break
      pos--
    }
    if (this.#diversity !== null && !this.#makeRoom(c, pos, this.#diversity)) return false
    list.splice(pos, 0, c)
    if (list.length > this.max) list.pop()
    return true
  }

  /** Enforces the prefix limits for `c` going in at `pos`: false when it may not. */
  #makeRoom (c: Candidate, pos: number, limits: ListDiversity): boolean {
    const [p24, p16] = c.prefixes ??= addressPrefixes(c.host)
    const list = this.list
    let n24 = 0
    let n16 = 0
    let far24 = -1
    let far16 = -1
    for (let i = 0; i < list.length; i++) {
      const other = list[i]!.prefixes ??= addressPrefixes(list[i]!.host)
      if (other[1] !== p16) continue
      n16++
      far16 = i
      if (other[0] === p24) {
        n24++
        far24 = i
      }
    }
    // the farthest candidate of the full prefix gives way if it is farther than `c`
    const evict = n24 >= limits.maxPer24 ? far24 : n16 >= limits.maxPer16 ? far16 : -1
    if (evict === -1) return true
    if (evict < pos) return false
    list.splice(evict, 1)
    return true
  }
}
