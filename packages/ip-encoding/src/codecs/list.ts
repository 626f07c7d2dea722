// The list machinery shared by every fixed-size codec: validation, allocation, iteration.

import { IpEncodingError } from '../errors'
import type { BufferCodec, Family } from '../types'
import { checkBytes, checkEntry, checkList, checkOffset } from './shared'

/** Writes one (untrusted) entry at `offset`; throws an {@link IpEncodingError} on bad input. */
export type WriteEntry = (entry: Record<string, unknown>, out: Uint8Array, offset: number) => void
/** Reads one entry at `offset`; the caller guarantees the bytes are there. */
export type ReadEntry<T> = (bytes: Uint8Array, offset: number) => T

/** Builds a frozen codec from the entry size and its writer and reader. */
export function listCodec<T, E extends object> (
  family: Family,
  size: number,
  write: WriteEntry,
  read: ReadEntry<T>,
  extra: E
): BufferCodec<T> & E {
  function encodingLength (list: readonly T[]): number {
    return checkList(list).length * size
  }

  function encodeInto (list: readonly T[], target: Uint8Array, offset = 0): number {
    const entries = checkList(list)
    checkBytes(target)
    checkOffset(offset)
    const bytes = entries.length * size
    if (offset + bytes > target.length) {
      throw IpEncodingError.INVALID_LENGTH(`${bytes} bytes do not fit in ${target.length - offset} bytes at offset ${offset}`)
    }
    for (let i = 0; i < entries.length; i++) write(checkEntry(entries[i], i), target, offset + i * size)
    return bytes
  }

  function encode (list: readonly T[]): Uint8Array {
    const entries = checkList(list)
    const out = new Uint8Array(entries.length * size)
    for (let i = 0; i < entries.length; i++) write(checkEntry(entries[i], i), out, i * size)
    return out
  }

  function encodeOne (item: T): Uint8Array {
    const out = new Uint8Array(size)
    write(checkEntry(item, 0), out, 0)
    return out
  }

  function decode (bytes: Uint8Array): T[] {
    checkBytes(bytes)
    const len = bytes.length
    if (len % size !== 0) {
      throw IpEncodingError.INVALID_LENGTH(`${len} bytes is not a whole number of ${size}-byte entries`)
    }
    const n = len / size
    const list: T[] = new Array(n)
    for (let i = 0; i < n; i++) list[i] = read(bytes, i * size)
    return list
  }

  function decodeOne (bytes: Uint8Array, offset = 0): T {
    checkBytes(bytes)
    checkOffset(offset)
    if (offset + size > bytes.length) {
      throw IpEncodingError.INVALID_LENGTH(`need ${size} bytes at offset ${offset}, have ${Math.max(0, bytes.length - offset)}`)
    }
    return read(bytes, offset)
  }

  return Object.freeze({
    family,
    bytesPerEntry: size,
    encode,
    encodeInto,
    decode,
    encodingLength,
    encodeOne,
    decodeOne,
    ...extra
  })
}
