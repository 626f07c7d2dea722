import { CONTACTED_REFRESH, CONTACTED_TTL, MAX_CONTACTED } from '../constants.js'
import { dottedQuad, HostSlots } from './host-slots.js'

/** Codes of a host's entry: its one port (0..65535), or this: contacted on several ports. */
const SEVERAL = 65536
const CODES = 65537

/**
 * The hosts and the addresses (host:port) this node sent requests to, and when (ms on any clock
 * of the caller's that starts small: the times stay exact integers). A host counts as contacted
 * for `CONTACTED_TTL`, an address too. Bounded: at most `max` hosts and `max` addresses of hosts
 * contacted on several ports, the oldest contact first out; an entry moves to the newest end only
 * every `CONTACTED_REFRESH` ms (this runs for every request sent).
 *
 * Compact: most hosts are contacted on one port, so one table by host holds both (slots of a
 * {@link HostSlots}, each with one number: the time and that port, `time * 65537 + port`); the
 * addresses of a host contacted on several ports go to a map by address. Two maps of every host
 * and every address cost three times as much.
 */
export class Contacted {
  readonly max: number
  /** Each with one number: `time * CODES + code`. */
  readonly #hosts = new HostSlots({ values: 1, movable: true })
  /** Addresses of the hosts contacted on several ports (by `addressKey`); `null` while none. */
  #addresses: Map<number | string, number> | null = null

  constructor (max = MAX_CONTACTED) {
    this.max = max
  }

  /** Hosts remembered now. */
  get hosts (): number {
    return this.#hosts.size
  }

  /** We sent a request to `host:port` at `now`. */
  note (host: string, port: number, now: number): void {
    const slot = this.#hosts.get(host)
    if (slot < 0) {
      if (this.#hosts.size >= this.max && this.#hosts.size > 0) this.#hosts.delete(this.#hosts.oldest())
      if (this.max <= 0) return
      const added = this.#hosts.add(host) // before reading `values`: adding may make a new array
      this.#hosts.values[added] = now * CODES + port
      return
    }
    const value = this.#hosts.values[slot]!
    const at = Math.floor(value / CODES)
    let code = value - at * CODES
    if (code !== SEVERAL && code !== port) {
      // a second port: the host's addresses are kept by address from now on
      this.#touch(addressKey(host, code), at)
      code = SEVERAL
    }
    if (code === SEVERAL) this.#touch(addressKey(host, port), now)
    if (now - at < CONTACTED_REFRESH) {
      this.#hosts.values[slot] = at * CODES + code // in place: same order
      return
    }
    this.#hosts.touch(slot)
    this.#hosts.values[slot] = now * CODES + code
  }

  /** Whether we sent a request to `host:port` within `CONTACTED_TTL` of `now`. */
  hasAddress (host: string, port: number, now: number): boolean {
    const slot = this.#hosts.get(host)
    if (slot >= 0) {
      const value = this.#hosts.values[slot]!
      const at = Math.floor(value / CODES)
      if (value - at * CODES === port) return now - at < CONTACTED_TTL
    }
    const at = this.#addresses?.get(addressKey(host, port))
    return at !== undefined && now - at < CONTACTED_TTL
  }

  /** Whether we sent a request to `host` (any port) within `CONTACTED_TTL` of `now`. */
  hasHost (host: string, now: number): boolean {
    const slot = this.#hosts.get(host)
    return slot >= 0 && now - Math.floor(this.#hosts.values[slot]! / CODES) < CONTACTED_TTL
  }

  /** Notes `key` as contacted at `now` in the address map (same rules as the hosts). */
  #touch (key: number | string, now: number): void {
    const addresses = this.#addresses ??= new Map()
    const at = addresses.get(key)
    if (at !== undefined) {
      if (now - at < CONTACTED_REFRESH) return
      addresses.delete(key)
    } else if (addresses.size >= this.max) {
      addresses.delete(addresses.keys().next().value!)
    }
    if (this.max > 0) addresses.set(key, now)
  }
}

/**
 * The key of an address in the address map: for IPv4 the number `ip * 65536 + port` (exact in a
 * double; a string `host:port` per entry cost ~60 bytes), `host:port` otherwise. A number and a
 * string are never the same key.
 */
function addressKey (host: string, port: number): number | string {
  // a dotted quad only: `::ffff:a.b.c.d` stays a string of its own
  const v4 = dottedQuad(host)
  return v4 >= 0 ? v4 * 65536 + port : host + ':' + port
}
