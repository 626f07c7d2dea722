// Minimal typing of the reference implementation (k-bucket@5.1.0, a devDependency) for the
// differential test and the benchmark.
declare module 'k-bucket' {
  import { EventEmitter } from 'node:events'

  interface RefContact { id: Uint8Array, vectorClock?: number }
  interface RefNode {
    contacts: RefContact[] | null
    dontSplit: boolean
    left: RefNode | null
    right: RefNode | null
  }

  class KBucket<T extends RefContact = RefContact> extends EventEmitter {
    constructor (options?: {
      localNodeId?: Uint8Array
      numberOfNodesPerKBucket?: number
      numberOfNodesToPing?: number
      distance?: (a: Uint8Array, b: Uint8Array) => number
      arbiter?: (incumbent: T, candidate: T) => T
      metadata?: object
    })

    root: RefNode
    localNodeId: Uint8Array
    static distance (a: Uint8Array, b: Uint8Array): number
    add (contact: T): this
    get (id: Uint8Array): T | null
    remove (id: Uint8Array): this
    closest (id: Uint8Array, n?: number): T[]
    count (): number
    toArray (): T[]
    toIterable (): Iterable<T>
  }

  export = KBucket
}
