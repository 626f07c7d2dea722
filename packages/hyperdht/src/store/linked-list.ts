// Intrusive doubly-linked lists: the links live in the entries themselves, in fields the list is
// told the names of, so one entry can sit in several lists at once (all entries by age, its
// prefix's entries, its key's entries of one prefix) with no allocation per membership. A Map
// used as a queue would degrade when many entries leave its front (V8 keeps the holes until it
// rehashes), so the stores keep their age orders here.

/** The two ends of a list; the object holding them may carry anything else. */
export interface ListEnds<T> {
  head: T | null
  tail: T | null
}

/** Names of the fields of `T` that may hold a `T` (or null): the candidates for links. */
export type LinkField<T> = { [K in keyof T]-?: T[K] extends T | null ? K : never }[keyof T]

/** Which fields of an entry link it to its neighbours in one list. */
export interface Links<T> {
  readonly prev: LinkField<T>
  readonly next: LinkField<T>
}

type Slots = Record<PropertyKey, unknown>

/** Appends `node` (in no list of these links) at the tail of `list`. */
export function pushNode<T> (list: ListEnds<T>, node: T, links: Links<T>): void {
  const n = node as Slots
  n[links.prev] = list.tail
  n[links.next] = null
  if (list.tail !== null) (list.tail as Slots)[links.next] = node
  else list.head = node
  list.tail = node
}

/** Removes `node` (in `list`) and clears its links, so it holds on to no neighbour. */
export function unlinkNode<T> (list: ListEnds<T>, node: T, links: Links<T>): void {
  const n = node as Slots
  const prev = n[links.prev] as T | null
  const next = n[links.next] as T | null
  if (prev !== null) (prev as Slots)[links.next] = next
  else list.head = next
  if (next !== null) (next as Slots)[links.prev] = prev
  else list.tail = prev
  n[links.prev] = null
  n[links.next] = null
}

/** Moves `node` (in `list`) to the tail. */
export function moveToTail<T> (list: ListEnds<T>, node: T, links: Links<T>): void {
  if (list.tail === node) return
  unlinkNode(list, node, links)
  pushNode(list, node, links)
}

/** The node after `node` in the list of these links. */
export function nextNode<T> (node: T, links: Links<T>): T | null {
  return (node as Slots)[links.next] as T | null
}
