// Seeded randomness for the differential test and the benchmark, so a failure can be replayed.

/** mulberry32: a small, fast, seedable PRNG returning floats in [0, 1). */
export function createRandom (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function randomInt (random: () => number, max: number): number {
  return Math.floor(random() * max)
}

export function randomBytes (random: () => number, length: number): Uint8Array {
  const bytes = new Uint8Array(length)
  for (let i = 0; i < length; i++) bytes[i] = randomInt(random, 256)
  return bytes
}

/**
 * An id that shares exactly `depth` leading bits with `base`: same prefix, bit `depth` flipped,
 * the rest random. Such ids land in the bucket at `depth`, so tables with long ids fill and split.
 */
export function idAtDepth (random: () => number, base: Uint8Array, depth: number): Uint8Array {
  const id = randomBytes(random, base.length)
  const byte = depth >> 3
  const bit = 7 - (depth & 7)
  for (let i = 0; i < byte; i++) id[i] = base[i]!
  const highMask = (0xff << (bit + 1)) & 0xff
  id[byte] = (base[byte]! & highMask) | ((~base[byte]! & (1 << bit)) & 0xff) | (id[byte]! & ((1 << bit) - 1))
  return id
}
