import { idEquals } from '@hyperdht-ts/kbucket'
import { ID_LENGTH } from './constants.js'

/** Byte-wise equality of ids, keys and hashes (kbucket's, the one such helper of the stack). */
export const bytesEqual: (a: Uint8Array, b: Uint8Array) => boolean = idEquals

/** A node id or target: exactly `ID_LENGTH` bytes. */
export function validId (id: Uint8Array | null | undefined): id is Uint8Array {
  return id instanceof Uint8Array && id.length === ID_LENGTH
}

/** Lower-case hex (logs, map keys). */
export function toHex (b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
}

/** The message of an error (or the string of anything else), for logs. */
export function errorMessage (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
