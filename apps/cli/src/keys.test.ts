import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { CLIError } from './errors.js'
import { parseHex32, parseTopic, toHex } from './keys.js'

describe('parseTopic', () => {
  it('uses 64 hex characters as is (any case)', () => {
    const hex = 'AB'.repeat(32)
    const k = parseTopic(hex)
    expect(k).toMatchObject({ hashed: false, hex: 'ab'.repeat(32), input: hex })
    expect(toHex(k.key)).toBe('ab'.repeat(32))
  })

  it('hashes anything else with SHA-256 and says so', () => {
    const k = parseTopic('my topic')
    expect(k.hashed).toBe(true)
    expect(k.hex).toBe(createHash('sha256').update('my topic').digest('hex'))
    // 63 or 65 hex characters are names too
    expect(parseTopic('a'.repeat(63)).hashed).toBe(true)
    expect(parseTopic('a'.repeat(65)).hashed).toBe(true)
  })

  it('refuses an empty key', () => {
    expect(() => parseTopic('')).toThrowError(expect.objectContaining({ code: 'BAD_KEY' }))
  })
})

describe('parseHex32', () => {
  it('accepts exactly 64 hex characters and nothing else', () => {
    expect(parseHex32('0f'.repeat(32), 'hash')).toHaveLength(32)
    for (const bad of ['', 'xyz', '0f'.repeat(31), '0f'.repeat(33), 'g'.repeat(64)]) {
      let err: unknown
      try {
        parseHex32(bad, 'hash')
      } catch (e) {
        err = e
      }
      expect(CLIError.isInstance(err)).toBe(true)
      expect((err as CLIError).code).toBe('BAD_KEY')
      expect((err as CLIError).exitCode).toBe(2)
    }
  })
})
