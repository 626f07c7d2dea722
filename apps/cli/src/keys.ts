import { createHash } from 'node:crypto'
import { CLIError } from './errors.js'

/** A 32-byte key given on the command line. */
export interface ParsedKey {
  key: Uint8Array
  /** The key as 64 lowercase hex characters. */
  hex: string
  /** True when the input was not 64 hex characters and the key is its sha256. */
  hashed: boolean
  /** What the user typed. */
  input: string
}

const HEX64 = /^[0-9a-fA-F]{64}$/

/**
 * A topic key: 64 hex characters are used as is; any other non-empty string is hashed with
 * SHA-256 (UTF-8), and `hashed` says so, so the command can tell the user.
 */
export function parseTopic (input: string): ParsedKey {
  if (typeof input !== 'string' || input === '') throw CLIError.BAD_KEY('key', String(input ?? ''), '64 hex characters or a non-empty name')
  if (HEX64.test(input)) return { key: fromHex(input), hex: input.toLowerCase(), hashed: false, input }
  const key = new Uint8Array(createHash('sha256').update(input, 'utf8').digest())
  return { key, hex: toHex(key), hashed: true, input }
}

/** Exactly 64 hex characters (a hash, a public key), never hashed: anything else is an error. */
export function parseHex32 (input: string, what: string): Uint8Array {
  if (typeof input !== 'string' || !HEX64.test(input)) throw CLIError.BAD_KEY(what, String(input ?? ''), '64 hex characters')
  return fromHex(input)
}

export function fromHex (hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'))
}

export function toHex (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}
