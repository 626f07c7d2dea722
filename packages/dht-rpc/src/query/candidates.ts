import { compareDistance } from '@hyperdht-ts/kbucket'
import type { Peer } from '../types.js'
import { bytesEqual } from '../bytes.js'

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
  /**
   * The referrer speaks our extensions (its answer carried `to`): it only refers nodes of its
   * table, which are reachable servers, so a silent one is gone, not behind a NAT.
   */
  referredByOurs?: boolean
}

/**
 * Candidates sorted by exact XOR distance to the target, at most `max` of them, one per id.
 * Small (k = 20), so linear scans are the fast choice.
 */
export class CandidateList {
  readonly target: Uint8Array
  readonly max: number
  readonly list: Candidate[] = []

  constructor (target: Uint8Array, max: number) {
    this.target = target
    this.max = max
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

  /** Inserts `c` in order unless its id is already present or it is farther than a full list's last. Returns whether it was added. */
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
    list.splice(pos, 0, c)
    if (list.length > this.max) list.pop()
    return true
  }
}
