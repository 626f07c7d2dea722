import { TID_LIMIT } from './constants.js'

const MIN_CAPACITY = 16
/** A power of two above every tid (they are below TID_LIMIT): at this size each tid has its own slot. */
const MAX_CAPACITY = 32768

/**
 * The requests in flight, by transaction id: an array of slots indexed by `tid & mask`, which the
 * tid allocator keeps collision-free (`isFree`). It doubles while it is at least half full, so a
 * free slot is never far from the counter.
 *
 * Why not a `Map`: on Node 20 a Map that sees a set and a delete per request rebuilds its hash
 * table every few dozen requests, and each discarded table keeps a pointer to its successor. Once
 * one discarded table is in the old generation (a full GC moves the live one there), the whole
 * chain of later tables, and every request they held, survives each scavenge and is promoted,
 * until the next full GC, which moves the then-live table and starts the chain again. In a
 * `_ping` loop that was 2.4 MB promoted per scavenge and pauses of 7-9 ms instead of 0.2 ms. An
 * array whose slots are overwritten links nothing to anything newer.
 */
export class PendingTable<T extends { readonly tid: number }> {
  #slots: Array<T | undefined> = new Array<T | undefined>(MIN_CAPACITY).fill(undefined)
  #mask = MIN_CAPACITY - 1
  #size = 0
  /** Reused by `snapshot()`. */
  #scratch: T[] = []

  get size (): number {
    return this.#size
  }

  get (tid: number): T | undefined {
    const entry = this.#slots[tid & this.#mask]
    return entry !== undefined && entry.tid === tid ? entry : undefined
  }

  /** Whether `add` may take `tid`: its slot is empty (not merely: no entry has this tid). */
  isFree (tid: number): boolean {
    return this.#slots[tid & this.#mask] === undefined
  }

  /** Adds an entry whose tid `isFree` approved. */
  add (entry: T): void {
    if (this.#size >= this.#slots.length >>> 1 && this.#slots.length < MAX_CAPACITY) this.#grow()
    const i = entry.tid & this.#mask
    if (this.#slots[i] !== undefined) throw new Error(`PendingTable: slot of tid ${entry.tid} is taken`)
    this.#slots[i] = entry
    this.#size++
  }

  /** Removes `entry` if it is the one stored under its tid. */
  delete (entry: T): boolean {
    const i = entry.tid & this.#mask
    if (this.#slots[i] !== entry) return false
    this.#slots[i] = undefined
    this.#size--
    return true
  }

  /**
   * The entries at this moment, in an array reused by the next call (a timer tick must not
   * allocate per request): callers that settle entries while they walk, and so may add or move
   * some, must not walk the slots themselves.
   */
  snapshot (): readonly T[] {
    const out = this.#scratch
    out.length = 0
    for (const entry of this.#slots) if (entry !== undefined) out.push(entry)
    return out
  }

  /** Empties the table and returns what it held, in an array of its own. */
  drain (): T[] {
    const out = this.#slots.filter((entry): entry is T => entry !== undefined)
    this.#slots.fill(undefined)
    this.#size = 0
    return out
  }

  #grow (): void {
    const old = this.#slots
    const capacity = old.length * 2
    this.#slots = new Array<T | undefined>(capacity).fill(undefined)
    this.#mask = capacity - 1
    // distinct slots under the old mask are distinct under the wider one
    for (const entry of old) if (entry !== undefined) this.#slots[entry.tid & this.#mask] = entry
  }
}

// tids are below TID_LIMIT, so at MAX_CAPACITY `tid & mask` is the tid itself
if (TID_LIMIT > MAX_CAPACITY) throw new Error('PendingTable: MAX_CAPACITY must cover every tid')
