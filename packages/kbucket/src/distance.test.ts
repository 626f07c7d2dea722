import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { compareDistance, defaultArbiter, idEquals, xorDistance } from './distance.js'

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values)

/** The exact value of xorDistance, as a BigInt. */
function exactDistance (a: Uint8Array, b: Uint8Array): bigint {
  let d = 0n
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    d = d * 256n + BigInt(i < a.length && i < b.length ? a[i]! ^ b[i]! : 255)
  }
  return d
}

const sign = (x: bigint): number => (x < 0n ? -1 : x > 0n ? 1 : 0)

describe('xorDistance', () => {
  test('XORs equal-length ids big-endian', () => {
    expect(xorDistance(bytes(0, 0), bytes(0, 0))).toBe(0)
    expect(xorDistance(bytes(0, 0), bytes(0, 1))).toBe(1)
    expect(xorDistance(bytes(0x01, 0x02), bytes(0x03, 0x01))).toBe(0x0203)
    expect(xorDistance(bytes(0xff, 0, 0xff), bytes(0, 0, 0))).toBe(0xff00ff)
  })

  test('counts every byte one id has beyond the other as 0xff', () => {
    expect(xorDistance(bytes(0), bytes(0, 0))).toBe(0xff)
    expect(xorDistance(bytes(1, 2, 3), bytes(1))).toBe(0xffff)
    expect(xorDistance(new Uint8Array(0), bytes(7))).toBe(0xff)
  })

  test('is symmetric and exact up to 6 bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 6 }), fc.uint8Array({ minLength: 0, maxLength: 6 }), (a, b) => {
      expect(xorDistance(a, b)).toBe(xorDistance(b, a))
      expect(BigInt(xorDistance(a, b))).toBe(exactDistance(a, b))
    }))
  })

  test('rounds 32-byte distances but never against the exact order', () => {
    const id32 = fc.uint8Array({ minLength: 32, maxLength: 32 })
    fc.assert(fc.property(id32, id32, id32, (t, a, b) => {
      if (compareDistance(t, a, b) < 0) expect(xorDistance(a, t)).toBeLessThanOrEqual(xorDistance(b, t))
    }))
    // Two ids that differ only in their last byte are equally far as doubles, not exactly.
    const t = new Uint8Array(32)
    const a = new Uint8Array(32).fill(0x80)
    const b = a.slice()
    b[31] = 0x81
    expect(xorDistance(a, t)).toBe(xorDistance(b, t))
    expect(compareDistance(t, a, b)).toBe(-1)
  })
})

describe('compareDistance', () => {
  test('compares equal-length distances byte by byte', () => {
    const t = bytes(0x15)
    expect(compareDistance(t, bytes(0x11), bytes(0x10))).toBe(-1) // 0x04 < 0x05
    expect(compareDistance(t, bytes(0x05), bytes(0x10))).toBe(1) // 0x10 > 0x05
    expect(compareDistance(t, bytes(0x11), bytes(0x11))).toBe(0)
    expect(compareDistance(bytes(0, 0), bytes(0, 0xff), bytes(1, 0))).toBe(-1)
  })

  test('is the sign of the exact distance difference, for any lengths', () => {
    const id = fc.uint8Array({ minLength: 0, maxLength: 5 })
    fc.assert(fc.property(id, id, id, (t, a, b) => {
      expect(compareDistance(t, a, b)).toBe(sign(exactDistance(a, t) - exactDistance(b, t)))
    }), { numRuns: 500 })
  })

  test('is exact for 32-byte ids', () => {
    const id32 = fc.uint8Array({ minLength: 32, maxLength: 32 })
    fc.assert(fc.property(id32, id32, id32, (t, a, b) => {
      expect(compareDistance(t, a, b)).toBe(sign(exactDistance(a, t) - exactDistance(b, t)))
      expect(compareDistance(t, b, a)).toBe(-compareDistance(t, a, b) || 0)
    }))
  })
})

describe('idEquals', () => {
  test('compares bytes and lengths', () => {
    expect(idEquals(bytes(1, 2), bytes(1, 2))).toBe(true)
    expect(idEquals(bytes(1, 2), bytes(1, 3))).toBe(false)
    expect(idEquals(bytes(9, 2, 3), bytes(1, 2, 3))).toBe(false) // only the first byte differs
    expect(idEquals(bytes(1, 2), bytes(1, 2, 0))).toBe(false)
    expect(idEquals(bytes(), bytes())).toBe(true)
  })
})

describe('defaultArbiter', () => {
  const incumbent = { id: bytes(1), vectorClock: 2 }

  test('keeps the contact with the higher vectorClock', () => {
    expect(defaultArbiter(incumbent, { id: bytes(1), vectorClock: 1 })).toBe(incumbent)
    const newer = { id: bytes(1), vectorClock: 3 }
    expect(defaultArbiter(incumbent, newer)).toBe(newer)
  })

  test('lets the candidate win a tie or a missing clock', () => {
    const same = { id: bytes(1), vectorClock: 2 }
    expect(defaultArbiter(incumbent, same)).toBe(same)
    const unclocked = { id: bytes(1) }
    expect(defaultArbiter(incumbent, unclocked)).toBe(unclocked)
    expect(defaultArbiter(unclocked, incumbent)).toBe(incumbent)
  })
})
