import { describe, expect, it } from 'vitest'
import { RttEstimator } from './rtt'

describe('RttEstimator', () => {
  it('uses the initial RTO before any sample', () => {
    const rtt = new RttEstimator()
    expect(rtt.srtt).toBeNull()
    expect(rtt.rto).toBe(1000)
  })

  it('follows RFC 6298 for the first and later samples', () => {
    const rtt = new RttEstimator({ minRto: 0 })
    rtt.sample(100)
    expect(rtt.srtt).toBe(100)
    expect(rtt.rto).toBe(100 + 4 * 50)
    rtt.sample(200)
    // rttvar = 0.75*50 + 0.25*100 = 62.5, srtt = 0.875*100 + 0.125*200 = 112.5
    expect(rtt.srtt).toBe(112.5)
    expect(rtt.rto).toBe(112.5 + 250)
    expect(rtt.latest).toBe(200)
  })

  it('clamps to minRto and maxRto and backs off', () => {
    const rtt = new RttEstimator({ initialRtt: 1, minRto: 200, maxRto: 1000 })
    expect(rtt.rto).toBe(200)
    expect(rtt.backoff(1)).toBe(200)
    expect(rtt.backoff(2)).toBe(400)
    expect(rtt.backoff(3)).toBe(800)
    expect(rtt.backoff(4)).toBe(1000)
    expect(rtt.backoff(100)).toBe(1000)
  })

  it('ignores nonsense samples', () => {
    const rtt = new RttEstimator()
    rtt.sample(-1)
    rtt.sample(Number.NaN)
    rtt.sample(Infinity)
    expect(rtt.srtt).toBeNull()
  })
})
