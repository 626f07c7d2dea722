// Groups of entries (a network prefix's announces, say), each an age-ordered list, and an index
// that finds the group holding the most entries in O(1): the victim of a fair eviction is the
// oldest entry of the largest group. Counts only ever change by one, so the index is the
// classic bucket structure of O(1) LFU caches: groups with the same count are linked together,
// and the largest count moves by at most one per change.
import { pushNode, unlinkNode, moveToTail, type ListEnds, type Links } from './linked-list.js'

/** A group: its entries oldest first, its count, and its links among groups of the same count. */
export interface Group<T> extends ListEnds<T> {
  count: number
  /** Neighbours among the groups holding `count` entries (null at either end). */
  prevSame: Group<T> | null
  nextSame: Group<T> | null
}

/** The fields a new group starts with (spread them into an object of your own). */
export function emptyGroup<T> (): Group<T> {
  return { head: null, tail: null, count: 0, prevSame: null, nextSame: null }
}

export class FairGroups<T> {
  readonly #links: Links<T>
  /** `#first[c]` / `#last[c]`: the ends of the list of groups holding exactly `c` entries (c >= 1). */
  #first: Array<Group<T> | null> = [null]
  #last: Array<Group<T> | null> = [null]
  #max = 0

  /** `links`: the fields of an entry that chain it within its group. */
  constructor (links: Links<T>) {
    this.#links = links
  }

  /** Entries in the largest group (0 when every group is empty). */
  get max (): number {
    return this.#max
  }

  /**
   * The group holding the most entries. Among equals, the one that reached that count or was
   * written to longest ago (a group joins the end of its count's list on every change).
   */
  largest (): Group<T> | null {
    return this.#max === 0 ? null : this.#first[this.#max] ?? null
  }

  /** Appends `entry` (in no group) as the newest entry of `group`. */
  add (group: Group<T>, entry: T): void {
    pushNode(group, entry, this.#links)
    this.#leave(group)
    group.count++
    this.#join(group)
    if (group.count > this.#max) this.#max = group.count
  }

  /** Removes `entry` from `group` (which holds it). An emptied group leaves the index. */
  remove (group: Group<T>, entry: T): void {
    unlinkNode(group, entry, this.#links)
    this.#leave(group)
    group.count--
    if (group.count > 0) this.#join(group)
    // the group came down from the largest count: if it was alone there, the largest is one less
    while (this.#max > 0 && this.#first[this.#max] === null) this.#max--
    this.#shrink()
  }

  /** Makes `entry` (in `group`) the newest of its group, and the group the last of its count. */
  touch (group: Group<T>, entry: T): void {
    moveToTail(group, entry, this.#links)
    if (this.#last[group.count] === group) return
    this.#leave(group)
    this.#join(group)
  }

  #leave (g: Group<T>): void {
    if (g.count === 0) return
    if (g.prevSame !== null) g.prevSame.nextSame = g.nextSame
    else this.#first[g.count] = g.nextSame
    if (g.nextSame !== null) g.nextSame.prevSame = g.prevSame
    else this.#last[g.count] = g.prevSame
    g.prevSame = null
    g.nextSame = null
  }

  #join (g: Group<T>): void {
    const c = g.count
    while (this.#first.length <= c) {
      this.#first.push(null)
      this.#last.push(null)
    }
    const last = this.#last[c] ?? null
    g.prevSame = last
    g.nextSame = null
    if (last !== null) last.nextSame = g
    else this.#first[c] = g
    this.#last[c] = g
  }

  /** Gives back the list slots far above the largest count (amortised O(1)). */
  #shrink (): void {
    if (this.#first.length > 64 && this.#first.length > 4 * (this.#max + 1)) {
      this.#first.length = 2 * (this.#max + 1)
      this.#last.length = 2 * (this.#max + 1)
    }
  }
}
