import { isIPv4, isIPv6 } from 'node:net'

/**
 * A canonical form of an IP literal, so that `::1` and `0:0:0:0:0:0:0:1`, or `127.0.0.1` and
 * `::ffff:127.0.0.1`, compare equal. Returns `null` for host names and unspecified addresses
 * (`0.0.0.0`, `::`), whose replies may come from any local address: those are matched on port.
 */
export function canonicalHost (host: string): string | null {
  const scope = host.indexOf('%')
  const h = scope === -1 ? host : host.slice(0, scope)
  if (isIPv4(h)) return h === '0.0.0.0' ? null : h
  if (!isIPv6(h)) return null
  const groups = expandIPv6(h.toLowerCase())
  if (groups.every((g) => g === 0)) return null
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return `${groups[6]! >>> 8}.${groups[6]! & 0xff}.${groups[7]! >>> 8}.${groups[7]! & 0xff}`
  }
  return groups.map((g) => g.toString(16)).join(':')
}

function expandIPv6 (h: string): number[] {
  let tail: number[] = []
  let head = h
  const lastColon = h.lastIndexOf(':')
  const last = h.slice(lastColon + 1)
  if (last.includes('.')) {
    const [a, b, c, d] = last.split('.').map(Number) as [number, number, number, number]
    tail = [(a << 8) | b, (c << 8) | d]
    head = h.slice(0, lastColon + 1) + '0'
  }
  const split = head.split('::')
  const parse = (s: string): number[] => s === '' ? [] : s.split(':').map((x) => parseInt(x, 16))
  let groups: number[]
  if (split.length === 2) {
    const left = parse(split[0]!)
    const right = parse(split[1]!)
    if (tail.length > 0) right.pop()
    const fill = 8 - tail.length - left.length - right.length
    groups = [...left, ...new Array<number>(Math.max(0, fill)).fill(0), ...right]
  } else {
    groups = parse(head)
    if (tail.length > 0) groups.pop()
  }
  return [...groups, ...tail]
}
