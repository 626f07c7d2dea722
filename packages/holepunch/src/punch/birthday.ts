// The birthday attempt for one random NAT: port guesses, the odds, and a per-node limiter.
//
// The random side opens `s` sockets, each sending to the consistent side's (verified) public
// address: its NAT creates `s` mappings on ports we cannot predict, each open to that one
// address. The consistent side sends `k` probes from its one socket (same public port towards
// everyone) to distinct guessed ports of the random side's public host. One probe that hits one
// of the `s` mapped ports gets through, and the random side answers from that socket.
//
// With N possible ports and distinct guesses, no hit after k probes has probability
//   P(fail) = C(N - s, k) / C(N, k) = prod_{i=0}^{k-1} (N - s - i) / (N - i)  ≈ exp(-k s / N)
// For N = 64,512 (ports 1024-65535), s = 256, k = 1750: P(fail) = 0.00086, success 99.91%.
// Half the attempts hit within 175 probes (≈ N ln 2 / s; 1.75 s at one probe every 10 ms), 95%
// within 750 (7.5 s), 99% within 1,148 (11.5 s). With 128 sockets success drops to 97%, with
// 64 to 83%: the socket count matters more than the probe count.
import { BIRTHDAY_MAX_CONCURRENT, BIRTHDAY_MAX_PER_WINDOW, BIRTHDAY_RATE_WINDOW, PORT_MAX, PORT_MIN } from '../constants'
import { HolepunchError } from '../errors'
import { seededRandom, type Random } from '../random'
import { defaultClock } from '../timers'
import type { Clock } from '../types'

/** Options of {@link portGuesses}. */
export interface PortGuessOptions {
  /** How many ports to produce (at most the size of the range). */
  count: number
  /** The random source; give `seed` instead for a reproducible sequence. @default Math.random */
  random?: Random
  /** Seed for a reproducible sequence (ignored when `random` is given). */
  seed?: number
  /** @default 1024 */
  min?: number
  /** @default 65535 */
  max?: number
  /** Ports to try first, in order (for example the port the remote reported), if in range. */
  first?: readonly number[]
}

/**
 * Distinct random ports in `[min, max]`, lazily: a sparse Fisher-Yates shuffle, so memory grows
 * with the ports produced, not with the range. Never repeats a port, so no probe is wasted.
 */
export function * portGuesses (options: PortGuessOptions): Generator<number, void, undefined> {
  const min = options.min ?? PORT_MIN
  const max = options.max ?? PORT_MAX
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 65535 || min > max) {
    throw HolepunchError.INVALID_ARGUMENT('port range must be integers with 1 <= min <= max <= 65535')
  }
  const size = max - min + 1
  const count = Math.min(size, Math.max(0, Math.floor(options.count)))
  const random = options.random ?? (options.seed !== undefined ? seededRandom(options.seed) : Math.random)
  // position -> value for the swapped positions of the virtual array [0, size)
  const swapped = new Map<number, number>()
  const at = (i: number): number => swapped.get(i) ?? i
  const swap = (i: number, j: number): number => {
    const vj = at(j)
    swapped.set(j, at(i))
    swapped.set(i, vj)
    return vj
  }
  let i = 0
  // a port asked for first is moved to the front of the shuffle, so it is not repeated later
  for (const port of options.first ?? []) {
    if (i >= count || !Number.isInteger(port) || port < min || port > max) continue
    let j = -1
    for (let k = i; k < size; k++) if (at(k) === port - min) { j = k; break }
    if (j === -1) continue
    yield min + swap(i, j)
    i++
  }
  for (; i < count; i++) {
    const j = i + Math.floor(random() * (size - i))
    yield min + swap(i, j)
  }
}

/**
 * Probability that `probes` distinct guesses over `range` ports all miss the `sockets` mapped
 * ports (exact, hypergeometric).
 */
export function birthdayFailureProbability (sockets: number, probes: number, range = PORT_MAX - PORT_MIN + 1): number {
  if (sockets <= 0 || probes <= 0) return 1
  if (sockets + probes > range) return 0
  let logFail = 0
  for (let i = 0; i < probes; i++) logFail += Math.log((range - sockets - i) / (range - i))
  return Math.exp(logFail)
}

/** Probability that a birthday attempt with these parameters connects. */
export function birthdaySuccessProbability (sockets: number, probes: number, range = PORT_MAX - PORT_MIN + 1): number {
  return 1 - birthdayFailureProbability(sockets, probes, range)
}

/** The number of probes after which the attempt has succeeded with probability `quantile`. */
export function birthdayProbesForQuantile (sockets: number, quantile: number, range = PORT_MAX - PORT_MIN + 1): number {
  if (sockets <= 0) return Infinity
  let logFail = 0
  const target = Math.log(1 - quantile)
  for (let k = 0; k < range - sockets; k++) {
    if (logFail <= target) return k
    logFail += Math.log((range - sockets - k) / (range - k))
  }
  return range - sockets
}

/** Options of {@link BirthdayLimiter}. */
export interface BirthdayLimiterOptions {
  /** Attempts running at once. @default 1 */
  maxConcurrent?: number
  /** Attempts started per `window`. @default 5 */
  maxPerWindow?: number
  /** Sliding window (ms). @default 60_000 */
  window?: number
  /** @default Date.now */
  now?: Clock
}

/** A running attempt's slot; `release()` it when the attempt ends (idempotent). */
export interface BirthdayPermit {
  release: () => void
}

/** The answer of {@link BirthdayLimiter.tryAcquire}. */
export type BirthdayAdmission =
  | { ok: true, permit: BirthdayPermit }
  | { ok: false, reason: 'busy' | 'rate-limited', /** ms until a slot frees by time; `null` while busy */ retryAfter: number | null }

/**
 * Bounds the birthday attempts of one node: at most `maxConcurrent` at a time (each one opens
 * up to 256 sockets or sends up to ~1,750 probes) and at most `maxPerWindow` started per sliding
 * `window`, whichever side asks (a remote peer can ask us to do it too).
 */
export class BirthdayLimiter {
  readonly #maxConcurrent: number
  readonly #maxPerWindow: number
  readonly #window: number
  readonly #now: Clock
  readonly #starts: number[] = []
  #active = 0

  constructor (options: BirthdayLimiterOptions = {}) {
    this.#maxConcurrent = options.maxConcurrent ?? BIRTHDAY_MAX_CONCURRENT
    this.#maxPerWindow = options.maxPerWindow ?? BIRTHDAY_MAX_PER_WINDOW
    this.#window = options.window ?? BIRTHDAY_RATE_WINDOW
    this.#now = options.now ?? defaultClock
    if (!Number.isInteger(this.#maxConcurrent) || this.#maxConcurrent < 1) throw HolepunchError.INVALID_ARGUMENT('maxConcurrent must be a positive integer')
    if (!Number.isInteger(this.#maxPerWindow) || this.#maxPerWindow < 1) throw HolepunchError.INVALID_ARGUMENT('maxPerWindow must be a positive integer')
    if (!(this.#window >= 0)) throw HolepunchError.INVALID_ARGUMENT('window must be a non-negative number of ms')
  }

  /** Attempts running now. */
  get active (): number {
    return this.#active
  }

  /** Takes a slot if one is free. */
  tryAcquire (): BirthdayAdmission {
    const now = this.#now()
    while (this.#starts.length > 0 && this.#starts[0]! + this.#window <= now) this.#starts.shift()
    if (this.#active >= this.#maxConcurrent) return { ok: false, reason: 'busy', retryAfter: null }
    if (this.#starts.length >= this.#maxPerWindow) return { ok: false, reason: 'rate-limited', retryAfter: this.#starts[0]! + this.#window - now }
    this.#starts.push(now)
    this.#active++
    let released = false
    return {
      ok: true,
      permit: {
        release: () => {
          if (released) return
          released = true
          this.#active--
        }
      }
    }
  }

  /** Takes a slot or throws `RATE_LIMITED` (saying whether busy or over the rate). */
  acquire (): BirthdayPermit {
    const admission = this.tryAcquire()
    if (admission.ok) return admission.permit
    throw HolepunchError.RATE_LIMITED(admission.reason === 'busy'
      ? 'A birthday attempt is already running'
      : `Too many birthday attempts; retry in ${Math.ceil(admission.retryAfter ?? 0)} ms`)
  }
}
