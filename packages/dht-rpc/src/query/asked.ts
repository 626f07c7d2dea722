import { bytesEqual } from '../bytes.js'
import type { Candidate } from './candidates.js'

/**
 * The candidates a walk asked, by id. Keyed by the id's first 6 bytes as a number: a string key
 * per lookup (every node of every answer is looked up) cost about 5% of a lookup's CPU. Ids that
 * share those bytes (a crafted collision) are kept side by side, so none is forgotten.
 */
export class AskedCandidates {
  readonly #byPrefix = new Map<number, Candidate | Candidate[]>()
  #size = 0

  get size (): number {
    return this.#size
  }

  get (id: Uint8Array): Candidate | undefined {
    const entry = this.#byPrefix.get(prefixKey(id))
    if (entry === undefined) return undefined
    if (!Array.isArray(entry)) return bytesEqual(entry.id!, id) ? entry : undefined
    for (const c of entry) if (bytesEqual(c.id!, id)) return c
    return undefined
  }

  /** Adds `c` unless a candidate with its id is there already. */
  add (c: Candidate & { id: Uint8Array }): void {
    const key = prefixKey(c.id)
    const entry = this.#byPrefix.get(key)
    if (entry === undefined) {
      this.#byPrefix.set(key, c)
    } else if (!Array.isArray(entry)) {
      if (bytesEqual(entry.id!, c.id)) return
      this.#byPrefix.set(key, [entry, c])
    } else {
      for (const other of entry) if (bytesEqual(other.id!, c.id)) return
      entry.push(c)
    }
    this.#size++
  }
}

/** The first 6 bytes of an id as a number (exact: below 2^53). */
function prefixKey (id: Uint8Array): number {
  return (id[0]! * 0x10000 + id[1]! * 0x100 + id[2]!) * 0x1000000 + (id[3]! * 0x10000 + id[4]! * 0x100 + id[5]!)
}
