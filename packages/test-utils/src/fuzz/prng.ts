// One seeded pseudo-random stream for a whole fuzz run: every choice (ids, targets, which seed,
// which mutation, which byte) is drawn from it, so the printed seed replays the run byte for byte.
// sfc32 (Chris Doty-Humphrey's small fast counter), seeded through splitmix32: fast, 128 bits of
// state, and good enough statistically for test input (not for cryptography).
import { randomInt } from 'node:crypto'

export class Prng {
  /** The seed this stream started from (a uint32): print it, pass it back to replay. */
  readonly seed: number
  #a: number
  #b: number
  #c: number
  #d: number

  constructor (seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be a uint32, got ${seed}`)
    this.seed = seed
    // splitmix32 spreads one 32-bit seed over the four state words (sfc32 dislikes zero states)
    let s = seed
    const split = (): number => {
      s = (s + 0x9e3779b9) | 0
      let z = s
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad)
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97)
      return (z ^ (z >>> 15)) >>> 0
    }
    this.#a = split()
    this.#b = split()
    this.#c = split()
    this.#d = 1
    for (let i = 0; i < 12; i++) this.uint32() // discard the first outputs, as sfc32 recommends
  }

  /** A uniform uint32. */
  uint32 (): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0
    this.#d = (this.#d + 1) | 0
    this.#a = this.#b ^ (this.#b >>> 9)
    this.#b = (this.#c + (this.#c << 3)) | 0
    this.#c = (this.#c << 21) | (this.#c >>> 11)
    this.#c = (this.#c + t) | 0
    return t >>> 0
  }

  /** A float in [0, 1). */
  float (): number {
    return this.uint32() / 0x1_0000_0000
  }

  /** An integer in [0, n) (n ≥ 1). */
  int (n: number): number {
    return Math.floor(this.float() * n)
  }

  /** An integer in [min, max], both included. */
  range (min: number, max: number): number {
    return min + this.int(max - min + 1)
  }

  /** True with probability `p`. */
  chance (p: number): boolean {
    return this.float() < p
  }

  /** One element of a non-empty array. */
  pick<T> (items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty array')
    return items[this.int(items.length)]!
  }

  /** `n` random bytes (a Buffer: the reference codecs insist on Buffers). */
  bytes (n: number): Buffer {
    const out = Buffer.allocUnsafe(n)
    let i = 0
    for (; i + 4 <= n; i += 4) out.writeUInt32LE(this.uint32(), i)
    if (i < n) {
      const last = this.uint32()
      for (let k = 0; i < n; i++, k++) out[i] = (last >>> (8 * k)) & 0xff
    }
    return out
  }

  /**
   * A small length, biased towards the short end where the edge cases are: mostly under 64,
   * sometimes up to `max`.
   */
  length (max: number): number {
    return this.chance(0.8) ? this.int(Math.min(max, 64) + 1) : this.int(max + 1)
  }

  /** An independent stream derived from this one (drawing from it does not disturb this one). */
  fork (): Prng {
    return new Prng(this.uint32())
  }
}

/**
 * The seed of a fuzz run: `FUZZ_SEED` from the environment (decimal or 0x-hex uint32) when set,
 * else a fresh random one. Throws on a malformed `FUZZ_SEED` rather than fuzzing something else.
 */
export function fuzzSeed (value: string | undefined = process.env.FUZZ_SEED): number {
  if (value === undefined || value.trim() === '') return randomInt(0, 0x1_0000_0000 - 1)
  const seed = Number(value.trim())
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`FUZZ_SEED must be a uint32, got ${value}`)
  return seed
}

/**
 * A positive integer from the environment (e.g. `FUZZ_DATAGRAMS`), `fallback` when unset.
 * Accepts `100000`, `100_000` and `1e5`.
 */
export function envCount (name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw.trim() === '') return fallback
  const n = Number(raw.trim().replace(/_/g, ''))
  if (!Number.isFinite(n) || n < 0 || !Number.isInteger(n)) throw new RangeError(`${name} must be a non-negative integer, got ${raw}`)
  return n
}
