import type { Contact } from './types.js'

/**
 * XOR distance of two ids as a number, exactly as k-bucket@5.1.0 computes it: the XOR of the
 * common bytes read big-endian, each byte one id has beyond the other counting as 0xff.
 * Beyond 6 bytes the value is rounded to a double, so ids that differ only in their low bytes
 * can get the same distance; use {@link compareDistance} to order exactly.
 */
export function xorDistance (a: Uint8Array, b: Uint8Array): number {
  const min = Math.min(a.length, b.length)
  const max = Math.max(a.length, b.length)
  let distance = 0
  let i = 0
  for (; i < min; i++) distance = distance * 256 + (a[i]! ^ b[i]!)
  for (; i < max; i++) distance = distance * 256 + 255
  return distance
}

/**
 * Exact comparison of the XOR distances from `target` to `a` and to `b`: -1 if `a` is closer,
 * 1 if `b` is closer, 0 if they are equally far. Never rounds, so it orders 32-byte ids
 * correctly. Ids of a different length than `target` are ordered by the exact value of
 * {@link xorDistance} (missing bytes count as 0xff).
 */
export function compareDistance (target: Uint8Array, a: Uint8Array, b: Uint8Array): -1 | 0 | 1 {
  const len = target.length
  if (a.length === len && b.length === len) {
    for (let i = 0; i < len; i++) {
      const t = target[i]!
      const da = a[i]! ^ t
      const db = b[i]! ^ t
      if (da !== db) return da < db ? -1 : 1
    }
    return 0
  }
  // General case: compare the two distances as big-endian numbers, the shorter left-padded.
  const lenA = Math.max(len, a.length)
  const lenB = Math.max(len, b.length)
  const width = Math.max(lenA, lenB)
  for (let i = 0; i < width; i++) {
    const da = distanceDigit(target, a, i - (width - lenA))
    const db = distanceDigit(target, b, i - (width - lenB))
    if (da !== db) return da < db ? -1 : 1
  }
  return 0
}

/** Byte `i` of the XOR distance of `target` and `id` (0 before its first byte). */
function distanceDigit (target: Uint8Array, id: Uint8Array, i: number): number {
  if (i < 0) return 0
  return i < target.length && i < id.length ? target[i]! ^ id[i]! : 255
}

/**
 * Byte-wise equality of two ids. Compares from the last byte: the ids a table compares share
 * their leading bits (a bucket holds the ids of one prefix, and the deeper buckets share most of
 * the local id), so differing ids usually differ at the end.
 */
export function idEquals (a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true
  if (a.length !== b.length) return false
  for (let i = a.length - 1; i >= 0; i--) if (a[i] !== b[i]) return false
  return true
}

/**
 * The default arbiter, as in k-bucket@5.1.0: the contact with the higher `vectorClock` wins,
 * and the candidate wins a tie or when either clock is missing.
 */
export function defaultArbiter<T extends Contact> (incumbent: T, candidate: T): T {
  // Plain JavaScript `>` on purpose: a missing clock is `undefined`, which is never greater.
  return (incumbent.vectorClock as number) > (candidate.vectorClock as number) ? incumbent : candidate
}
