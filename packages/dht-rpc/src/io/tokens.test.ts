import { describe, expect, it } from 'vitest'
import { Tokens } from './tokens.js'

describe('Tokens', () => {
  it('binds the host, survives one rotation, not two', () => {
    const t = new Tokens()
    const tok = t.create('1.2.3.4')
    expect(tok.byteLength).toBe(32)
    expect(t.verify(tok, '1.2.3.4')).toBe(true)
    expect(t.verify(tok, '1.2.3.5')).toBe(false)
    t.rotate()
    expect(t.verify(tok, '1.2.3.4')).toBe(true)
    t.rotate()
    expect(t.verify(tok, '1.2.3.4')).toBe(false)
  })

  it('rejects missing and wrong-length tokens', () => {
    const t = new Tokens()
    expect(t.verify(null, 'a')).toBe(false)
    expect(t.verify(new Uint8Array(31), 'a')).toBe(false)
    expect(t.verify(new Uint8Array(32), 'a')).toBe(false)
  })
})
