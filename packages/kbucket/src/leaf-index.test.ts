import { describe, expect, test } from 'vitest'
import { LeafIndex } from './leaf-index.js'

const contact = (...id: number[]): { id: Uint8Array } => ({ id: Uint8Array.from(id) })

describe('LeafIndex', () => {
  test('finds contacts by id, not by the last bytes it keys on', () => {
    // a and b share their last four bytes (one key, a chain); c does not
    const a = contact(1, 9, 9, 9, 9)
    const b = contact(2, 9, 9, 9, 9)
    const c = contact(1, 9, 9, 9, 8)
    const index = LeafIndex.of([a, b, c])
    expect(index.get(Uint8Array.from([1, 9, 9, 9, 9]))).toBe(a)
    expect(index.get(Uint8Array.from([2, 9, 9, 9, 9]))).toBe(b)
    expect(index.get(Uint8Array.from([1, 9, 9, 9, 8]))).toBe(c)
    expect(index.get(Uint8Array.from([3, 9, 9, 9, 9]))).toBeUndefined()
    expect(index.get(Uint8Array.from([3, 9, 9, 9, 7]))).toBeUndefined()
  })

  test('replace and delete reach contacts inside a chain and alone', () => {
    const a = contact(1, 9, 9, 9, 9)
    const b = contact(2, 9, 9, 9, 9)
    const c = contact(3, 9, 9, 9, 9)
    const index = LeafIndex.of([a, b, c])
    const b2 = contact(2, 9, 9, 9, 9)
    index.replace(b, b2)
    expect(index.get(b.id)).toBe(b2)
    index.delete(a)
    expect(index.get(a.id)).toBeUndefined()
    expect(index.get(c.id)).toBe(c)
    index.delete(c) // the chain is down to one contact
    expect(index.get(b.id)).toBe(b2)
    const b3 = contact(2, 9, 9, 9, 9)
    index.replace(b2, b3)
    expect(index.get(b.id)).toBe(b3)
    index.delete(b3)
    expect(index.get(b.id)).toBeUndefined()
  })

  test('ids shorter than the four bytes it keys on', () => {
    const a = contact(7)
    const b = contact(7, 1)
    const index = LeafIndex.of([a, b])
    expect(index.get(Uint8Array.from([7]))).toBe(a)
    expect(index.get(Uint8Array.from([7, 1]))).toBe(b)
    expect(index.get(Uint8Array.from([0, 7]))).toBeUndefined()
  })
})
