import { describe, expect, it } from 'vitest'
import { StallDetector } from './stall-detector'

describe('StallDetector', () => {
  it('reports gaps longer than the threshold', () => {
    const detector = new StallDetector({ threshold: 15_000 })
    expect(detector.tick(0)).toBe(0)
    expect(detector.tick(5_000)).toBe(0)
    expect(detector.tick(20_000)).toBe(0) // exactly the threshold is not a stall
    expect(detector.tick(20_001 + 15_000)).toBe(15_001)
    expect(detector.stalls).toBe(1)
    expect(detector.lastTick).toBe(35_001)
  })

  it('treats a clock that went backwards as a new baseline', () => {
    const detector = new StallDetector()
    detector.tick(100_000)
    expect(detector.tick(10_000)).toBe(0)
    expect(detector.tick(14_000)).toBe(0)
    expect(detector.tick(40_000)).toBe(26_000)
  })

  it('reset() starts a new baseline', () => {
    const detector = new StallDetector({ threshold: 10 })
    detector.tick(0)
    detector.reset()
    expect(detector.lastTick).toBeNull()
    expect(detector.tick(1000)).toBe(0)
    expect(detector.threshold).toBe(10)
    expect(() => new StallDetector({ threshold: 0 })).toThrow(/threshold/)
  })
})
