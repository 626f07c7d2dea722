import { describe, expect, it } from 'vitest'
import { createKeyPair, mutableTarget, sha256, signable, signDetached, verifyDetached } from './crypto.js'

describe('crypto', () => {
  it('derives the RFC 8032 test vector 1 key pair and signature from its seed', () => {
    const seed = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex')
    const kp = createKeyPair(seed)
    expect(Buffer.from(kp.publicKey).toString('hex')).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a')
    const sig = signDetached(new Uint8Array(0), kp.secretKey)
    expect(Buffer.from(sig).toString('hex')).toBe('e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b')
    expect(verifyDetached(new Uint8Array(0), sig, kp.publicKey)).toBe(true)
  })

  it('random key pairs sign and verify, and reject tampering', () => {
    const kp = createKeyPair()
    const msg = new Uint8Array([1, 2, 3])
    const sig = signDetached(msg, kp.secretKey)
    expect(verifyDetached(msg, sig, kp.publicKey)).toBe(true)
    expect(verifyDetached(new Uint8Array([1, 2, 4]), sig, kp.publicKey)).toBe(false)
    expect(verifyDetached(msg, sig, createKeyPair().publicKey)).toBe(false)
    expect(verifyDetached(msg, sig.subarray(1), kp.publicKey)).toBe(false)
  })

  it('signs the BEP 44 layout', () => {
    const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1')
    expect(text(signable(null, 1, Buffer.from('Hello World!')))).toBe('3:seqi1e1:v12:Hello World!')
    expect(text(signable(Buffer.from('foobar'), 1, Buffer.from('Hello World!')))).toBe('4:salt6:foobar3:seqi1e1:v12:Hello World!')
  })

  it('targets are sha256 of the public key and salt', () => {
    const pk = new Uint8Array(32).fill(1)
    expect(mutableTarget(pk, null)).toEqual(sha256(pk))
    expect(mutableTarget(pk, new Uint8Array([2]))).toEqual(sha256(pk, new Uint8Array([2])))
  })
})
