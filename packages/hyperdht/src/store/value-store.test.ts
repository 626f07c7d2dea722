import { describe, expect, it } from 'vitest'
import { createKeyPair, mutableTarget, sha256, signable, signDetached } from '../crypto.js'
import { ValueStore, type MutableRecord } from './value-store.js'

const kp = createKeyPair()

function record (seq: number, value: string, salt: Uint8Array | null = null, keyPair = kp): MutableRecord {
  const v = Buffer.from(value)
  return { publicKey: keyPair.publicKey, salt, seq, value: v, signature: signDetached(signable(salt, seq, v), keyPair.secretKey) }
}

describe('ValueStore immutable', () => {
  it('stores a value under its sha256 and refuses a mismatching hash', () => {
    const s = new ValueStore()
    const v = Buffer.from('hello')
    expect(s.putImmutable(sha256(v), v, 'h', 0)).toEqual({ ok: true, status: 'added' })
    expect(s.getImmutable(sha256(v), 1)).toEqual(new Uint8Array(v))
    expect(s.putImmutable(sha256(v), v, 'h', 2)).toEqual({ ok: true, status: 'refreshed' })
    expect(s.putImmutable(sha256(Buffer.from('other')), v, 'h', 0)).toEqual({ ok: false, reason: 'HASH_MISMATCH' })
    expect(s.getImmutable(sha256(Buffer.from('other')), 0)).toBeNull()
  })

  it('keeps its own copy of stored bytes, not a view of the caller\'s (datagram) buffer', () => {
    const s = new ValueStore()
    const datagram = Buffer.from('..hello..')
    const v = datagram.subarray(2, 7)
    const hash = sha256(v)
    expect(s.putImmutable(hash, v, 'h', 0).ok).toBe(true)
    datagram.fill(0)
    expect(Buffer.from(s.getImmutable(hash, 1)!).toString()).toBe('hello')

    const r = record(1, 'mutable')
    const target = mutableTarget(r.publicKey, null)
    expect(s.putMutable(target, r, 'h', 0).ok).toBe(true)
    ;(r.value as Buffer).fill(0)
    r.signature.fill(0)
    const stored = s.getMutable(target, 1)!
    expect(Buffer.from(stored.value).toString()).toBe('mutable')
    expect(stored.signature.some((b) => b !== 0)).toBe(true)
  })

  it('refuses values over 1000 bytes', () => {
    const s = new ValueStore()
    const v = new Uint8Array(1001)
    expect(s.putImmutable(sha256(v), v, 'h', 0)).toEqual({ ok: false, reason: 'VALUE_TOO_LARGE' })
    const ok = new Uint8Array(1000)
    expect(s.putImmutable(sha256(ok), ok, 'h', 0).ok).toBe(true)
  })

  it('expires values unless re-put', () => {
    const s = new ValueStore({ maxAge: 100 })
    const a = Buffer.from('a')
    const b = Buffer.from('b')
    s.putImmutable(sha256(a), a, 'h', 0)
    s.putImmutable(sha256(b), b, 'h', 0)
    s.putImmutable(sha256(a), a, 'h', 80)
    expect(s.getImmutable(sha256(b), 150)).toBeNull()
    expect(s.getImmutable(sha256(a), 150)).toEqual(new Uint8Array(a))
    expect(s.getImmutable(sha256(a), 181)).toBeNull()
    expect(s.size).toBe(0)
  })

  it('caps values per host and evicts the oldest at the global cap', () => {
    const s = new ValueStore({ maxSize: 10, maxPerHost: 4 })
    for (let i = 0; i < 6; i++) {
      const v = Buffer.from('v' + i)
      expect(s.putImmutable(sha256(v), v, 'flooder', i).ok).toBe(i < 4)
    }
    for (let i = 0; i < 30; i++) {
      const v = Buffer.from('w' + i)
      expect(s.putImmutable(sha256(v), v, 'host' + i, 10 + i).ok).toBe(true)
    }
    expect(s.size).toBe(10)
    expect(s.getImmutable(sha256(Buffer.from('w29')), 50)).not.toBeNull()
    expect(s.getImmutable(sha256(Buffer.from('w0')), 50)).toBeNull()
    expect(s.stats().hosts).toBe(10)
  })
})

describe('ValueStore mutable', () => {
  const target = mutableTarget(kp.publicKey, null)

  it('keeps the highest seq and refuses lower or conflicting equal seqs', () => {
    const s = new ValueStore()
    expect(s.putMutable(target, record(1, 'one'), 'h', 0)).toEqual({ ok: true, status: 'added' })
    expect(s.putMutable(target, record(1, 'one'), 'h', 1)).toEqual({ ok: true, status: 'refreshed' })
    expect(s.putMutable(target, record(3, 'three'), 'h', 2)).toEqual({ ok: true, status: 'replaced' })
    const low = s.putMutable(target, record(2, 'two'), 'h', 3)
    expect(low.ok).toBe(false)
    if (!low.ok) {
      expect(low.reason).toBe('SEQ_TOO_LOW')
      expect(low.current?.seq).toBe(3)
    }
    const equal = s.putMutable(target, record(3, 'THREE'), 'h', 3)
    expect(equal.ok === false && equal.reason).toBe('SEQ_TOO_LOW')
    expect(Buffer.from(s.getMutable(target, 4)?.value as Uint8Array).toString()).toBe('three')
  })

  it('refuses forged signatures, wrong targets and oversized values', () => {
    const s = new ValueStore()
    const forged = { ...record(1, 'x'), value: Buffer.from('y') }
    expect(s.putMutable(target, forged, 'h', 0)).toEqual({ ok: false, reason: 'INVALID_SIGNATURE' })
    const other = createKeyPair()
    const wrongKey = { ...record(1, 'x', null, other), publicKey: kp.publicKey }
    expect(s.putMutable(target, wrongKey, 'h', 0)).toEqual({ ok: false, reason: 'INVALID_SIGNATURE' })
    expect(s.putMutable(mutableTarget(other.publicKey, null), record(1, 'x'), 'h', 0)).toEqual({ ok: false, reason: 'HASH_MISMATCH' })
    expect(s.putMutable(target, record(1, 'x'.repeat(1001)), 'h', 0)).toEqual({ ok: false, reason: 'VALUE_TOO_LARGE' })
    const saltRecord = record(1, 'salted', Buffer.from('salt'))
    expect(s.putMutable(target, saltRecord, 'h', 0).ok).toBe(false) // target must include the salt
    expect(s.putMutable(mutableTarget(kp.publicKey, Buffer.from('salt')), saltRecord, 'h', 0).ok).toBe(true)
    // a signature over another salt does not verify
    const moved = { ...saltRecord, salt: Buffer.from('tlas') }
    expect(s.putMutable(mutableTarget(kp.publicKey, moved.salt), moved, 'h', 0)).toEqual({ ok: false, reason: 'INVALID_SIGNATURE' })
    expect(s.getMutable(target, 0)).toBeNull()
  })
})
