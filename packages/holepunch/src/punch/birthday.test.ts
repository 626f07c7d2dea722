import { describe, expect, it } from 'vitest'
import { HolepunchError } from '../errors'
import { seededRandom } from '../random'
import {
  BirthdayLimiter,
  birthdayFailureProbability,
  birthdayProbesForQuantile,
  birthdaySuccessProbability,
  portGuesses
} from './birthday'

describe('portGuesses', () => {
  it('yields distinct ports in 1024..65535', () => {
    const ports = [...portGuesses({ count: 1750, seed: 42 })]
    expect(ports).toHaveLength(1750)
    expect(new Set(ports).size).toBe(1750)
    expect(ports.every((p) => Number.isInteger(p) && p >= 1024 && p <= 65535)).toBe(true)
  })

  it('is reproducible from a seed and differs between seeds', () => {
    const a = [...portGuesses({ count: 50, seed: 1 })]
    expect([...portGuesses({ count: 50, seed: 1 })]).toEqual(a)
    expect([...portGuesses({ count: 50, random: seededRandom(1) })]).toEqual(a)
    expect([...portGuesses({ count: 50, seed: 2 })]).not.toEqual(a)
  })

  it('covers a small range exactly once, then stops', () => {
    const ports = [...portGuesses({ count: 100, seed: 3, min: 2000, max: 2009 })]
    expect(ports.slice().sort((x, y) => x - y)).toEqual([2000, 2001, 2002, 2003, 2004, 2005, 2006, 2007, 2008, 2009])
  })

  it('spreads over the range', () => {
    const ports = [...portGuesses({ count: 6000, seed: 9 })]
    const buckets = new Array(8).fill(0)
    for (const p of ports) buckets[Math.floor((p - 1024) / (64512 / 8))]++
    for (const b of buckets) expect(b).toBeGreaterThan(600) // 750 expected per bucket
  })

  it('tries the given ports first and never repeats them', () => {
    const ports = [...portGuesses({ count: 10, seed: 5, min: 2000, max: 2009, first: [2007, 2003, 99, 2007] })]
    expect(ports.slice(0, 2)).toEqual([2007, 2003])
    expect(new Set(ports).size).toBe(10)
  })

  it('rejects a bad range', () => {
    expect(() => [...portGuesses({ count: 1, min: 0 })]).toThrow(HolepunchError)
    expect(() => [...portGuesses({ count: 1, min: 5000, max: 4000 })]).toThrow(/range/)
  })
})

describe('birthday odds', () => {
  it('match the documented figures', () => {
    expect(birthdaySuccessProbability(256, 1750)).toBeCloseTo(0.99914, 4)
    expect(birthdayFailureProbability(256, 1750)).toBeLessThan(Math.exp(-1750 * 256 / 64512)) // distinct guesses beat the approximation
    expect(birthdayProbesForQuantile(256, 0.5)).toBe(175)
    expect(birthdayProbesForQuantile(256, 0.95)).toBe(750)
    expect(birthdaySuccessProbability(128, 1750)).toBeCloseTo(0.9705, 3)
    // tailscale's published figure: 256 ports, 1,024 probes, 98%
    expect(birthdaySuccessProbability(256, 1024)).toBeCloseTo(0.983, 3)
  })

  it('handles the edges', () => {
    expect(birthdaySuccessProbability(0, 1000)).toBe(0)
    expect(birthdaySuccessProbability(10, 0)).toBe(0)
    expect(birthdaySuccessProbability(6, 5, 10)).toBe(1) // more guesses than free ports
    expect(birthdayProbesForQuantile(0, 0.5)).toBe(Infinity)
  })

  it('agrees with a simulation', () => {
    const random = seededRandom(7)
    let hits = 0
    const trials = 400
    for (let t = 0; t < trials; t++) {
      const open = new Set(portGuesses({ count: 32, random }))
      for (const p of portGuesses({ count: 500, random })) if (open.has(p)) { hits++; break }
    }
    const expected = birthdaySuccessProbability(32, 500)
    expect(Math.abs(hits / trials - expected)).toBeLessThan(0.07)
  })
})

describe('BirthdayLimiter', () => {
  it('allows one attempt at a time', () => {
    const limiter = new BirthdayLimiter({ now: () => 0 })
    const first = limiter.tryAcquire()
    expect(first.ok).toBe(true)
    expect(limiter.active).toBe(1)
    expect(limiter.tryAcquire()).toEqual({ ok: false, reason: 'busy', retryAfter: null })
    if (first.ok) {
      first.permit.release()
      first.permit.release() // idempotent
    }
    expect(limiter.active).toBe(0)
    expect(limiter.tryAcquire().ok).toBe(true)
  })

  it('rate limits starts over a sliding window', () => {
    let time = 0
    const limiter = new BirthdayLimiter({ maxPerWindow: 2, window: 1000, now: () => time })
    limiter.acquire().release()
    time = 100
    limiter.acquire().release()
    time = 500
    expect(limiter.tryAcquire()).toEqual({ ok: false, reason: 'rate-limited', retryAfter: 500 })
    expect(() => limiter.acquire()).toThrow(expect.objectContaining({ code: 'RATE_LIMITED' }))
    time = 1000
    expect(limiter.tryAcquire().ok).toBe(true)
  })

  it('says busy with RATE_LIMITED from acquire()', () => {
    const limiter = new BirthdayLimiter({ now: () => 0 })
    limiter.acquire()
    expect(() => limiter.acquire()).toThrow(/already running/)
  })

  it('rejects bad options', () => {
    expect(() => new BirthdayLimiter({ maxConcurrent: 0 })).toThrow(/maxConcurrent/)
    expect(() => new BirthdayLimiter({ maxPerWindow: 1.5 })).toThrow(/maxPerWindow/)
    expect(() => new BirthdayLimiter({ window: -1 })).toThrow(/window/)
  })
})
