// An intrusive doubly-linked list of entries ordered by last write, oldest first. A Map used
// as a queue degrades when many entries are deleted from its front (V8 keeps the holes until
// it rehashes), so the stores keep their age order here.

export interface AgeNode {
  time: number
  older: AgeNode | null
  newer: AgeNode | null
}

export class AgeList<T extends AgeNode> {
  #oldest: T | null = null
  #newest: T | null = null

  get oldest (): T | null {
    return this.#oldest
  }

  /** Appends `node` (not in the list) as the newest. */
  push (node: T): void {
    node.older = this.#newest
    node.newer = null
    if (this.#newest !== null) this.#newest.newer = node
    else this.#oldest = node
    this.#newest = node
  }

  /** Removes `node` (in the list). */
  unlink (node: T): void {
    if (node.older !== null) node.older.newer = node.newer
    else this.#oldest = node.newer as T | null
    if (node.newer !== null) node.newer.older = node.older
    else this.#newest = node.older as T | null
    node.older = null
    node.newer = null
  }

  /** Moves `node` (in the list) to the newest end. */
  touch (node: T): void {
    this.unlink(node)
    this.push(node)
  }
}
