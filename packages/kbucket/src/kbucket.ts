import { EventEmitter } from 'node:events'
import { getRandomValues } from 'node:crypto'
import {
  DEFAULT_LOCAL_NODE_ID_LENGTH,
  DEFAULT_NUMBER_OF_NODES_PER_KBUCKET,
  DEFAULT_NUMBER_OF_NODES_TO_PING
} from './constants.js'
import { defaultArbiter, xorDistance } from './distance.js'
import { KBucketError } from './errors.js'
import { BOUNDED_INSERTION_MAX, closestByXor, smallestByKey } from './select.js'
import { childFor, createLeaf, indexOfId, pushContact, removeAt, splitLeaf, type TreeNode } from './tree.js'
import type {
  ArbiterFunction,
  BucketInfo,
  Contact,
  DistanceFunction,
  KBucketEvents,
  KBucketOptions
} from './types.js'

/**
 * A Kademlia routing table: a binary tree of k-buckets keyed by id bits. Only the bucket that
 * covers the local id splits when full; a full far bucket emits `ping` instead. Pure: no I/O,
 * no timers; every event is emitted synchronously from the call that caused it.
 */
export class KBucket<T extends Contact = Contact> extends EventEmitter<KBucketEvents<T>> {
  /** The default distance, {@link xorDistance}. */
  static readonly distance: DistanceFunction = xorDistance
  /** The default arbiter: the higher `vectorClock` wins, the candidate wins ties. */
  static readonly arbiter = defaultArbiter

  /** Id of the local node; contacts must have ids of the same length. */
  readonly localNodeId: Uint8Array
  readonly numberOfNodesPerKBucket: number
  readonly numberOfNodesToPing: number
  readonly distance: DistanceFunction
  readonly arbiter: ArbiterFunction<T>
  /** Caller data; the table never reads or alters it. */
  readonly metadata: Record<string, unknown>

  #root: TreeNode<T> = createLeaf()
  #count = 0

  constructor (options: KBucketOptions<T> = {}) {
    super()
    if (options === null || typeof options !== 'object') {
      throw KBucketError.INVALID_OPTION('options must be an object')
    }
    this.localNodeId = localNodeIdOption(options.localNodeId)
    this.numberOfNodesPerKBucket = countOption('numberOfNodesPerKBucket', options.numberOfNodesPerKBucket, DEFAULT_NUMBER_OF_NODES_PER_KBUCKET)
    this.numberOfNodesToPing = countOption('numberOfNodesToPing', options.numberOfNodesToPing, DEFAULT_NUMBER_OF_NODES_TO_PING)
    this.distance = functionOption('distance', options.distance) ?? xorDistance
    this.arbiter = functionOption('arbiter', options.arbiter) ?? defaultArbiter
    if (options.metadata != null && typeof options.metadata !== 'object') {
      throw KBucketError.INVALID_OPTION('metadata must be an object')
    }
    this.metadata = { ...options.metadata }
  }

  /**
   * Adds `contact`, or refreshes it if its id is known (the arbiter picks which version stays,
   * moved to the most-recently-seen end). A full bucket covering the local id splits; a full far
   * bucket emits `ping` and leaves `contact` out. A contact whose id length differs from the
   * local id's is ignored.
   */
  add (contact: T): this {
    if (contact === null || typeof contact !== 'object' || !(contact.id instanceof Uint8Array)) {
      throw KBucketError.INVALID_CONTACT('contact.id must be a Uint8Array')
    }
    const id = contact.id
    if (id.length !== this.localNodeId.length) return this

    let node = this.#root
    let depth = 0
    for (;;) {
      while (node.contacts === null) node = childFor(node, id, depth++)
      const contacts = node.contacts

      const index = indexOfId(node, id)
      if (index >= 0) {
        this.#update(node, index, contact)
        return this
      }
      if (contacts.length < this.numberOfNodesPerKBucket) {
        pushContact(node, contact)
        this.#count++
        this.emit('added', contact)
        return this
      }
      if (node.dontSplit) {
        // (the copy of the oldest contacts only when someone listens: most offers to a full
        // bucket end here)
        if (this.listenerCount('ping') > 0) this.emit('ping', contacts.slice(0, this.numberOfNodesToPing), contact)
        return this
      }
      // Split, then keep descending from the same node, which is now an inner node.
      splitLeaf(node, depth, this.localNodeId)
    }
  }

  /** The stored contact with id `id`, or `null`. */
  get (id: Uint8Array): T | null {
    assertId(id)
    if (id.length !== this.localNodeId.length) return null
    const leaf = this.#leafFor(id)
    if (leaf.index !== null) return leaf.index.get(id) ?? null
    const index = indexOfId(leaf, id)
    return index >= 0 ? leaf.contacts![index]! : null
  }

  /** Removes the contact with id `id`, emitting `removed`; unknown ids are a no-op. */
  remove (id: Uint8Array): this {
    assertId(id)
    if (id.length !== this.localNodeId.length) return this
    const leaf = this.#leafFor(id)
    const index = indexOfId(leaf, id)
    if (index >= 0) {
      const contact = removeAt(leaf, index)
      this.#count--
      this.emit('removed', contact)
    }
    return this
  }

  /**
   * Up to `n` contacts closest to `id`, closest first, ordered by the `distance` option (ties in
   * the order the tree holds them, as k-bucket@5.1.0 does). Only the buckets nearest to `id` are
   * visited, and only `n` contacts are kept sorted.
   */
  closest (id: Uint8Array, n = Infinity): T[] {
    assertId(id)
    if (!(Number.isInteger(n) || n === Infinity) || n <= 0) {
      throw KBucketError.INVALID_COUNT('n must be a positive integer or Infinity')
    }

    // Depth-first, nearer child first: buckets come out in increasing XOR distance from `id`.
    const found: T[] = []
    const nodes: Array<TreeNode<T>> = [this.#root]
    const depths: number[] = [0]
    while (nodes.length > 0 && found.length < n) {
      const node = nodes.pop()!
      const depth = depths.pop()!
      if (node.contacts === null) {
        const near = childFor(node, id, depth)
        nodes.push(near === node.left ? node.right! : node.left!, near)
        depths.push(depth + 1, depth + 1)
      } else {
        for (const contact of node.contacts) found.push(contact)
      }
    }

    if (this.distance === xorDistance && id.length === this.localNodeId.length && n <= BOUNDED_INSERTION_MAX) {
      return closestByXor(found, id, n)
    }
    const keys: number[] = []
    for (let i = 0; i < found.length; i++) keys.push(this.distance(found[i]!.id, id))
    return smallestByKey(found, keys, n)
  }

  /** Number of contacts stored. */
  count (): number {
    return this.#count
  }

  /** Every contact, bucket by bucket (0-bits first), each bucket least recently seen first. */
  toArray (): T[] {
    const out: T[] = []
    for (const contacts of this.#leaves()) {
      for (const contact of contacts) out.push(contact)
    }
    return out
  }

  /** Like `toArray()`, but yields contacts while walking the tree. */
  * toIterable (): IterableIterator<T> {
    for (const contacts of this.#leaves()) yield * contacts
  }

  /** One entry per leaf bucket, in `toArray()` order: depth, size, id prefix, local or far. */
  buckets (): BucketInfo[] {
    const out: BucketInfo[] = []
    const nodes: Array<TreeNode<T>> = [this.#root]
    const prefixes: string[] = ['']
    while (nodes.length > 0) {
      const node = nodes.pop()!
      const prefix = prefixes.pop()!
      if (node.contacts === null) {
        nodes.push(node.right!, node.left!)
        prefixes.push(prefix + '1', prefix + '0')
      } else {
        out.push({ depth: prefix.length, size: node.contacts.length, prefix, coversLocalId: !node.dontSplit })
      }
    }
    return out
  }

  * #leaves (): Generator<T[]> {
    const nodes: Array<TreeNode<T>> = [this.#root]
    while (nodes.length > 0) {
      const node = nodes.pop()!
      if (node.contacts === null) nodes.push(node.right!, node.left!)
      else yield node.contacts
    }
  }

  #leafFor (id: Uint8Array): TreeNode<T> {
    let node = this.#root
    let depth = 0
    while (node.contacts === null) node = childFor(node, id, depth++)
    return node
  }

  #update (leaf: TreeNode<T>, index: number, candidate: T): void {
    const contacts = leaf.contacts!
    const incumbent = contacts[index]!
    const selection = this.arbiter(incumbent, candidate)
    // The stored version won against a different object: nothing changes, not even recency.
    if (selection === incumbent && incumbent !== candidate) return
    contacts.splice(index, 1)
    contacts.push(selection)
    if (selection !== incumbent) leaf.index?.replace(incumbent, selection)
    this.emit('updated', incumbent, selection)
  }
}

function assertId (id: unknown): asserts id is Uint8Array {
  if (!(id instanceof Uint8Array)) throw KBucketError.INVALID_ID('id must be a Uint8Array')
}

function localNodeIdOption (value: unknown): Uint8Array {
  if (value == null) return getRandomValues(new Uint8Array(DEFAULT_LOCAL_NODE_ID_LENGTH))
  if (!(value instanceof Uint8Array) || value.length === 0) {
    throw KBucketError.INVALID_OPTION('localNodeId must be a non-empty Uint8Array')
  }
  return value
}

// As in k-bucket@5.1.0, `null` and `undefined` both mean "use the default".

function countOption (name: string, value: unknown, fallback: number): number {
  if (value == null) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw KBucketError.INVALID_OPTION(`${name} must be a positive integer`)
  }
  return value
}

function functionOption<F> (name: string, value: F | null | undefined): F | undefined {
  if (value == null) return undefined
  if (typeof value !== 'function') throw KBucketError.INVALID_OPTION(`${name} must be a function`)
  return value
}
