import { describe, expect, it } from 'vitest'
import { RttEstimator } from './rtt.js'

describe('RttEstimator', () => {
  it('gives the full timeout until 8 samples, then srtt + 4 rttvar within bounds', () => {
    const rtt = new RttEstimator()
    expect(rtt.srtt).toBeNull()
    for (let i = 0; i < 7; i++) rtt.update(10)
    expect(rtt.timeout(200, 1000)).toBe(1000)
    rtt.update(10)
    // steady 10 ms round trips: the variance decays, so the floor applies
    expect(rtt.srtt).toBeCloseTo(10)
    expect(rtt.timeout(200, 1000)).toBe(200)
    expect(rtt.timeout(1, 1000)).toBeGreaterThanOrEqual(10)
    expect(rtt.timeout(1, 1000)).toBeLessThan(30)
  })

  it('follows slower round trips and never exceeds the maximum', () => {
    const rtt = new RttEstimator()
    for (let i = 0; i < 8; i++) rtt.update(50)
    for (let i = 0; i < 40; i++) rtt.update(i % 2 === 0 ? 300 : 500)
    const t = rtt.timeout(200, 1000)
    expect(t).toBeGreaterThan(500)
    expect(t).toBeLessThanOrEqual(1000)
    for (let i = 0; i < 20; i++) rtt.update(5000)
    expect(rtt.timeout(200, 1000)).toBe(1000)
  })
})
