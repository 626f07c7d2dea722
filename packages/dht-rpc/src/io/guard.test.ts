import { describe, expect, it } from 'vitest'
import { DEFAULT_AMPLIFICATION, DEFAULT_MAX_SOURCES, DEFAULT_RATE_LIMIT, FORGET_AFTER, SourceGuard } from './guard.js'

const { rate, burst, banAfter, banDuration } = DEFAULT_RATE_LIMIT

describe('SourceGuard', () => {
  it('admits a burst, then the rate; a source that keeps sending past it is banned for banDuration', () => {
    const g = new SourceGuard()
    let t = 0
    for (let i = 0; i < burst; i++) expect(g.admit('a', 10, t)).toBe(true)
    for (let i = 0; i < banAfter - 1; i++) expect(g.admit('a', 10, t)).toBe(false)
    expect(g.stats.bans).toBe(0)
    expect(g.admit('a', 10, t)).toBe(false)
    expect(g.stats.bans).toBe(1)
    expect(g.banned(t)).toBe(1)
    // within its ban even a refilled bucket does not help; another source is unaffected
    t += banDuration - 1
    expect(g.admit('a', 10, t)).toBe(false)
    expect(g.admit('b', 10, t)).toBe(true)
    t += 1
    expect(g.admit('a', 10, t)).toBe(true)
    expect(g.stats.rateLimited).toBe(banAfter + 1)
  })

  it('a source at the rate is never banned', () => {
    const g = new SourceGuard()
    let t = 0
    for (let i = 0; i < burst; i++) g.admit('a', 10, t)
    for (let i = 0; i < 10 * rate; i++) {
      t += 1000 / rate
      expect(g.admit('a', 10, t)).toBe(true)
    }
    expect(g.stats.bans).toBe(0)
  })

  it('mayBan: false (a host we talk to) drops the excess but never bans, nor keeps an earlier ban', () => {
    const g = new SourceGuard()
    for (let i = 0; i < burst; i++) g.admit('referrer', 10, 0)
    for (let i = 0; i < 10 * banAfter; i++) expect(g.admit('referrer', 10, 0, false)).toBe(false)
    expect(g.stats.bans).toBe(0)
    expect(g.admit('referrer', 10, 1000 / rate, false)).toBe(true)
    // banned while a stranger (a spoofed flood of its address), then contacted: rate limited only
    for (let i = 0; i < burst + banAfter; i++) g.admit('later', 10, 0)
    expect(g.stats.bans).toBe(1)
    expect(g.admit('later', 10, 1000 / rate)).toBe(false)
    expect(g.admit('later', 10, 2000 / rate, false)).toBe(true)
  })

  it('bounds what an unproven address may be sent: factor x what it sent plus a refilling budget', () => {
    const { factor, burst: budget, refill } = DEFAULT_AMPLIFICATION
    const g = new SourceGuard()
    g.admit('a', 50, 0)
    expect(g.allowance('a', 0)).toBe(budget + factor * 50)
    g.charge('a', budget + factor * 50, 0)
    expect(g.allowance('a', 0)).toBe(0)
    expect(g.allowance('a', 1000)).toBe(refill)
    expect(g.allowance('a', 1_000_000)).toBe(budget)
  })

  it('tracks at most maxSources sources, and a flood of new ones does not lift a ban', () => {
    const g = new SourceGuard({ maxSources: 100 })
    for (let i = 0; i < burst + banAfter; i++) g.admit('flooder', 10, 0)
    expect(g.banned(0)).toBe(1)
    for (let i = 0; i < 1000; i++) g.admit(`10.0.${i >> 8}.${i & 0xff}`, 10, 1)
    expect(g.sources).toBeLessThanOrEqual(100)
    expect(g.admit('flooder', 10, 2)).toBe(false)
    expect(new SourceGuard().maxSources).toBe(DEFAULT_MAX_SOURCES)
  })

  it('a flood of new sources pushes out the least recently heard, not a busy source with an empty bucket', () => {
    const g = new SourceGuard({ maxSources: 100, amplification: false })
    for (let i = 0; i < burst; i++) g.admit('busy', 10, 0, false) // heard first, bucket empty
    for (let i = 0; i < 1000; i++) {
      g.admit(`10.0.${i >> 8}.${i & 0xff}`, 10, 0)
      if (i % 50 === 0) expect(g.admit('busy', 10, 0, false)).toBe(false) // still sending, still empty
    }
    expect(g.sources).toBe(100)
    // (insertion order would have forgotten it with the first new sources: a full bucket again)
    expect(g.admit('busy', 10, 0, false)).toBe(false)
  })

  it('forgets sources quiet for FORGET_AFTER as new ones come, keeps the others and running bans', () => {
    const g = new SourceGuard()
    for (let i = 0; i < 200; i++) g.admit(`10.1.0.${i}`, 10, 0)
    for (let i = 0; i < burst + banAfter; i++) g.admit('offender', 10, 0)
    for (let i = 0; i < burst; i++) g.admit('active', 10, 0, false)
    g.admit('active', 10, FORGET_AFTER - 1000, false)
    // 60 new sources after a quiet minute: each forgets two quiet ones
    for (let i = 0; i < 60; i++) g.admit(`10.2.0.${i}`, 10, FORGET_AFTER)
    expect(g.sources).toBe(60 + 80 + 2) // 80 quiet ones left, the ban and the active source
    expect(g.banned(FORGET_AFTER)).toBe(1)
    expect(g.admit('offender', 10, FORGET_AFTER)).toBe(false)
    for (let i = 0; i < 100; i++) g.admit(`10.3.0.${i}`, 10, FORGET_AFTER + 1)
    expect(g.sources).toBe(60 + 100 + 2) // the quiet ones are all gone
    // a forgotten source starts as a new one would, with a full bucket (as its own would be by now)
    for (let i = 0; i < burst; i++) expect(g.admit('10.1.0.7', 10, FORGET_AFTER + 2)).toBe(true)
    expect(g.admit('10.1.0.7', 10, FORGET_AFTER + 2)).toBe(false)
  })

  it('waits with forgetting until a slow bucket would have refilled', () => {
    expect(new SourceGuard().forgetAfter).toBe(FORGET_AFTER)
    const slow = new SourceGuard({ rateLimit: { rate: 0.1, burst: 50 }, amplification: false })
    expect(slow.forgetAfter).toBe(500_000)
    for (let i = 0; i < 50; i++) slow.admit('a', 10, 0, false)
    slow.admit('b', 10, FORGET_AFTER * 2) // a new source two minutes later: 'a' is kept, still short
    expect(slow.sources).toBe(2)
    expect(slow.admit('a', 10, FORGET_AFTER * 2, false)).toBe(true) // 12 tokens refilled
    for (let i = 0; i < 11; i++) expect(slow.admit('a', 10, FORGET_AFTER * 2, false)).toBe(true)
    expect(slow.admit('a', 10, FORGET_AFTER * 2, false)).toBe(false)
  })

  it('a clock set back re-bases a source instead of stalling it until the clock passes its last update', () => {
    const g = new SourceGuard({ amplification: false })
    const t = 1_000_000
    for (let i = 0; i < burst; i++) g.admit('a', 10, t, false)
    expect(g.admit('a', 10, t, false)).toBe(false)
    const back = t - 3_600_000 // an hour back
    expect(g.admit('a', 10, back, false)).toBe(false) // no refill for the step itself
    expect(g.admit('a', 10, back + 1000 / rate, false)).toBe(true) // the rate again from there
  })
})
