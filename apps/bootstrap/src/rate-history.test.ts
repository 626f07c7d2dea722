import { describe, expect, it } from 'vitest'
import { RateHistory } from './rate-history.js'

describe('RateHistory', () => {
  it('turns running totals into per-interval counts, oldest first, keeping the last `capacity`', () => {
    const h = new RateHistory(3)
    h.record(100, 0) // baseline only
    expect(h.samples()).toEqual([])
    h.record(110, 1)
    h.record(130, 2)
    h.record(130, 3)
    h.record(170, 4)
    expect(h.samples()).toEqual([{ at: 2, requests: 20 }, { at: 3, requests: 0 }, { at: 4, requests: 40 }])
  })

  it('a total that went down counts from zero', () => {
    const h = new RateHistory(2)
    h.record(50, 0)
    h.record(7, 1)
    expect(h.samples()).toEqual([{ at: 1, requests: 7 }])
  })

  it('needs a positive capacity', () => {
    expect(() => new RateHistory(0)).toThrow(RangeError)
  })
})
