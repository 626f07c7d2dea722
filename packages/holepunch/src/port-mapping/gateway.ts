// Where the router is, and which of our addresses it knows us by. No library does this for us:
// NAT-PMP is addressed to the default gateway, and a UPnP mapping names our LAN address.
import { readFileSync } from 'node:fs'
import { networkInterfaces } from 'node:os'

/**
 * The IPv4 default route's gateway, from Linux's /proc/net/route (a little-endian hex address per
 * route); `null` elsewhere or without one.
 */
export function defaultGateway (routes: string | null = readRoutes()): string | null {
  if (routes === null) return null
  for (const line of routes.split('\n').slice(1)) {
    const [, destination, gateway, flags] = line.trim().split(/\s+/)
    if (destination !== '00000000' || gateway === undefined || flags === undefined) continue
    if ((parseInt(flags, 16) & 0x2) === 0) continue // RTF_GATEWAY
    const n = parseInt(gateway, 16)
    if (!Number.isFinite(n) || n === 0) continue
    return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24].join('.')
  }
  return null
}

function readRoutes (): string | null {
  if (process.platform !== 'linux') return null
  try {
    return readFileSync('/proc/net/route', 'utf8')
  } catch {
    return null
  }
}

/** Our IPv4 address on the interface whose subnet holds `gateway` (else the first external one). */
export function localAddressFor (gateway: string | null, interfaces = networkInterfaces()): string | null {
  let first: string | null = null
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) {
      if (a.internal || a.family !== 'IPv4') continue
      first ??= a.address
      if (gateway !== null && sameSubnet(a.address, gateway, a.netmask)) return a.address
    }
  }
  return first
}

function sameSubnet (a: string, b: string, mask: string): boolean {
  const n = (ip: string): number => ip.split('.').reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0)
  const m = n(mask)
  return (n(a) & m) === (n(b) & m)
}
