/** A source of uniform random numbers in [0, 1), like `Math.random`. */
export type Random = () => number

/**
 * A small seeded generator (SplitMix32), so that port guesses and tests are reproducible.
 * Not cryptographic: port guesses need to be unpredictable to nobody, only well spread.
 */
export function seededRandom (seed: number): Random {
  let state = seed >>> 0
  return () => {
    state = (state + 0x9e3779b9) >>> 0
    let z = state
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    z = (z ^ (z >>> 16)) >>> 0
    return z / 0x1_0000_0000
  }
}

/** A uniform integer in `[min, max]` (both inclusive). */
export function randomInt (random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1))
}
