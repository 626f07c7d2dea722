// Stored values of the `immutable` and `mutable` commands. Pure: no I/O, no timers; the caller
// passes the time in. Verification (sha256, ed25519) happens here so that nothing unverified is
// ever kept. Bounded by values, values per putting host and accounted bytes; a full store evicts
// fairly, the oldest value of the network prefix holding the most, so a flood from a few
// addresses or prefixes only ever displaces its own values. Every operation is O(1) amortised.
import {
  DEFAULT_MAX_VALUE_BYTES,
  DEFAULT_MAX_VALUES,
  DEFAULT_MAX_VALUES_PER_HOST,
  DEFAULT_VALUE_MAX_AGE,
  MAX_SALT_SIZE,
  MAX_VALUE_SIZE,
  PUBLIC_KEY_LENGTH,
  SIGNATURE_LENGTH,
  STORE_HOST_BYTES,
  STORE_PREFIX_BYTES,
  VALUE_ENTRY_BYTES
} from '../constants.js'
import { bytesEqual, toHex } from '@hyperdht-ts/dht-rpc'
import { mutableTarget, sha256, signable, verifyDetached } from '../crypto.js'
import { HostTable, type HostRecord } from './hosts.js'
import { moveToTail, pushNode, unlinkNode, type ListEnds, type Links } from './linked-list.js'

export interface ValueStoreOptions {
  /** Values expire this long (ms) after their last put. @default 7200000 */
  maxAge?: number
  /** Values in the whole store; beyond it one is evicted fairly. @default 16384 */
  maxSize?: number
  /** Values held for one putting host; new ones refused beyond it. @default 256 */
  maxPerHost?: number
  /** Largest value in bytes. @default 1000 */
  maxValueSize?: number
  /** Accounted bytes (values, records, host records); beyond it values are evicted fairly. @default 25165824 */
  maxBytes?: number
  /** Called for every evicted value, with its id (`i` or `m` + hex target) and the cap that evicted it. */
  onevict?: (id: string, cap: ValueStoreCap) => void
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

/** The cap that made the store evict: values or bytes. */
export type ValueStoreCap = 'size' | 'bytes'

export interface ValueStoreStats {
  values: number
  hosts: number
  /** Network prefixes (/24, /48) of the putting hosts. */
  prefixes: number
  /** Accounted bytes, at most `maxBytes`. */
  bytes: number
}

// One byte array per value: an immutable value as is, a mutable record as
// publicKey (32) | signature (64) | salt | value, handed out as views.
interface Entry {
  readonly id: string
  readonly mutable: boolean
  /** The host the value counts for: the latest putter that had room, else the one before. */
  readonly host: HostRecord<Entry>
  data: Uint8Array
  saltLength: number
  seq: number
  /** ms since the store's first operation (a small integer, unlike a Date.now() value). */
  time: number
  older: Entry | null
  newer: Entry | null
  pOlder: Entry | null
  pNewer: Entry | null
}

const AGE: Links<Entry> = { prev: 'older', next: 'newer' }
const PREFIX: Links<Entry> = { prev: 'pOlder', next: 'pNewer' }
const RECORD_HEAD = PUBLIC_KEY_LENGTH + SIGNATURE_LENGTH

export class ValueStore {
  readonly maxAge: number
  readonly maxSize: number
  readonly maxPerHost: number
  readonly maxValueSize: number
  readonly maxBytes: number
  readonly #onevict: ValueStoreOptions['onevict']
  readonly #entries = new Map<string, Entry>()
  readonly #age: ListEnds<Entry> = { head: null, tail: null }
  readonly #hosts = new HostTable<Entry>(PREFIX, STORE_HOST_BYTES, STORE_PREFIX_BYTES)
  /** Bytes of the entries (the host table counts its own). */
  #bytes = 0
  #evicted = 0
  #lastEviction: ValueStoreCap | null = null
  #base: number | null = null

  constructor (opts: ValueStoreOptions = {}) {
    this.maxAge = opts.maxAge ?? DEFAULT_VALUE_MAX_AGE
    this.maxSize = Math.max(1, opts.maxSize ?? DEFAULT_MAX_VALUES)
    this.maxPerHost = Math.max(1, opts.maxPerHost ?? DEFAULT_MAX_VALUES_PER_HOST)
    this.maxValueSize = opts.maxValueSize ?? MAX_VALUE_SIZE
    // one value of the largest kind, alone in the store, always fits
    this.maxBytes = Math.max(ValueStore.entryBytes(RECORD_HEAD + MAX_SALT_SIZE + this.maxValueSize) + STORE_HOST_BYTES + STORE_PREFIX_BYTES,
      opts.maxBytes ?? DEFAULT_MAX_VALUE_BYTES)
    this.#onevict = opts.onevict
  }

  /** Accounted bytes of one value holding `dataLength` bytes (value, or key + signature + salt + value). */
  static entryBytes (dataLength: number): number {
    return VALUE_ENTRY_BYTES + dataLength
  }

  get size (): number {
    return this.#entries.size
  }

  /** Accounted bytes of everything stored (at most `maxBytes`). */
  get bytes (): number {
    return this.#bytes + this.#hosts.bytes
  }

  /**
   * Values evicted to make room since the store was created, by `maxSize` or `maxBytes`:
   * fairly, the oldest of the network prefix holding the most.
   */
  get evicted (): number {
    return this.#evicted
  }

  /** The cap behind the latest eviction, or null before any. */
  get lastEviction (): ValueStoreCap | null {
    return this.#lastEviction
  }

  stats (): ValueStoreStats {
    return { values: this.#entries.size, hosts: this.#hosts.hosts, prefixes: this.#hosts.prefixes, bytes: this.bytes }
  }

  /** Stores `value` under `target` = sha256(value), put by `host`. */
  putImmutable (target: Uint8Array, value: Uint8Array, host: string, now: number): StoreResult {
    if (value.length > this.maxValueSize) return { ok: false, reason: 'VALUE_TOO_LARGE' }
    if (!bytesEqual(sha256(value), target)) return { ok: false, reason: 'HASH_MISMATCH' }
    this.prune(now)
    const id = 'i' + toHex(target)
    const prev = this.#entries.get(id)
    if (prev !== undefined) {
      this.#rewrite(prev, host, prev.data, 0, 0, now)
      return { ok: true, status: 'refreshed' }
    }
    if (this.#hosts.count(host) >= this.maxPerHost) return { ok: false, reason: 'HOST_FULL' }
    this.#insert(id, false, host, new Uint8Array(value), 0, 0, now)
    return { ok: true, status: 'added' }
  }

  getImmutable (target: Uint8Array, now: number): Uint8Array | null {
    this.prune(now)
    const e = this.#entries.get('i' + toHex(target))
    return e !== undefined ? e.data : null
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
    const saltLength = record.salt === null ? 0 : record.salt.length
    if (prev !== undefined) {
      const cur = recordView(prev)
      if (record.seq < cur.seq || (record.seq === cur.seq && !bytesEqual(record.value, cur.value))) {
        return { ok: false, reason: 'SEQ_TOO_LOW', current: cur }
      }
      const status = record.seq === cur.seq ? 'refreshed' : 'replaced'
      this.#rewrite(prev, host, status === 'refreshed' ? prev.data : packRecord(record), saltLength, record.seq, now)
      return { ok: true, status }
    }
    if (this.#hosts.count(host) >= this.maxPerHost) return { ok: false, reason: 'HOST_FULL' }
    this.#insert(id, true, host, packRecord(record), saltLength, record.seq, now)
    return { ok: true, status: 'added' }
  }

  getMutable (target: Uint8Array, now: number): MutableRecord | null {
    this.prune(now)
    const e = this.#entries.get('m' + toHex(target))
    return e !== undefined ? recordView(e) : null
  }

  prune (now: number): number {
    if (this.#base === null) return 0
    const time = now - this.#base
    let removed = 0
    for (let e = this.#age.head; e !== null && time - e.time > this.maxAge; e = this.#age.head) {
      this.#remove(e)
      removed++
    }
    return removed
  }

  #time (now: number): number {
    if (this.#base === null) this.#base = now
    return now - this.#base
  }

  /**
   * A put of a stored value: it now counts for `host` (the latest putter) unless that host is
   * full. Same host and size: updated in place; otherwise stored anew (making room if it grew).
   */
  #rewrite (prev: Entry, host: string, data: Uint8Array, saltLength: number, seq: number, now: number): void {
    const owner = prev.host.name !== host && this.#hosts.count(host) < this.maxPerHost ? host : prev.host.name
    if (owner === prev.host.name && data.length === prev.data.length) {
      prev.data = data
      prev.saltLength = saltLength
      prev.seq = seq
      prev.time = this.#time(now)
      moveToTail(this.#age, prev, AGE)
      this.#hosts.touch(prev.host, prev)
      return
    }
    this.#remove(prev)
    this.#insert(prev.id, prev.mutable, owner, data, saltLength, seq, now)
  }

  /** Stores a new value, first evicting fairly while a cap would be exceeded. */
  #insert (id: string, mutable: boolean, host: string, data: Uint8Array, saltLength: number, seq: number, now: number): void {
    const cost = ValueStore.entryBytes(data.length)
    for (;;) {
      const cap: ValueStoreCap | null = this.#entries.size >= this.maxSize
        ? 'size'
        : this.bytes + cost + STORE_HOST_BYTES + STORE_PREFIX_BYTES > this.maxBytes &&
          this.bytes + cost + this.#hosts.newRecordBytes(host) > this.maxBytes
          ? 'bytes'
          : null
      if (cap === null) break
      const victim = this.#hosts.victim() as Entry
      this.#remove(victim)
      this.#evicted++
      this.#lastEviction = cap
      this.#onevict?.(victim.id, cap)
    }
    const rec = this.#hosts.acquire(host)
    const e: Entry = { id, mutable, host: rec, data, saltLength, seq, time: this.#time(now), older: null, newer: null, pOlder: null, pNewer: null }
    this.#entries.set(id, e)
    pushNode(this.#age, e, AGE)
    this.#hosts.add(rec, e)
    this.#bytes += cost
  }

  #remove (e: Entry): void {
    this.#entries.delete(e.id)
    unlinkNode(this.#age, e, AGE)
    this.#hosts.remove(e.host, e)
    this.#bytes -= ValueStore.entryBytes(e.data.length)
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

// Stored bytes are copied: decoded fields may be views into the datagram they came in, which the
// store must neither keep alive nor see change if the buffer is reused.
function packRecord (r: MutableRecord): Uint8Array {
  const salt = r.salt ?? EMPTY
  const out = new Uint8Array(RECORD_HEAD + salt.length + r.value.length)
  out.set(r.publicKey, 0)
  out.set(r.signature, PUBLIC_KEY_LENGTH)
  out.set(salt, RECORD_HEAD)
  out.set(r.value, RECORD_HEAD + salt.length)
  return out
}

function recordView (e: Entry): MutableRecord {
  const d = e.data
  const saltEnd = RECORD_HEAD + e.saltLength
  return {
    publicKey: d.subarray(0, PUBLIC_KEY_LENGTH),
    salt: e.saltLength > 0 ? d.subarray(RECORD_HEAD, saltEnd) : null,
    seq: e.seq,
    value: d.subarray(saltEnd),
    signature: d.subarray(PUBLIC_KEY_LENGTH, RECORD_HEAD)
  }
}

const EMPTY = new Uint8Array(0)
