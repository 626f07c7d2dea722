import { describe, expect, it } from 'vitest'
import { TOKEN_CACHE_SIZE, Tokens } from './tokens.js'

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

  it('answers the same for hosts in and out of its small cache', () => {
    const t = new Tokens()
    const hosts = Array.from({ length: 3 * TOKEN_CACHE_SIZE }, (_, i) => `10.0.0.${i}`)
    const first = hosts.map((h) => t.create(h))
    // the first hosts left the cache: computed again, the same tokens
    for (let i = 0; i < hosts.length; i++) {
      expect(Buffer.from(t.create(hosts[i]!)).equals(Buffer.from(first[i]!))).toBe(true)
      expect(t.verify(first[i], hosts[i]!)).toBe(true)
    }
    t.rotate()
    for (let i = hosts.length - 1; i >= 0; i--) expect(t.verify(first[i], hosts[i]!)).toBe(true)
    const second = t.create(hosts[0]!)
    expect(Buffer.from(second).equals(Buffer.from(first[0]!))).toBe(false)
    t.rotate()
    expect(t.verify(first[0], hosts[0]!)).toBe(false)
    expect(t.verify(second, hosts[0]!)).toBe(true)
  })

  it('hashes long hosts too, and a returned token is a copy', () => {
    const t = new Tokens()
    const long = 'x'.repeat(300)
    const tok = t.create(long)
    expect(t.verify(tok, long)).toBe(true)
    expect(t.verify(tok, long + 'y')).toBe(false)
    tok.fill(0)
    expect(t.verify(t.create(long), long)).toBe(true)
  })
})

describe('Tokens.peek', () => {
  it('gives the token create() gives, for each host in turn, across a rotation', () => {
    const t = new Tokens()
    const hosts = ['1.1.1.1', '2.2.2.2', '1.1.1.1', '1.1.1.1', '3.3.3.3', '2.2.2.2']
    for (const h of hosts) expect([...t.peek(h)]).toEqual([...t.create(h)])
    t.rotate()
    for (const h of hosts) {
      const peeked = [...t.peek(h)]
      expect(peeked).toEqual([...t.create(h)])
      expect(t.verify(Uint8Array.from(peeked), h)).toBe(true)
    }
  })

  it('a slot handed to another host holds that host\'s token in the view given out again', () => {
    const t = new Tokens()
    const first = [...t.peek('10.0.0.0')]
    // fill every slot with other hosts: 10.0.0.0's slot goes to one of them
    for (let i = 1; i <= TOKEN_CACHE_SIZE; i++) t.peek(`10.0.0.${i}`)
    const again = t.peek('10.0.0.0')
    expect([...again]).toEqual(first)
    expect(t.verify(Uint8Array.from(again), '10.0.0.0')).toBe(true)
  })
})
