import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { smallestByKey } from './select.js'

/** What k-bucket@5.1.0 does: a stable sort by key, then slice. */
function model (keys: number[], n: number): number[] {
  return keys.map((key, index) => ({ key, index }))
    .sort((a, b) => a.key - b.key)
    .slice(0, n)
    .map((entry) => entry.index)
}

describe('smallestByKey', () => {
  test('returns the n smallest, stable on ties, for every size and n', () => {
    // Few distinct keys force ties; sizes cross the insertion-sort limit and the heap path.
    const keys = fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 120 })
    fc.assert(fc.property(keys, fc.integer({ min: 1, max: 130 }), (list, n) => {
      const items = list.map((_, i) => i)
      expect(smallestByKey(items, Float64Array.from(list), n)).toStrictEqual(model(list, n))
    }), { numRuns: 400 })
  })

  test('handles Infinity as n and an empty input', () => {
    expect(smallestByKey(['a', 'b', 'c'], Float64Array.from([3, 1, 2]), Infinity)).toStrictEqual(['b', 'c', 'a'])
    expect(smallestByKey([], new Float64Array(0), 5)).toStrictEqual([])
  })

  test('selects from a large input without losing the smallest', () => {
    const keys = Array.from({ length: 5000 }, (_, i) => (i * 7919) % 5003)
    const items = keys.map((_, i) => i)
    expect(smallestByKey(items, Float64Array.from(keys), 20)).toStrictEqual(model(keys, 20))
  })
})
