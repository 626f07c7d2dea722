import { describe, expect, it } from 'vitest'
import { SourceGuard } from './guard.js'
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

  it('keeps every host apart in its compact cache, across rotations and a full cache', () => {
    const t = new Tokens()
    const hosts = Array.from({ length: 5000 }, (_, i) => `10.${i >> 8}.${i & 255}.1`)
    const first = hosts.map((h) => t.create(h))
    t.rotate()
    const second = hosts.map((h) => t.create(h))
    for (let i = 0; i < hosts.length; i += 97) {
      expect(t.verify(first[i], hosts[i]!)).toBe(true)
      expect(t.verify(second[i], hosts[i]!)).toBe(true)
      expect(t.verify(first[i], hosts[(i + 1) % hosts.length]!)).toBe(false)
      expect(Buffer.from(first[i]!).equals(Buffer.from(second[i]!))).toBe(false)
    }
    t.rotate()
    expect(t.verify(first[0], hosts[0]!)).toBe(false)
    expect(t.verify(second[0], hosts[0]!)).toBe(true)
  })

  it('caches in the slots of a SourceGuard, and forgets a slot handed to another host', () => {
    const guard = new SourceGuard({ maxSources: 2 })
    const t = new Tokens(guard)
    const uncached = t.create('9.9.9.9') // not a tracked source: computed, still valid
    expect(t.verify(uncached, '9.9.9.9')).toBe(true)
    guard.admit('1.1.1.1', 10, 0)
    guard.admit('2.2.2.2', 10, 0)
    const a = t.create('1.1.1.1')
    const b = t.create('2.2.2.2')
    expect(t.verify(a, '1.1.1.1')).toBe(true)
    expect(t.verify(b, '1.1.1.1')).toBe(false)
    guard.admit('3.3.3.3', 10, 0) // evicts 1.1.1.1: its slot now belongs to 3.3.3.3
    const c = t.create('3.3.3.3')
    expect(Buffer.from(c).equals(Buffer.from(a))).toBe(false)
    expect(t.verify(c, '3.3.3.3')).toBe(true)
    expect(t.verify(a, '3.3.3.3')).toBe(false)
    expect(t.verify(a, '1.1.1.1')).toBe(true) // untracked now, computed
    t.rotate()
    expect(t.verify(c, '3.3.3.3')).toBe(true)
    expect(t.verify(b, '2.2.2.2')).toBe(true)
    t.rotate()
    expect(t.verify(c, '3.3.3.3')).toBe(false)
  })
})
