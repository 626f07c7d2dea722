// Host strings: family detection, canonical text, diversity prefixes, and the strict host -> bytes
// conversions the codecs use.

import { IpEncodingError } from '../errors'
import type { Family } from '../types'
import { formatIPv4Value, parseIPv4 } from './ipv4'
import { formatIPv6, isMappedWords, parseIPv6, writeWords } from './ipv6'
import { describe } from './port'

const WORDS = new Uint16Array(8)
const SCRATCH = new Uint8Array(16)

/** Index of the '%' of a valid zone id (`fe80::1%eth0`), -1 without one, -2 when malformed. */
function zoneIndex (host: string): number {
  const p = host.indexOf('%')
  if (p === -1) return -1
  if (p === host.length - 1) return -2
  for (let i = p + 1; i < host.length; i++) {
    const c = host.charCodeAt(i)
    const ok = (c >= 48 && c <= 58) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46
    if (!ok) return -2
  }
  return p
}

/** Parses an IPv6 address with optional zone id into `WORDS`; returns the zone index or -2. */
function parseIPv6WithZone (host: string): number {
  const z = zoneIndex(host)
  if (z === -2) return -2
  return parseIPv6(z === -1 ? host : host.slice(0, z), WORDS) ? z : -2
}

/**
 * The last host text `ipv4Of` parsed, and its value. One datagram's host is checked in several
 * places one after another (udp-request's socket lookup and the key that matches its answer,
 * dht-rpc's rate limits, proofs and routing table): those all hit, and a hit costs a string
 * comparison (a pointer comparison for the interned hosts udp-request hands out) instead of a
 * parse. The codecs parse with `parseIPv4` itself: a list of distinct hosts would only miss.
 */
let lastText = ''
let lastValue = -1

function ipv4Of (host: string): number {
  if (host === lastText) return lastValue
  const value = parseIPv4(host)
  lastText = host
  lastValue = value
  return value
}

/**
 * The family of an IP address literal: 4, 6 or 0 when `host` is not one (hostnames included).
 * Agrees with `net.isIP`: IPv4-mapped IPv6 text and IPv6 with a zone id (`fe80::1%eth0`) are 6.
 */
export function addressFamily (host: string): Family | 0 {
  if (typeof host !== 'string') return 0
  if (ipv4Of(host) >= 0) return 4
  if (host.indexOf(':') !== -1 && parseIPv6WithZone(host) !== -2) return 6
  return 0
}

/**
 * The canonical text form of an IP address literal, as Node prints socket addresses: IPv4 as a
 * dotted quad; IPv6 in lower case with the longest zero run compressed, IPv4-mapped addresses
 * as `::ffff:a.b.c.d`; a zone id is kept as written. Throws `INVALID_HOST` for anything else.
 */
export function normalizeHost (host: string): string {
  if (typeof host !== 'string') throw IpEncodingError.INVALID_HOST(`host must be a string, got ${describe(host)}`)
  if (ipv4Of(host) >= 0) return host
  const z = host.indexOf(':') === -1 ? -2 : parseIPv6WithZone(host)
  if (z === -2) throw IpEncodingError.INVALID_HOST(`not an IP address: ${describe(host)}`)
  writeWords(WORDS, SCRATCH, 0)
  const text = formatIPv6(SCRATCH, 0)
  return z === -1 ? text : text + host.slice(z)
}

/**
 * A key under which two spellings of one IP address compare equal: the canonical text of
 * {@link normalizeHost} with IPv4-mapped IPv6 unmapped to its dotted quad (a dual-stack socket
 * reports `::ffff:127.0.0.1` for `127.0.0.1`) and any zone id dropped. `null` for hostnames,
 * anything that is not an IP literal, and the unspecified addresses `0.0.0.0` / `::` (replies
 * to those may come from any local address). Never throws: it runs on every datagram.
 */
export function hostKey (host: string): string | null {
  if (typeof host !== 'string') return null
  const v4 = ipv4Of(host)
  if (v4 >= 0) return v4 === 0 ? null : host
  if (host.indexOf(':') === -1) return null
  if (parseIPv6WithZone(host) === -2) return null
  if (isMappedWords(WORDS)) {
    const mapped = WORDS[6]! * 65536 + WORDS[7]!
    return mapped === 0 ? null : formatIPv4Value(mapped)
  }
  let zero = true
  for (let i = 0; i < 8; i++) if (WORDS[i] !== 0) zero = false
  if (zero) return null
  writeWords(WORDS, SCRATCH, 0)
  return formatIPv6(SCRATCH, 0)
}

/**
 * A string key for the /16 network of an address, for IP-diversity statistics: `a.b.0.0/16`
 * for IPv4 (and IPv4-mapped IPv6, so one host counts once whatever the socket family), the /32
 * for other IPv6 (`2001:db8::/32`, the usual allocation to one provider). Throws `INVALID_HOST`.
 */
export function prefix16 (host: string): string {
  return prefix(host, 16, 32)
}

/**
 * A string key for the /24 network of an address: `a.b.c.0/24` for IPv4 (and IPv4-mapped
 * IPv6), the /48 for other IPv6 (`2001:db8:1::/48`, the usual allocation to one site).
 * Throws `INVALID_HOST`.
 */
export function prefix24 (host: string): string {
  return prefix(host, 24, 48)
}

function prefix (host: string, bits4: 16 | 24, bits6: 32 | 48): string {
  let v4 = typeof host === 'string' ? parseIPv4(host) : -1
  if (v4 < 0) {
    if (typeof host !== 'string' || host.indexOf(':') === -1 || parseIPv6WithZone(host) === -2) {
      throw IpEncodingError.INVALID_HOST(`not an IP address: ${describe(host)}`)
    }
    if (isMappedWords(WORDS)) {
      v4 = WORDS[6]! * 65536 + WORDS[7]!
    } else {
      const keep = bits6 / 16
      for (let i = keep; i < 8; i++) WORDS[i] = 0
      writeWords(WORDS, SCRATCH, 0)
      return formatIPv6(SCRATCH, 0) + '/' + bits6
    }
  }
  const mask = bits4 === 16 ? 0xffff0000 : 0xffffff00
  return formatIPv4Value((v4 & mask) >>> 0) + '/' + bits4
}

/**
 * The dotted quad of an unsigned 32-bit IPv4 address (`0x0a141e28` → `10.20.30.40`): the inverse
 * of {@link ipv4Value} for dotted quads. Throws `INVALID_ARGUMENT` for anything but an integer in
 * [0, 2^32).
 */
export function ipv4Text (value: number): string {
  if (value >>> 0 !== value) throw IpEncodingError.INVALID_ARGUMENT(`an IPv4 value must be an integer in [0, 2^32), got ${describe(value)}`)
  return formatIPv4Value(value)
}

/**
 * The IPv4 address of `host` (a dotted quad or IPv4-mapped IPv6) as an unsigned 32-bit integer,
 * -1 for anything else. Never throws: for compact numeric keys (e.g. of /24 and /16 networks).
 */
export function ipv4Value (host: string): number {
  if (typeof host !== 'string') return -1
  const v4 = ipv4Of(host)
  if (v4 >= 0) return v4
  if (host.indexOf(':') === -1 || parseIPv6WithZone(host) === -2 || !isMappedWords(WORDS)) return -1
  return WORDS[6]! * 65536 + WORDS[7]!
}

/**
 * The IPv4 address of `host` as an unsigned 32-bit integer, for the IPv4 codecs. Accepts a
 * dotted quad or an IPv4-mapped IPv6 address; throws `INVALID_HOST` for anything else.
 */
export function hostToIPv4 (host: unknown): number {
  if (typeof host !== 'string') throw IpEncodingError.INVALID_HOST(`host must be a string, got ${describe(host)}`)
  const v4 = parseIPv4(host)
  if (v4 >= 0) return v4
  if (host.indexOf(':') !== -1 && host.indexOf('%') === -1 && parseIPv6(host, WORDS)) {
    if (isMappedWords(WORDS)) return WORDS[6]! * 65536 + WORDS[7]!
    throw IpEncodingError.INVALID_HOST(`IPv6 address given to an IPv4 codec: ${describe(host)}`)
  }
  if (zoneIndex(host) >= 0 && parseIPv6WithZone(host) >= 0) {
    throw IpEncodingError.INVALID_HOST(`IPv6 address given to an IPv4 codec: ${describe(host)}`)
  }
  throw IpEncodingError.INVALID_HOST(`not an IPv4 address: ${describe(host)}`)
}

/**
 * Writes the 16 bytes of IPv6 `host` at `offset`. A dotted quad is written as its IPv4-mapped
 * address. Throws `INVALID_HOST` for anything else, including addresses with a zone id (a zone
 * is local to one machine and has no encoding).
 */
export function writeIPv6Host (host: unknown, out: Uint8Array, offset: number): void {
  if (typeof host !== 'string') throw IpEncodingError.INVALID_HOST(`host must be a string, got ${describe(host)}`)
  if (parseIPv6(host, WORDS)) {
    writeWords(WORDS, out, offset)
    return
  }
  const v4 = parseIPv4(host)
  if (v4 >= 0) {
    for (let i = 0; i < 10; i++) out[offset + i] = 0
    out[offset + 10] = 255
    out[offset + 11] = 255
    out[offset + 12] = v4 >>> 24
    out[offset + 13] = (v4 >>> 16) & 255
    out[offset + 14] = (v4 >>> 8) & 255
    out[offset + 15] = v4 & 255
    return
  }
  if (zoneIndex(host) >= 0 && parseIPv6WithZone(host) >= 0) {
    throw IpEncodingError.INVALID_HOST(`an IPv6 zone id cannot be encoded: ${describe(host)}`)
  }
  throw IpEncodingError.INVALID_HOST(`not an IPv6 address: ${describe(host)}`)
}
