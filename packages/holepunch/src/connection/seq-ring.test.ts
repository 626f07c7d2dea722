import { describe, expect, it } from 'vitest'
import { SeqRing } from './seq-ring'

describe('SeqRing', () => {
  it('gets, replaces and deletes by seq, and counts what it holds', () => {
    const ring = new SeqRing<string>(64)
    ring.set(5, 'a')
    ring.set(6, 'b')
    expect(ring.get(5)).toBe('a')
    expect(ring.has(6)).toBe(true)
    expect(ring.has(7)).toBe(false)
    expect(ring.get(5 + 16)).toBeUndefined() // same slot, another seq
    ring.set(5, 'c')
    expect(ring.size).toBe(2)
    expect(ring.get(5)).toBe('c')
    expect(ring.delete(5)).toBe(true)
    expect(ring.delete(5)).toBe(false)
    expect(ring.delete(6 + 16)).toBe(false) // another seq in 6's slot: 6 stays
    expect(ring.get(6)).toBe('b')
    expect(ring.size).toBe(1)
    ring.clear()
    expect(ring.size).toBe(0)
    expect(ring.has(6)).toBe(false)
  })

  it('grows while keys collide, keeps every entry, and holds a whole span at any offset', () => {
    for (const base of [0, 1000, 2 ** 31 - 10, 2 ** 32 + 3, 2 ** 40 + 7]) {
      const ring = new SeqRing<number>(64)
      // a sliding window: 64 live keys at a time, as a channel's inflight messages
      for (let seq = base; seq < base + 500; seq++) {
        ring.set(seq, seq * 2)
        if (seq - base >= 63) expect(ring.delete(seq - 63)).toBe(true)
      }
      expect(ring.size).toBe(63)
      for (let seq = base + 437; seq < base + 500; seq++) expect(ring.get(seq)).toBe(seq * 2)
      expect(ring.has(base + 436)).toBe(false)
    }
  })

  it('keeps sparse keys across a growth (a reorder buffer with holes)', () => {
    const ring = new SeqRing<number>(100)
    const keys = [0, 17, 33, 50, 99, 1, 64]
    for (const k of keys) ring.set(k, k)
    for (const k of keys) expect(ring.get(k)).toBe(k)
    expect(ring.size).toBe(keys.length)
  })

  it('throws on a key outside the span of those it holds, rather than losing one', () => {
    const ring = new SeqRing<number>(8)
    ring.set(0, 0)
    expect(() => ring.set(8, 8)).toThrow(RangeError)
    expect(ring.get(0)).toBe(0)
    expect(() => new SeqRing(0)).toThrow(RangeError)
  })
})
