import { ID_LENGTH } from './constants.js'

/** Byte-wise equality (ids are 32 bytes: a loop beats wrapping them in Buffers to call `equals`). */
export function equal (a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}

/** A node id or target: exactly `ID_LENGTH` bytes. */
export function validId (id: Uint8Array | null | undefined): id is Uint8Array {
  return id instanceof Uint8Array && id.byteLength === ID_LENGTH
}

/** Lower-case hex, for logs. */
export function toHex (b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
}

/** The message of an error (or the string of anything else), for logs. */
export function errorMessage (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
