// Distinct loopback addresses, for tests where per-IP behaviour matters (per-host caps, one node
// per address). Linux routes the whole 127.0.0.0/8 to `lo` (`ip route show table local` lists
// `local 127.0.0.0/8 dev lo`), so any 127.x.y.z can be bound and sent to without setup. Other
// systems may only configure 127.0.0.1 (macOS needs `ifconfig lo0 alias 127.1.0.1` per address).

/**
 * `127.${i}.0.1`: one address per /16, so addresses differ in their first two octets too (for
 * code that groups hosts by /16 or /24). `loopbackHost(0)` is `127.0.0.1`.
 */
export function loopbackHost (i: number): string {
  if (!Number.isInteger(i) || i < 0 || i > 255) throw new RangeError(`loopbackHost: ${i} is not an integer from 0 to 255`)
  return `127.${i}.0.1`
}
