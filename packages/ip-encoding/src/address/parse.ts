// `host:port` strings <-> peers, for configuration and command lines (bootstrap lists, listen
// addresses). Unlike the codecs these accept DNS hostnames, since a bootstrap node may be one.

import { DEFAULT_HOST, MAX_PORT } from '../constants'
import { IpEncodingError } from '../errors'
import type { Peer } from '../types'
import { addressFamily, normalizeHost } from './host'
import { parseIPv4 } from './ipv4'
import { checkPort, describe } from './port'

/** What {@link parseAddress} accepts besides strings. */
export interface AddressLike {
  host: string
  port?: number | undefined
}

/** True for a DNS hostname (RFC 1123 labels, underscores tolerated), not ending in a number. */
function isHostname (s: string): boolean {
  if (s.length === 0 || s.length > 253) return false
  let label = 0
  let numeric = true
  let previousNumeric = true
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 46) { // '.'
      if (label === 0 || s.charCodeAt(i - 1) === 45) return false
      label = 0
      previousNumeric = numeric
      numeric = true
      continue
    }
    const digit = c >= 48 && c <= 57
    const ok = digit || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c === 45 && label > 0)
    if (!ok || ++label > 63) return false
    if (!digit) numeric = false
  }
  if (label === 0) return !previousNumeric // a trailing dot ends a fully qualified name
  return s.charCodeAt(s.length - 1) !== 45 && !numeric
}

/** Canonical IP text, or a lower-cased hostname; throws `INVALID_HOST`. */
function checkHost (host: unknown): string {
  if (typeof host !== 'string') throw IpEncodingError.INVALID_HOST(`host must be a string, got ${describe(host)}`)
  if (addressFamily(host) !== 0) return normalizeHost(host)
  if (isHostname(host)) return host.toLowerCase()
  throw IpEncodingError.INVALID_HOST(`not an IP address or hostname: ${describe(host)}`)
}

function parsePortText (text: string, input: string): number {
  if (text.length === 0 || text.length > 5) {
    throw IpEncodingError.INVALID_PORT(`invalid port in ${describe(input)}`)
  }
  let port = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 48 || c > 57) throw IpEncodingError.INVALID_PORT(`invalid port in ${describe(input)}`)
    port = port * 10 + (c - 48)
  }
  if (port < 1 || port > MAX_PORT) throw IpEncodingError.INVALID_PORT(`port must be in 1..${MAX_PORT} in ${describe(input)}`)
  return port
}

function withDefault (defaultPort: number | undefined, input: unknown): number {
  if (defaultPort === undefined) throw IpEncodingError.INVALID_PORT(`no port in ${describe(input)} and no default port`)
  return checkPort(defaultPort)
}

function isDigits (s: string): boolean {
  if (s.length === 0) return false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

/**
 * Parses an address into a {@link Peer}. Accepted forms:
 * - `'host:port'` with an IPv4 address or a DNS hostname, `'[ipv6]:port'`;
 * - `':port'`, `'port'` (digits only) or a port number: host `127.0.0.1`, as dht-rpc@2 does;
 * - `'host'`, `'[ipv6]'` or a bare `'ipv6'` (not bracketed, so never read as having a port):
 *   port `defaultPort`;
 * - `{ host, port? }`: validated, `port` defaulting to `defaultPort`.
 *
 * IP hosts come back in canonical text form, hostnames in lower case.
 * Throws `INVALID_HOST` or `INVALID_PORT` (also when there is no port and no `defaultPort`).
 */
export function parseAddress (input: string | number | AddressLike, defaultPort?: number): Peer {
  if (typeof input === 'number') return { host: DEFAULT_HOST, port: checkPort(input) }
  if (typeof input === 'object' && input !== null) {
    const host = checkHost(input.host)
    const port = input.port === undefined ? withDefault(defaultPort, input) : checkPort(input.port)
    return { host, port }
  }
  if (typeof input !== 'string') {
    throw IpEncodingError.INVALID_ARGUMENT(`expected an address string or { host, port }, got ${describe(input)}`)
  }
  if (input.length === 0) throw IpEncodingError.INVALID_HOST('empty address')

  if (input.charCodeAt(0) === 91) { // '['
    const close = input.indexOf(']')
    const inner = close === -1 ? '' : input.slice(1, close)
    if (close === -1 || addressFamily(inner) !== 6) {
      throw IpEncodingError.INVALID_HOST(`not a bracketed IPv6 address: ${describe(input)}`)
    }
    const rest = input.slice(close + 1)
    if (rest.length === 0) return { host: normalizeHost(inner), port: withDefault(defaultPort, input) }
    if (rest.charCodeAt(0) !== 58) throw IpEncodingError.INVALID_HOST(`unexpected text after ']' in ${describe(input)}`)
    return { host: normalizeHost(inner), port: parsePortText(rest.slice(1), input) }
  }

  if (isDigits(input)) return { host: DEFAULT_HOST, port: parsePortText(input, input) }

  const colon = input.indexOf(':')
  if (colon === -1) return { host: checkHost(input), port: withDefault(defaultPort, input) }
  if (input.indexOf(':', colon + 1) !== -1) {
    if (addressFamily(input) !== 6) throw IpEncodingError.INVALID_HOST(`not an address: ${describe(input)}`)
    return { host: normalizeHost(input), port: withDefault(defaultPort, input) }
  }
  const hostText = input.slice(0, colon)
  const port = parsePortText(input.slice(colon + 1), input)
  return { host: colon === 0 ? DEFAULT_HOST : checkHost(hostText), port }
}

/**
 * Formats a peer as `host:port`, or `[host]:port` for IPv6. IP hosts are printed in canonical
 * form, so the result is a stable key; hostnames are lower-cased. Throws `INVALID_HOST` or
 * `INVALID_PORT` rather than printing garbage.
 */
export function formatAddress (peer: Peer): string {
  if (typeof peer !== 'object' || peer === null) {
    throw IpEncodingError.INVALID_ARGUMENT(`expected { host, port }, got ${describe(peer)}`)
  }
  const port = checkPort(peer.port)
  const host = peer.host
  // Fast path for the common case: an already canonical dotted quad.
  if (typeof host === 'string' && parseIPv4(host) >= 0) return host + ':' + port
  const text = checkHost(host)
  return text.indexOf(':') === -1 ? text + ':' + port : '[' + text + ']:' + port
}
