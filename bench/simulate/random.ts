// A seeded PRNG (mulberry32): node ids, keys, the network's losses and delays and every choice
// of the simulation replay from one seed. (Randomness inside the library, such as roundtrip-token
// secrets and first transaction ids, stays unseeded; it does not steer any choice.)

export type Random = () => number

export function seeded (seed: number): Random {
  let s = seed | 0
  return () => {
    s = (s + 0x6d2b79f5) | 0
    let t = Math.imul(s ^ (s >>> 15), 1 | s)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function randomBytes (random: Random, n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = Math.floor(random() * 256)
  return out
}

/** `count` distinct items of `items`, in random order. */
export function sample<T> (random: Random, items: readonly T[], count: number): T[] {
  const copy = items.slice()
  const n = Math.min(count, copy.length)
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (copy.length - i))
    const t = copy[i]!
    copy[i] = copy[j]!
    copy[j] = t
  }
  return copy.slice(0, n)
}
