/**
 * A routing-table entry. Only `id` is required; `vectorClock` is read by the default arbiter.
 * Keep any other fields you need (address, last seen, …) by giving `KBucket` a type argument,
 * e.g. `new KBucket<{ id: Uint8Array, host: string, port: number }>()`.
 */
export interface Contact {
  /** Node id. Must have the same byte length as the table's `localNodeId`. */
  id: Uint8Array
  /** Version counter used by the default arbiter: the higher one wins. */
  vectorClock?: number
}

/** Distance between two ids; smaller is closer. Called as `distance(contact.id, target)`. */
export type DistanceFunction = (a: Uint8Array, b: Uint8Array) => number

/**
 * Picks which of two contacts with the same id the table keeps. Must return one of its two
 * arguments.
 */
export type ArbiterFunction<T extends Contact = Contact> = (incumbent: T, candidate: T) => T

export interface KBucketOptions<T extends Contact = Contact> {
  /**
   * Id of the local node; every contact id must have the same byte length.
   * @default 20 random bytes
   */
  localNodeId?: Uint8Array
  /**
   * Number of contacts a bucket holds before it is split (near the local id) or full.
   * @default 20
   */
  numberOfNodesPerKBucket?: number
  /**
   * Number of least-recently-seen contacts passed to `ping` when a far bucket is full.
   * @default 3
   */
  numberOfNodesToPing?: number
  /**
   * Distance used to order `closest()` results.
   * @default xorDistance
   */
  distance?: DistanceFunction
  /**
   * Resolves a re-add of a known id.
   * @default defaultArbiter (higher `vectorClock` wins; on a tie the candidate wins)
   */
  arbiter?: ArbiterFunction<T>
  /**
   * Caller data kept on `table.metadata` (shallow-copied, never read or altered by the table).
   * @default {}
   */
  metadata?: Record<string, unknown>
}

/** Events of a {@link KBucket}, for Node's typed `EventEmitter`. */
export type KBucketEvents<T extends Contact = Contact> = {
  /** A new contact was stored. */
  added: [contact: T]
  /** A contact was removed by `remove(id)`. */
  removed: [contact: T]
  /** A known id was added again; `selection` (chosen by the arbiter) is now the stored contact. */
  updated: [incumbent: T, selection: T]
  /**
   * A far bucket is full, so `newContact` was not added. `oldContacts` are the bucket's
   * least-recently-seen contacts: ping them, `remove()` those that do not answer and `add()`
   * `newContact` again.
   */
  ping: [oldContacts: T[], newContact: T]
}

/** One leaf bucket of the tree, as reported by `buckets()`. */
export interface BucketInfo {
  /** Number of leading id bits shared by every id this bucket covers (0 for the root). */
  depth: number
  /** Number of contacts stored. */
  size: number
  /** The covered id prefix as a string of `depth` bits, e.g. `'0110'`. */
  prefix: string
  /** Whether the bucket covers the local id (the only kind of bucket that splits when full). */
  coversLocalId: boolean
}
