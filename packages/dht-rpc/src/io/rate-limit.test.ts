import { describe, expect, it } from 'vitest'
import { RateLimiter } from './rate-limit.js'

describe('RateLimiter', () => {
  it('gives each key its burst, then its rate', () => {
    const r = new RateLimiter({ rate: 2, burst: 3 })
    for (let i = 0; i < 3; i++) expect(r.take('a', 0)).toBe(true)
    expect(r.take('a', 0)).toBe(false)
    expect(r.take('b', 0)).toBe(true) // keys are independent
    expect(r.take('a', 499)).toBe(false)
    expect(r.take('a', 500)).toBe(true) // one token per 1000 / rate ms
    expect(r.take('a', 500)).toBe(false)
  })

  it('a clock set back re-bases the bucket instead of stalling it until the clock passes its last update', () => {
    const r = new RateLimiter({ rate: 2, burst: 3 })
    const t = 10_000_000
    for (let i = 0; i < 3; i++) r.take('a', t)
    expect(r.take('a', t)).toBe(false)
    const back = t - 3_600_000
    expect(r.take('a', back)).toBe(false) // no refill for the step itself
    expect(r.take('a', back + 500)).toBe(true)
  })

  it('a key that keeps asking stays limited while new keys come and go past maxKeys', () => {
    const r = new RateLimiter({ rate: 1, burst: 2, maxKeys: 10 })
    expect(r.take('busy', 0)).toBe(true)
    expect(r.take('busy', 0)).toBe(true)
    for (let i = 0; i < 100; i++) {
      expect(r.take('busy', 0)).toBe(false) // still empty: never pushed out
      expect(r.take(`new-${i}`, 0)).toBe(true)
    }
    expect(r.size).toBe(10)
    expect(r.take('new-0', 0)).toBe(true) // the quiet ones were: full again
  })

  it('forgets the least recently used key past maxKeys (it starts again with a full bucket)', () => {
    const r = new RateLimiter({ rate: 1, burst: 1, maxKeys: 2 })
    expect(r.take('a', 0)).toBe(true)
    expect(r.take('b', 0)).toBe(true)
    expect(r.take('c', 0)).toBe(true)
    expect(r.size).toBe(2)
    expect(r.take('a', 0)).toBe(true) // forgotten: full again
    expect(r.take('c', 0)).toBe(false)
  })
})
