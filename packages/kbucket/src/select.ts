// Picking the n closest of a few candidates without sorting them all.
import { compareDistance } from './distance.js'
import type { Contact } from './types.js'

/** Largest candidate count sorted by insertion sort instead of `Array.prototype.sort`. */
const INSERTION_SORT_MAX = 24

/** Largest `n` served by a bounded insertion list (the common case: a DHT asks for k = 20). */
export const BOUNDED_INSERTION_MAX = 64

/**
 * `smallestByKey` for the default distance, without computing most keys: the `n` contacts of
 * `contacts` (all with ids as long as `target`) with the smallest `xorDistance` to `target`,
 * closest first, equal (rounded) distances in input order. Requires `n <= BOUNDED_INSERTION_MAX`.
 *
 * Once `n` contacts are kept, a candidate whose exact distance is not below the last kept one's
 * cannot have a smaller rounded distance either (rounding is monotonic), so it is rejected by a
 * byte comparison that usually stops at the first byte, and its distance is never computed.
 */
export function closestByXor<T extends Contact> (contacts: readonly T[], target: Uint8Array, n: number): T[] {
  const keptItems: T[] = []
  const keptKeys: number[] = []
  const length = target.length
  let size = 0
  for (let i = 0; i < contacts.length; i++) {
    const contact = contacts[i]!
    const id = contact.id
    if (size === n && compareDistance(target, id, keptItems[n - 1]!.id) >= 0) continue
    // xorDistance, inlined: same operations, same rounding.
    let key = 0
    for (let j = 0; j < length; j++) key = key * 256 + (id[j]! ^ target[j]!)
    let at: number
    if (size < n) {
      at = size++
    } else {
      if (!(key < keptKeys[n - 1]!)) continue
      at = n - 1
    }
    while (at > 0 && key < keptKeys[at - 1]!) {
      keptKeys[at] = keptKeys[at - 1]!
      keptItems[at] = keptItems[at - 1]!
      at--
    }
    keptKeys[at] = key
    keptItems[at] = contact
  }
  return keptItems
}

/**
 * The `n` items with the smallest keys, smallest first. Equal keys keep their order in `items`,
 * so the result is what a stable sort by key followed by `slice(0, n)` gives; keys are compared
 * by subtraction, like k-bucket@5.1.0's comparator. Only `n` items are ever kept sorted.
 */
export function smallestByKey<T> (items: readonly T[], keys: ArrayLike<number>, n: number): T[] {
  if (n <= BOUNDED_INSERTION_MAX) return boundedInsertion(items, keys, n)
  const count = items.length
  const order = count <= n ? sortedIndices(keys, count) : selectIndices(keys, count, n)
  const out = new Array<T>(order.length)
  for (let i = 0; i < order.length; i++) out[i] = items[order[i]!]!
  return out
}

/**
 * Keeps the best `n` seen so far in a sorted list; a candidate that is not strictly better than
 * the last kept one is rejected in O(1), which is most of them once the list is full.
 */
function boundedInsertion<T> (items: readonly T[], keys: ArrayLike<number>, n: number): T[] {
  const keptItems: T[] = []
  const keptKeys: number[] = []
  let size = 0
  for (let i = 0; i < items.length; i++) {
    const key = keys[i]!
    let at: number
    if (size < n) {
      at = size++
    } else {
      // Later candidates lose ties, so only a strictly smaller key displaces the last kept one.
      if (!(key - keptKeys[n - 1]! < 0)) continue
      at = n - 1
    }
    while (at > 0 && key - keptKeys[at - 1]! < 0) {
      keptKeys[at] = keptKeys[at - 1]!
      keptItems[at] = keptItems[at - 1]!
      at--
    }
    keptKeys[at] = key
    keptItems[at] = items[i]!
  }
  return keptItems
}

/** Total order on indices: by key, then by index (stability). */
function compare (keys: ArrayLike<number>, i: number, j: number): number {
  const d = keys[i]! - keys[j]!
  if (d < 0) return -1
  if (d > 0) return 1
  return i - j
}

function sortedIndices (keys: ArrayLike<number>, count: number): number[] {
  const order = new Array<number>(count)
  for (let i = 0; i < count; i++) order[i] = i
  sortIndices(keys, order)
  return order
}

function sortIndices (keys: ArrayLike<number>, order: number[]): void {
  if (order.length > INSERTION_SORT_MAX) {
    order.sort((i, j) => compare(keys, i, j))
    return
  }
  for (let a = 1; a < order.length; a++) {
    const value = order[a]!
    let b = a - 1
    while (b >= 0 && compare(keys, order[b]!, value) > 0) {
      order[b + 1] = order[b]!
      b--
    }
    order[b + 1] = value
  }
}

/** Indices of the `n` smallest keys (`n < count`), sorted; a bounded max-heap of size `n`. */
function selectIndices (keys: ArrayLike<number>, count: number, n: number): number[] {
  const heap = new Array<number>(n)
  for (let i = 0; i < n; i++) {
    heap[i] = i
    siftUp(keys, heap, i)
  }
  for (let i = n; i < count; i++) {
    // A later index loses every tie, so only a strictly smaller key displaces the largest kept.
    if (compare(keys, i, heap[0]!) < 0) {
      heap[0] = i
      siftDown(keys, heap, 0)
    }
  }
  sortIndices(keys, heap)
  return heap
}

function siftUp (keys: ArrayLike<number>, heap: number[], at: number): void {
  const value = heap[at]!
  while (at > 0) {
    const parent = (at - 1) >> 1
    if (compare(keys, heap[parent]!, value) >= 0) break
    heap[at] = heap[parent]!
    at = parent
  }
  heap[at] = value
}

function siftDown (keys: ArrayLike<number>, heap: number[], at: number): void {
  const size = heap.length
  const value = heap[at]!
  for (;;) {
    let child = 2 * at + 1
    if (child >= size) break
    if (child + 1 < size && compare(keys, heap[child + 1]!, heap[child]!) > 0) child++
    if (compare(keys, heap[child]!, value) <= 0) break
    heap[at] = heap[child]!
    at = child
  }
  heap[at] = value
}
