import { expect, test } from 'vitest'
import { frame, isRequest, tidOf } from './header.js'

test('frames a request: request bit set, big-endian tid, body after the header', () => {
  const m = frame(true, 0x1234, Uint8Array.of(9, 8))
  expect([...m]).toEqual([0x92, 0x34, 9, 8])
  expect(isRequest(m)).toBe(true)
  expect(tidOf(m)).toBe(0x1234)
})

test('frames a response: request bit clear', () => {
  const m = frame(false, 32766, new Uint8Array(0))
  expect([...m]).toEqual([0x7f, 0xfe])
  expect(isRequest(m)).toBe(false)
  expect(tidOf(m)).toBe(32766)
})
