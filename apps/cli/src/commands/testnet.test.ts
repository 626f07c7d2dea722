import { describe, expect, it } from 'vitest'
import { spreadHost } from './testnet.js'

describe('spreadHost', () => {
  it('keeps the library testnet layout on 127.0.0.1 and moves the second octet elsewhere', () => {
    expect(spreadHost('127.0.0.1', 1)).toBe('127.2.0.1')
    expect(spreadHost('127.91.0.1', 1)).toBe('127.92.0.1')
    expect(spreadHost('127.250.3.7', 10)).toBe('127.4.3.7')
  })
})
