import { readFileSync, writeFileSync } from 'node:fs'
import type { KeyPair } from '@hyperdht-ts/hyperdht'
import { CLIError } from './errors.js'
import { fromHex, toHex } from './keys.js'

/** The key file `hyperdht keygen` writes: JSON with the ed25519 pair in hex. */
export interface KeyFile {
  publicKey: string
  secretKey: string
}

export function encodeKeyFile (keyPair: KeyPair): string {
  const file: KeyFile = { publicKey: toHex(keyPair.publicKey), secretKey: toHex(keyPair.secretKey) }
  return `${JSON.stringify(file, null, 2)}\n`
}

/** Writes the key pair readable by the owner only; refuses to overwrite unless `force`. */
export function writeKeyFile (path: string, keyPair: KeyPair, force: boolean): void {
  try {
    writeFileSync(path, encodeKeyFile(keyPair), { mode: 0o600, flag: force ? 'w' : 'wx' })
  } catch (err) {
    if ((err as { code?: string }).code === 'EEXIST') throw CLIError.FILE_EXISTS(path)
    throw CLIError.BAD_KEY_FILE(path, `cannot be written (${(err as Error).message})`, err)
  }
}

/** Reads and checks a key file (32-byte public key, 64-byte secret key ending with it). */
export function readKeyFile (path: string): KeyPair {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    const code = (err as { code?: string }).code
    throw CLIError.BAD_KEY_FILE(path, code === 'ENOENT' ? 'no such file (make one with: hyperdht keygen --out FILE)' : code === undefined ? 'not valid JSON' : 'cannot be read', err)
  }
  const f = raw as Partial<KeyFile> | null
  if (f === null || typeof f !== 'object' || typeof f.publicKey !== 'string' || typeof f.secretKey !== 'string' ||
    !/^[0-9a-f]{64}$/i.test(f.publicKey) || !/^[0-9a-f]{128}$/i.test(f.secretKey)) {
    throw CLIError.BAD_KEY_FILE(path, 'expected { "publicKey": 64 hex characters, "secretKey": 128 hex characters }')
  }
  if (f.secretKey.slice(64).toLowerCase() !== f.publicKey.toLowerCase()) {
    throw CLIError.BAD_KEY_FILE(path, 'the secret key does not belong to the public key')
  }
  return { publicKey: fromHex(f.publicKey), secretKey: fromHex(f.secretKey) }
}
