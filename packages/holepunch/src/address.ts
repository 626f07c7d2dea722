// Comparing addresses: hosts are compared in canonical form, so `::FFFF:1.2.3.4` written two
// ways is one host. Non-IP strings (should never come from a socket) compare as written.
import { normalizeHost, type Peer } from '@hyperdht-ts/ip-encoding'

/** The canonical text of a host, for use as a map key. */
export function hostKey (host: string): string {
  try {
    return normalizeHost(host)
  } catch {
    return String(host).toLowerCase()
  }
}

/** A map key for a host and port. */
export function addressKey (address: Peer): string {
  return `${hostKey(address.host)}|${address.port}`
}

/** True when two addresses have the same host (canonically) and port. */
export function sameAddress (a: Peer | null | undefined, b: Peer | null | undefined): boolean {
  if (a == null || b == null) return false
  return a.port === b.port && hostKey(a.host) === hostKey(b.host)
}

/** True when `port` is an integer in 1..65535. */
export function isPort (port: unknown): port is number {
  return typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535
}

/** True when `value` looks like a `{ host, port }` with a non-empty host and a valid port. */
export function isPeer (value: unknown): value is Peer {
  if (typeof value !== 'object' || value === null) return false
  const { host, port } = value as { host?: unknown, port?: unknown }
  return typeof host === 'string' && host.length > 0 && isPort(port)
}

/**
 * Where to punch a peer: the address it claims for itself only when it is on the host the referrer
 * saw it send from (the port may differ: a peer knows its mapping better than one referrer does).
 * A claim for another host is ignored, or a lying peer could aim our probes (a birthday attempt
 * sends hundreds) at a third party.
 */
export function punchAddress (claimed: Peer | null, observed: Peer): Peer
export function punchAddress (claimed: Peer | null, observed: Peer | null): Peer | null
export function punchAddress (claimed: Peer | null, observed: Peer | null): Peer | null {
  if (claimed === null) return observed
  if (observed === null || hostKey(claimed.host) === hostKey(observed.host)) return claimed
  return observed
}
