import { describe, expect, it } from 'vitest'
import { bytesEqual, toHex } from './bytes.js'

describe('bytes', () => {
  it('bytesEqual compares contents, lengths and views', () => {
    const buf = Uint8Array.of(9, 1, 2, 3)
    expect(bytesEqual(buf.subarray(1), Uint8Array.of(1, 2, 3))).toBe(true)
    expect(bytesEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4))).toBe(false)
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 3))).toBe(false)
    expect(bytesEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true)
    expect(toHex(buf.subarray(1))).toBe('010203')
  })
})
