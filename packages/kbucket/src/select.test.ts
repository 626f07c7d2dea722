import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { xorDistance } from './distance.js'
import { BOUNDED_INSERTION_MAX, closestByXor, smallestByKey } from './select.js'

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

describe('closestByXor', () => {
  test('equals a stable sort by xorDistance, including distances that round to the same double', () => {
    // 32-byte ids built from few prefixes and random last bytes: many rounded ties.
    const prefix = fc.constantFrom(...[0x00, 0x01, 0x80, 0xff].map((b) => new Uint8Array(30).fill(b)))
    const id = fc.tuple(prefix, fc.uint8Array({ minLength: 2, maxLength: 2 })).map(([p, tail]) => Uint8Array.from([...p, ...tail]))
    fc.assert(fc.property(fc.array(id, { maxLength: 80 }), id, fc.integer({ min: 1, max: BOUNDED_INSERTION_MAX }), (ids, target, n) => {
      const contacts = ids.map((value, index) => ({ id: value, index }))
      const expected = contacts.map((c) => ({ c, d: xorDistance(c.id, target) }))
        .sort((a, b) => a.d - b.d)
        .slice(0, n)
        .map((entry) => entry.c)
      expect(closestByXor(contacts, target, n)).toStrictEqual(expected)
    }), { numRuns: 300 })
  })
})
