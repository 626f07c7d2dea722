// Byte helpers shared by the node, the handlers and the pure stores.

/** Byte-wise equality (short keys and addresses: a loop beats wrapping them in Buffers to call `equals`). */
export function bytesEqual (a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Lower-case hex: the store's map keys. */
export function toHex (b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
}
