// Picking the n smallest of a few candidates without sorting them all.

/** Largest candidate count sorted by insertion sort instead of `Array.prototype.sort`. */
const INSERTION_SORT_MAX = 24

/**
 * The `n` items with the smallest keys, smallest first. Equal keys keep their order in `items`,
 * so the result is what a stable sort by key followed by `slice(0, n)` gives; keys are compared
 * by subtraction, like k-bucket@5.1.0's comparator. Only `n` items are ever kept sorted.
 */
export function smallestByKey<T> (items: readonly T[], keys: Float64Array, n: number): T[] {
  const count = items.length
  const order = count <= n ? sortedIndices(keys, count) : selectIndices(keys, count, n)
  const out = new Array<T>(order.length)
  for (let i = 0; i < order.length; i++) out[i] = items[order[i]!]!
  return out
}

/** Total order on indices: by key, then by index (stability). */
function compare (keys: Float64Array, i: number, j: number): number {
  const d = keys[i]! - keys[j]!
  if (d < 0) return -1
  if (d > 0) return 1
  return i - j
}

function sortedIndices (keys: Float64Array, count: number): number[] {
  const order = new Array<number>(count)
  for (let i = 0; i < count; i++) order[i] = i
  sortIndices(keys, order)
  return order
}

function sortIndices (keys: Float64Array, order: number[]): void {
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
function selectIndices (keys: Float64Array, count: number, n: number): number[] {
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

function siftUp (keys: Float64Array, heap: number[], at: number): void {
  const value = heap[at]!
  while (at > 0) {
    const parent = (at - 1) >> 1
    if (compare(keys, heap[parent]!, value) >= 0) break
    heap[at] = heap[parent]!
    at = parent
  }
  heap[at] = value
}

function siftDown (keys: Float64Array, heap: number[], at: number): void {
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
