// Who stored what: a record per storing host (its entry count, for the per-host cap) and per
// network prefix (/24 for IPv4, /48 for IPv6: one site, one provider customer), each prefix a
// group of the fair index. A full store evicts the oldest entry of the prefix holding the most,
// so a flood from a few addresses or prefixes only ever displaces its own entries.
import { prefix24 } from '@hyperdht-ts/ip-encoding'
import { FairGroups, type Group } from './fair-groups.js'
import type { Links } from './linked-list.js'

export interface PrefixRecord<T> extends Group<T> {
  readonly name: string
  /** Host records under this prefix. */
  hosts: number
}

export interface HostRecord<T> {
  readonly name: string
  /** Unique among the records alive at the same time (an entry id can use it). */
  readonly id: number
  /** Entries stored for this host. */
  count: number
  readonly prefix: PrefixRecord<T>
}

/**
 * The prefix a host's entries count towards: `a.b.c.0/24` for IPv4 (and IPv4-mapped IPv6), the
 * /48 for IPv6. Something that is not an IP address (only pure-store callers pass those) is a
 * prefix of its own.
 */
export function prefixOf (host: string): string {
  try {
    return prefix24(host)
  } catch {
    return host
  }
}

export class HostTable<T> {
  readonly #hosts = new Map<string, HostRecord<T>>()
  readonly #prefixes = new Map<string, PrefixRecord<T>>()
  readonly #fair: FairGroups<T>
  readonly #hostBytes: number
  readonly #prefixBytes: number
  #ids = 0

  /** `links`: the entry fields chaining it within its prefix; the byte costs of the records. */
  constructor (links: Links<T>, hostBytes: number, prefixBytes: number) {
    this.#fair = new FairGroups(links)
    this.#hostBytes = hostBytes
    this.#prefixBytes = prefixBytes
  }

  get hosts (): number {
    return this.#hosts.size
  }

  get prefixes (): number {
    return this.#prefixes.size
  }

  /** Bytes the host and prefix records account for. */
  get bytes (): number {
    return this.#hosts.size * this.#hostBytes + this.#prefixes.size * this.#prefixBytes
  }

  get (host: string): HostRecord<T> | undefined {
    return this.#hosts.get(host)
  }

  /** Entries `host` holds. */
  count (host: string): number {
    return this.#hosts.get(host)?.count ?? 0
  }

  /** The prefix record of `host`, if it has one (its prefix computed once per call). */
  prefix (host: string): PrefixRecord<T> | undefined {
    return this.#hosts.get(host)?.prefix ?? this.#prefixes.get(prefixOf(host))
  }

  /** Bytes that storing a first entry for `host` would add in records. */
  newRecordBytes (host: string): number {
    if (this.#hosts.has(host)) return 0
    return this.#hostBytes + (this.#prefixes.has(prefixOf(host)) ? 0 : this.#prefixBytes)
  }

  /** The oldest entry of the prefix holding the most entries: the victim of a fair eviction. */
  victim (): T | null {
    return this.#fair.largest()?.head ?? null
  }

  /** Entries in the largest prefix. */
  get largest (): number {
    return this.#fair.max
  }

  /**
   * The record of `host`, created (with its prefix's) if it has none. A new record holds no
   * entry: give it one with {@link add} before anything can be removed.
   */
  acquire (host: string): HostRecord<T> {
    let rec = this.#hosts.get(host)
    if (rec !== undefined) return rec
    const name = prefixOf(host)
    let prefix = this.#prefixes.get(name)
    if (prefix === undefined) {
      // a literal, not a spread of emptyGroup(): V8 gives spread objects a costlier shape
      prefix = { head: null, tail: null, count: 0, prevSame: null, nextSame: null, name, hosts: 0 }
      this.#prefixes.set(name, prefix)
    }
    prefix.hosts++
    rec = { name: host, id: this.#ids++, count: 0, prefix }
    this.#hosts.set(host, rec)
    return rec
  }

  /** Counts `entry` (in no prefix list) as the newest entry of `rec` and its prefix. */
  add (rec: HostRecord<T>, entry: T): void {
    rec.count++
    this.#fair.add(rec.prefix, entry)
  }

  /** Uncounts `entry` of `rec`, dropping the records it leaves empty. */
  remove (rec: HostRecord<T>, entry: T): void {
    this.#fair.remove(rec.prefix, entry)
    if (--rec.count > 0) return
    this.#hosts.delete(rec.name)
    if (--rec.prefix.hosts === 0) this.#prefixes.delete(rec.prefix.name)
  }

  /** Makes `entry` of `rec` the newest of its prefix. */
  touch (rec: HostRecord<T>, entry: T): void {
    this.#fair.touch(rec.prefix, entry)
  }
}
