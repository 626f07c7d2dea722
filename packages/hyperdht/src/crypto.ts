// sha256 and ed25519 over node:crypto. Pure functions (no I/O).
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto'
import { PUBLIC_KEY_LENGTH, SECRET_KEY_LENGTH, SEED_LENGTH, SIGNATURE_LENGTH } from './constants.js'

/** An ed25519 key pair. `secretKey` is seed (32) + public key (32), as libsodium lays it out. */
export interface KeyPair {
  publicKey: Uint8Array
  secretKey: Uint8Array
}

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

export function sha256 (...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return new Uint8Array(h.digest())
}

export function createKeyPair (seed?: Uint8Array): KeyPair {
  let s: Uint8Array
  if (seed === undefined) {
    const { privateKey } = generateKeyPairSync('ed25519')
    s = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length))
  } else {
    s = seed
  }
  const priv = privateKeyFromSeed(s)
  const spki = createPublicKey(priv).export({ format: 'der', type: 'spki' })
  const publicKey = new Uint8Array(spki.subarray(SPKI_PREFIX.length))
  const secretKey = new Uint8Array(SECRET_KEY_LENGTH)
  secretKey.set(s, 0)
  secretKey.set(publicKey, SEED_LENGTH)
  return { publicKey, secretKey }
}

export function signDetached (message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, message, privateKeyFromSeed(secretKey.subarray(0, SEED_LENGTH))))
}

export function verifyDetached (message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== SIGNATURE_LENGTH || publicKey.length !== PUBLIC_KEY_LENGTH) return false
  try {
    return verify(null, message, publicKeyFromRaw(publicKey), signature)
  } catch {
    return false
  }
}

/** Target of a mutable record: sha256(publicKey || salt). */
export function mutableTarget (publicKey: Uint8Array, salt: Uint8Array | null | undefined): Uint8Array {
  return salt !== null && salt !== undefined && salt.length > 0 ? sha256(publicKey, salt) : sha256(publicKey)
}

/**
 * The bytes an ed25519 signature of a mutable record covers, BEP 44 style: the bencoded
 * `salt` (only when non-empty), `seq` and `v` entries of the record, without the outer `d…e`:
 * `4:salt<len>:<salt>` `3:seqi<seq>e` `1:v<len>:<value>`. Lengths and seq are decimal ASCII.
 */
export function signable (salt: Uint8Array | null | undefined, seq: number, value: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = []
  if (salt !== null && salt !== undefined && salt.length > 0) {
    parts.push(ascii(`4:salt${salt.length}:`), salt)
  }
  parts.push(ascii(`3:seqi${seq}e1:v${value.length}:`), value)
  return concat(parts)
}

function privateKeyFromSeed (seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' })
}

function publicKeyFromRaw (publicKey: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' })
}

function ascii (s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'latin1'))
}

function concat (parts: Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let off = 0
  for (const p of parts) {
    out.set(p, off)
    off += p.length
  }
  return out
}
