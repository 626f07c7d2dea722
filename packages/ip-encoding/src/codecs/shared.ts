import { describe } from '../address/port'
import { IpEncodingError } from '../errors'

/** True for a `Uint8Array` (a `Buffer` included), also from another realm. */
export function isBytes (value: unknown): value is Uint8Array {
  return value instanceof Uint8Array ||
    (ArrayBuffer.isView(value) && (value as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] === 'Uint8Array')
}

export function checkBytes (value: unknown): Uint8Array {
  if (!isBytes(value)) throw IpEncodingError.INVALID_ARGUMENT(`expected a Uint8Array, got ${describe(value)}`)
  return value
}

export function checkList (value: unknown): readonly unknown[] {
  if (!Array.isArray(value)) throw IpEncodingError.INVALID_ARGUMENT(`expected an array, got ${describe(value)}`)
  return value
}

export function checkEntry (value: unknown, index: number): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) {
    throw IpEncodingError.INVALID_ARGUMENT(`entry ${index} must be an object, got ${describe(value)}`)
  }
  return value as Record<string, unknown>
}

export function checkOffset (offset: unknown): number {
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) {
    throw IpEncodingError.INVALID_ARGUMENT(`offset must be a non-negative integer, got ${describe(offset)}`)
  }
  return offset
}
