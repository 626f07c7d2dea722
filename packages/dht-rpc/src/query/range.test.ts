import { describe, expect, it } from 'vitest'
import { K } from '../constants.js'
import { RoutingTable } from '../routing/table.js'
import { closeRange, withinRange } from './range.js'

/** A 32-byte id: `b0`, `b1`, then zeros. */
function id (b0: number, b1 = 0): Uint8Array {
  const out = new Uint8Array(32)
  out[0] = b0
  out[1] = b1
  return out
}

const SELF = id(0)

function tableWith (ids: Uint8Array[]): RoutingTable {
  const table = new RoutingTable(SELF, K, { maxPer16: Infinity })
  ids.forEach((n, i) => table.add(n, { host: `10.${i}.0.1`, port: 1 }, 0))
  return table
}

describe('closeRange', () => {
  it('is 1.5 times the distance from our id to our k-th closest contact', () => {
    const near = Array.from({ length: K }, (_, i) => id(0, i + 1)) // the k-th is id(0, 20)
    expect(closeRange(tableWith([...near, id(0x40)]), SELF)).toEqual(id(0, 30))
    // the half shifts bits across bytes: 01 01 00 + 00 80 80 = 01 81 80
    const odd = Array.from({ length: K - 1 }, (_, i) => id(0, i + 1))
    const expected = id(1, 0x81)
    expected[2] = 0x80
    expect(closeRange(tableWith([...odd, id(1, 1)]), SELF)).toEqual(expected)
  })

  it('is null with fewer than k contacts, or when the range overflows', () => {
    expect(closeRange(tableWith(Array.from({ length: K - 1 }, (_, i) => id(0, i + 1))), SELF)).toBeNull()
    expect(closeRange(tableWith(Array.from({ length: K }, (_, i) => id(0xb0 + i))), SELF)).toBeNull()
  })
})

describe('withinRange', () => {
  it('compares the XOR distance to the target with the range, inclusive', () => {
    const target = id(0xf0)
    const range = id(0, 30)
    expect(withinRange(id(0xf0, 30), target, range)).toBe(true) // exactly at the range
    expect(withinRange(id(0xf0, 29), target, range)).toBe(true)
    expect(withinRange(id(0xf0, 31), target, range)).toBe(false)
    expect(withinRange(id(0x70), target, range)).toBe(false)
    expect(withinRange(id(0x70), target, null)).toBe(true)
  })
})
