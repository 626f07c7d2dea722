// IPv4 subnet arithmetic for the lab's address plan. Pure: no I/O.
import { NetlabError } from './errors.js'

export function ipToInt (ip: string): number {
  const parts = ip.split('.')
  if (parts.length !== 4) throw NetlabError.INVALID_ARGUMENT(`Not an IPv4 address: ${ip}`)
  let n = 0
  for (const part of parts) {
    const byte = Number(part)
    if (!/^\d{1,3}$/.test(part) || byte > 255) throw NetlabError.INVALID_ARGUMENT(`Not an IPv4 address: ${ip}`)
    n = n * 256 + byte
  }
  return n
}

export function intToIp (n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
}

/** An IPv4 subnet such as `192.168.1.0/24`. */
export class Subnet {
  readonly network: number
  readonly prefixLength: number

  constructor (cidr: string) {
    const [ip, len] = cidr.split('/')
    const prefixLength = Number(len)
    if (ip === undefined || !Number.isInteger(prefixLength) || prefixLength < 8 || prefixLength > 30) {
      throw NetlabError.INVALID_ARGUMENT(`Not an IPv4 subnet with a prefix length from 8 to 30: ${cidr}`)
    }
    const mask = prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0
    this.network = (ipToInt(ip) & mask) >>> 0
    this.prefixLength = prefixLength
  }

  /** Usable host addresses (network and broadcast excluded). */
  get size (): number {
    return 2 ** (32 - this.prefixLength) - 2
  }

  /** The n-th host address, from 1. */
  host (n: number): string {
    if (!Number.isInteger(n) || n < 1 || n > this.size) {
      throw NetlabError.INVALID_ARGUMENT(`Subnet ${this.toString()} has no host number ${n}`)
    }
    return intToIp(this.network + n)
  }

  contains (ip: string): boolean {
    const mask = (0xffffffff << (32 - this.prefixLength)) >>> 0
    return ((ipToInt(ip) & mask) >>> 0) === this.network
  }

  /** `address/prefixLength`, as `ip addr add` wants it. */
  withPrefix (ip: string): string {
    return `${ip}/${this.prefixLength}`
  }

  toString (): string {
    return `${intToIp(this.network)}/${this.prefixLength}`
  }
}

/**
 * Hands out the host addresses of a subnet in order, never the same one twice. With `spread`,
 * each address in a /24 of its own while there are free /24s (x.y.0.1, x.y.1.1, ..., then
 * x.y.0.2, ...): hosts on the internet sit in distinct networks, and per-prefix limits (a
 * routing table's few contacts per /24) must see them so.
 */
export class AddressPool {
  readonly subnet: Subnet
  readonly #spread: boolean
  #next: number

  /** `first` is the first host number handed out (1 = the first usable address). */
  constructor (subnet: Subnet, first = 1, options: { spread?: boolean } = {}) {
    this.subnet = subnet
    this.#next = first
    this.#spread = options.spread === true && subnet.prefixLength < 24
  }

  /** The next address not handed out yet. */
  next (): string {
    if (this.#spread) {
      const blocks = 2 ** (24 - this.subnet.prefixLength)
      const k = this.#next - 1
      const n = 1 + Math.floor(k / blocks) // the host within its /24: 1..254
      if (n > 254) throw NetlabError.INVALID_ARGUMENT(`Subnet ${this.subnet.toString()} has no free address left`)
      this.#next++
      return this.subnet.host((k % blocks) * 256 + n)
    }
    if (this.#next > this.subnet.size) {
      throw NetlabError.INVALID_ARGUMENT(`Subnet ${this.subnet.toString()} has no free address left`)
    }
    return this.subnet.host(this.#next++)
  }
}

/** The `/24` number `n` (from 1) inside the /16 that starts at `base`: `192.168.0.0`, 3 -> `192.168.3.0/24`. */
export function nthSlash24 (base: string, n: number): Subnet {
  if (!Number.isInteger(n) || n < 1 || n > 255) throw NetlabError.INVALID_ARGUMENT(`No /24 number ${n} under ${base}`)
  return new Subnet(`${intToIp(ipToInt(base) + n * 256)}/24`)
}
