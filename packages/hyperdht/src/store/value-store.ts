// Stored values of the `immutable` and `mutable` commands. Pure: no I/O, no timers; the caller
// passes the time in. Verification (sha256, ed25519) happens here so that nothing unverified is
// ever kept.
import {
  DEFAULT_MAX_VALUES,
  DEFAULT_MAX_VALUES_PER_HOST,
  DEFAULT_VALUE_MAX_AGE,
  MAX_SALT_SIZE,
  MAX_VALUE_SIZE,
  PUBLIC_KEY_LENGTH,
  SIGNATURE_LENGTH
} from '../constants.js'
import { AgeList } from './age-list.js'
import { bytesEqual, toHex } from '@hyperdht-ts/dht-rpc'
import { mutableTarget, sha256, signable, verifyDetached } from '../crypto.js'

export interface ValueStoreOptions {
  /** Values expire this long (ms) after their last put. @default 7200000 */
  maxAge?: number
  /** Values in the whole store; the oldest is evicted beyond it. @default 16384 */
  maxSize?: number
  /** Values first put by one host; refused beyond it. @default 256 */
  maxPerHost?: number
  /** Largest value in bytes. @default 1000 */
  maxValueSize?: number
}

export interface MutableRecord {
  publicKey: Uint8Array
  salt: Uint8Array | null
  seq: number
  value: Uint8Array
  signature: Uint8Array
}

export type StoreRefusal =
  | 'VALUE_TOO_LARGE'
  | 'INVALID_ARGUMENT'
  | 'HASH_MISMATCH'
  | 'INVALID_SIGNATURE'
  | 'SEQ_TOO_LOW'
  | 'HOST_FULL'

export type StoreResult =
  | { ok: true, status: 'added' | 'refreshed' | 'replaced' }
  | { ok: false, reason: StoreRefusal, current?: MutableRecord }

interface ImmutableEntry {
  older: Entry | null
  newer: Entry | null
  kind: 'immutable'
  id: string
  host: string
  time: number
  value: Uint8Array
}

interface MutableEntry {
  older: Entry | null
  newer: Entry | null
  kind: 'mutable'
  id: string
  host: string
  time: number
  record: MutableRecord
}

type Entry = ImmutableEntry | MutableEntry

export class ValueStore {
  readonly maxAge: number
  readonly maxSize: number
  readonly maxPerHost: number
  readonly maxValueSize: number
  /** Oldest put first; a re-put moves an entry to the end. */
  readonly #entries = new Map<string, Entry>()
  readonly #age = new AgeList<Entry>()
  readonly #hosts = new Map<string, number>()
  #evicted = 0

  constructor (opts: ValueStoreOptions = {}) {
    this.maxAge = opts.maxAge ?? DEFAULT_VALUE_MAX_AGE
    this.maxSize = Math.max(1, opts.maxSize ?? DEFAULT_MAX_VALUES)
    this.maxPerHost = Math.max(1, opts.maxPerHost ?? DEFAULT_MAX_VALUES_PER_HOST)
    this.maxValueSize = opts.maxValueSize ?? MAX_VALUE_SIZE
  }

  get size (): number {
    return this.#entries.size
  }

  /** Values evicted (oldest first) because the store held `maxSize`, since it was created. */
  get evicted (): number {
    return this.#evicted
  }

  stats (): { values: number, hosts: number, bytes: number } {
    let bytes = 0
    for (const e of this.#entries.values()) bytes += e.kind === 'immutable' ? e.value.length : e.record.value.length
    return { values: this.#entries.size, hosts: this.#hosts.size, bytes }
  }

  /** Stores `value` under `target` = sha256(value), put by `host`. */
  putImmutable (target: Uint8Array, value: Uint8Array, host: string, now: number): StoreResult {
    if (value.length > this.maxValueSize) return { ok: false, reason: 'VALUE_TOO_LARGE' }
    if (!bytesEqual(sha256(value), target)) return { ok: false, reason: 'HASH_MISMATCH' }
    this.prune(now)
    const id = 'i' + toHex(target)
    const prev = this.#entries.get(id)
    if (prev !== undefined) {
      this.#touch(prev, now)
      return { ok: true, status: 'refreshed' }
    }
    if (!this.#makeRoom(host)) return { ok: false, reason: 'HOST_FULL' }
    this.#add({ older: null, newer: null, kind: 'immutable', id, host, time: now, value: new Uint8Array(value) })
    return { ok: true, status: 'added' }
  }

  getImmutable (target: Uint8Array, now: number): Uint8Array | null {
    this.prune(now)
    const e = this.#entries.get('i' + toHex(target))
    return e !== undefined && e.kind === 'immutable' ? e.value : null
  }

  /**
   * Stores a signed record under `target` = sha256(publicKey || salt), keeping the highest seq.
   * A lower seq, or an equal seq with a different value, is refused with `SEQ_TOO_LOW` and the
   * stored record.
   */
  putMutable (target: Uint8Array, record: MutableRecord, host: string, now: number): StoreResult {
    const invalid = checkMutable(record, this.maxValueSize)
    if (invalid !== null) return { ok: false, reason: invalid }
    if (!bytesEqual(mutableTarget(record.publicKey, record.salt), target)) return { ok: false, reason: 'HASH_MISMATCH' }
    if (!verifyMutable(record)) return { ok: false, reason: 'INVALID_SIGNATURE' }
    this.prune(now)
    const id = 'm' + toHex(target)
    const prev = this.#entries.get(id)
    if (prev !== undefined && prev.kind === 'mutable') {
      const cur = prev.record
      if (record.seq < cur.seq || (record.seq === cur.seq && !bytesEqual(record.value, cur.value))) {
        return { ok: false, reason: 'SEQ_TOO_LOW', current: cur }
      }
      const status = record.seq === cur.seq ? 'refreshed' : 'replaced'
      prev.record = copyRecord(record)
      this.#touch(prev, now)
      return { ok: true, status }
    }
    if (!this.#makeRoom(host)) return { ok: false, reason: 'HOST_FULL' }
    this.#add({ older: null, newer: null, kind: 'mutable', id, host, time: now, record: copyRecord(record) })
    return { ok: true, status: 'added' }
  }

  getMutable (target: Uint8Array, now: number): MutableRecord | null {
    this.prune(now)
    const e = this.#entries.get('m' + toHex(target))
    return e !== undefined && e.kind === 'mutable' ? e.record : null
  }

  prune (now: number): number {
    let removed = 0
    for (let e = this.#age.oldest; e !== null && now - e.time > this.maxAge; e = this.#age.oldest) {
      this.#remove(e)
      removed++
    }
    return removed
  }

  #touch (e: Entry, now: number): void {
    e.time = now
    this.#age.touch(e)
  }

  #makeRoom (host: string): boolean {
    if ((this.#hosts.get(host) ?? 0) >= this.maxPerHost) return false
    while (this.#entries.size >= this.maxSize) {
      this.#remove(this.#age.oldest as Entry)
      this.#evicted++
    }
    return true
  }

  #add (e: Entry): void {
    this.#entries.set(e.id, e)
    this.#age.push(e)
    this.#hosts.set(e.host, (this.#hosts.get(e.host) ?? 0) + 1)
  }

  #remove (e: Entry): void {
    this.#entries.delete(e.id)
    this.#age.unlink(e)
    const n = (this.#hosts.get(e.host) ?? 1) - 1
    if (n <= 0) this.#hosts.delete(e.host)
    else this.#hosts.set(e.host, n)
  }
}

/** Shape checks of a mutable record (no signature check). */
export function checkMutable (record: MutableRecord, maxValueSize = MAX_VALUE_SIZE): StoreRefusal | null {
  if (record.value.length > maxValueSize) return 'VALUE_TOO_LARGE'
  if (record.publicKey.length !== PUBLIC_KEY_LENGTH) return 'INVALID_ARGUMENT'
  if (record.signature.length !== SIGNATURE_LENGTH) return 'INVALID_SIGNATURE'
  if (record.salt !== null && record.salt.length > MAX_SALT_SIZE) return 'INVALID_ARGUMENT'
  if (!Number.isSafeInteger(record.seq) || record.seq < 0) return 'INVALID_ARGUMENT'
  return null
}

/** True when the record's signature covers its salt, seq and value. */
export function verifyMutable (record: MutableRecord): boolean {
  return verifyDetached(signable(record.salt, record.seq, record.value), record.signature, record.publicKey)
}

// Stored bytes are copied: decoded fields are views into the datagram they came in, which the
// store must neither keep alive nor see change if the buffer is reused.
function copyRecord (r: MutableRecord): MutableRecord {
  return {
    publicKey: new Uint8Array(r.publicKey),
    salt: r.salt !== null && r.salt.length > 0 ? new Uint8Array(r.salt) : null,
    seq: r.seq,
    value: new Uint8Array(r.value),
    signature: new Uint8Array(r.signature)
  }
}
