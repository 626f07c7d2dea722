import { heapAfterGc } from '@hyperdht-ts/test-utils'
import { describe, expect, it } from 'vitest'
import { ProofCache } from './proofs.js'

const token = (n: number): Uint8Array => new Uint8Array(32).fill(n)

describe('ProofCache', () => {
  it('keeps the latest token per host, a copy of the bytes it was given', () => {
    const c = new ProofCache()
    const datagram = new Uint8Array(100).fill(1)
    c.set('10.0.0.1', datagram.subarray(10, 42))
    datagram.fill(9)
    expect(c.get('10.0.0.1')).toEqual(token(1))
    c.set('10.0.0.1', token(2))
    expect(c.get('10.0.0.1')).toEqual(token(2))
    expect(c.size).toBe(1)
    expect(c.get('10.0.0.2')).toBeNull()
  })

  it('lets go of its old buffer when it grows, also when a token of it was handed out last', async () => {
    const c = new ProofCache()
    for (let i = 1; i <= 8; i++) c.set(`10.0.0.${i}`, token(i))
    // the view `get` hands out (and keeps, for the next get of that host) is of the 8-slot buffer
    const old = new WeakRef(c.get('10.0.0.8')!.buffer)
    c.set('10.0.0.9', token(9)) // grows to 16 slots, a new buffer; no get since (an idle node)
    // a WeakRef's target is only released once the job that made it is done: a few turns
    for (let i = 0; i < 3 && old.deref() !== undefined; i++) {
      await new Promise((resolve) => setImmediate(resolve))
      heapAfterGc() // (two full collections)
    }
    expect(old.deref()).toBeUndefined()
    expect(c.get('10.0.0.8')).toEqual(token(8))
    expect(c.get('10.0.0.9')).toEqual(token(9))
  })

  it('ignores tokens of another length', () => {
    const c = new ProofCache()
    c.set('10.0.0.1', new Uint8Array(31))
    expect(c.get('10.0.0.1')).toBeNull()
    expect(c.size).toBe(0)
  })

  it('tells hosts apart by their exact text: IPv4, IPv6, IPv4-mapped and names', () => {
    const c = new ProofCache()
    const hosts = ['10.0.0.1', '::ffff:10.0.0.1', '2001:db8::1', 'fe80::1', 'localhost', '255.255.255.255', '0.0.0.0']
    hosts.forEach((h, i) => c.set(h, token(i + 1)))
    hosts.forEach((h, i) => expect(c.get(h)).toEqual(token(i + 1)))
    expect(c.size).toBe(hosts.length)
  })

  it('holds at most max hosts and forgets the oldest first; an update does not make a host newer', () => {
    const c = new ProofCache(40)
    for (let i = 0; i < 40; i++) c.set(i % 3 === 0 ? `fe80::${i}` : `10.0.0.${i}`, token(i))
    const host = (i: number): string => i % 3 === 0 ? `fe80::${i}` : `10.0.0.${i}`
    c.set(host(0), token(100)) // an update: stays the oldest
    for (let i = 40; i < 45; i++) c.set(host(i), token(i))
    expect(c.size).toBe(40)
    for (let i = 0; i < 5; i++) expect(c.get(host(i))).toBeNull()
    for (let i = 5; i < 45; i++) expect(c.get(host(i))).toEqual(token(i))
    // 80 more: the ring goes round twice
    for (let i = 45; i < 125; i++) c.set(host(i), token(i & 255))
    for (let i = 0; i < 85; i++) expect(c.get(host(i))).toBeNull()
    for (let i = 85; i < 125; i++) expect(c.get(host(i))).toEqual(token(i & 255))
  })

  it('a cache of size 0 keeps nothing', () => {
    const c = new ProofCache(0)
    c.set('10.0.0.1', token(1))
    expect(c.get('10.0.0.1')).toBeNull()
  })

  it('gives the right token for each host asked in turn, also after the cache grew', () => {
    const c = new ProofCache(64)
    c.set('10.0.0.1', token(1))
    expect(c.get('10.0.0.1')).toEqual(token(1))
    c.set('10.0.0.1', token(7)) // the same slot, new bytes
    expect(c.get('10.0.0.1')).toEqual(token(7))
    for (let i = 2; i <= 40; i++) c.set(`10.0.0.${i}`, token(i)) // grows its buffer several times
    c.set('10.0.0.1', token(8)) // into the new buffer: a view kept from before would show 7
    expect(c.get('10.0.0.1')).toEqual(token(8))
    expect(c.get('10.0.0.40')).toEqual(token(40))
    expect(c.get('10.0.0.1')).toEqual(token(8))
  })
})
