// The contacts of a big leaf by id, so that finding one does not compare the id with every other.
import { idEquals } from './distance.js'
import type { Contact } from './types.js'

/**
 * Leaves that reach this many contacts get a {@link LeafIndex}. Below it the linear scan is as
 * fast (most ids differ in the first byte compared) and costs no memory; a DHT's buckets (k=20)
 * never get one. A table with a big `k` (a bucket of thousands) no longer scans the bucket on every
 * `add`, `get` and `remove`: filling one bucket with n contacts was O(n²).
 */
export const INDEX_MIN = 64

/** Contacts whose ids share a key (same last bytes, different ids). */
class Collision<T> {
  constructor (readonly contacts: T[]) {}
}

/** A leaf's contacts by {@link idKey}; the leaf's array stays the order (least recently seen first). */
export class LeafIndex<T extends Contact> {
  readonly #byKey = new Map<number, T | Collision<T>>()

  static of<T extends Contact> (contacts: readonly T[]): LeafIndex<T> {
    const index = new LeafIndex<T>()
    for (const contact of contacts) index.add(contact)
    return index
  }

  /** The contact with id `id`, if the leaf holds one. */
  get (id: Uint8Array): T | undefined {
    const entry = this.#byKey.get(idKey(id))
    if (entry === undefined) return undefined
    if (!(entry instanceof Collision)) return idEquals(entry.id, id) ? entry : undefined
    for (const contact of entry.contacts) if (idEquals(contact.id, id)) return contact
    return undefined
  }

  /** Indexes `contact`, whose id the leaf did not hold. */
  add (contact: T): void {
    const key = idKey(contact.id)
    const entry = this.#byKey.get(key)
    if (entry === undefined) this.#byKey.set(key, contact)
    else if (entry instanceof Collision) entry.contacts.push(contact)
    else this.#byKey.set(key, new Collision([entry, contact]))
  }

  /** `next` (same id) takes the place of `previous`. */
  replace (previous: T, next: T): void {
    const key = idKey(previous.id)
    const entry = this.#byKey.get(key)
    if (entry === previous) this.#byKey.set(key, next)
    else if (entry instanceof Collision) entry.contacts[entry.contacts.indexOf(previous)] = next
  }

  delete (contact: T): void {
    const key = idKey(contact.id)
    const entry = this.#byKey.get(key)
    if (entry === contact) {
      this.#byKey.delete(key)
    } else if (entry instanceof Collision) {
      const chain = entry.contacts
      const at = chain.indexOf(contact)
      if (at !== -1) chain.splice(at, 1)
      if (chain.length === 1) this.#byKey.set(key, chain[0]!)
    }
  }
}

/**
 * The id's last four bytes as a number. The ids of one bucket share their leading bits (that is
 * what puts them there) and differ in the trailing ones. Ids chosen to share them only make a
 * chain that is scanned: as slow as no index, never wrong.
 */
function idKey (id: Uint8Array): number {
  let key = 0
  for (let i = Math.max(0, id.length - 4); i < id.length; i++) key = key * 256 + id[i]!
  return key
}
