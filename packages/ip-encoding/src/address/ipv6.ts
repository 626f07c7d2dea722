// IPv6 text <-> 8 16-bit words, and the canonical text form.
//
// Parsing accepts what `net.isIPv6` accepts minus zone ids (handled by the caller): hex groups of
// 1-4 digits, at most one '::' standing for one or more zero groups, and an optional trailing
// dotted quad. Formatting reproduces libuv's inet_ntop (what Node prints for socket addresses):
// lower-case hex, the longest run (first on ties) of two or more zero groups compressed to '::',
// and a dotted-quad tail for IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) forms.

import { formatIPv4, parseIPv4 } from './ipv4'

const TAIL = new Uint16Array(8)

function hexValue (c: number): number {
  if (c >= 48 && c <= 57) return c - 48 // 0-9
  if (c >= 97 && c <= 102) return c - 87 // a-f
  if (c >= 65 && c <= 70) return c - 55 // A-F
  return -1
}

/**
 * Parses the colon-separated groups of `s.slice(start, end)` into `out` from index `at`.
 * Returns the number of words written or -1. An empty range gives 0 words.
 */
function parseGroups (s: string, start: number, end: number, out: Uint16Array, at: number, allowIPv4: boolean): number {
  if (start === end) return 0
  let count = 0
  let i = start
  for (;;) {
    let value = 0
    let digits = 0
    let j = i
    for (; j < end; j++) {
      const h = hexValue(s.charCodeAt(j))
      if (h < 0) break
      if (++digits > 4) return -1
      value = value * 16 + h
    }
    if (j < end && s.charCodeAt(j) === 46) { // '.': the group starts a dotted-quad tail
      if (!allowIPv4 || at + count + 2 > 8) return -1
      const v4 = parseIPv4(s, i, end)
      if (v4 < 0) return -1
      out[at + count++] = v4 >>> 16
      out[at + count++] = v4 & 0xffff
      return count
    }
    if (digits === 0 || at + count >= 8) return -1
    out[at + count++] = value
    if (j === end) return count
    if (s.charCodeAt(j) !== 58) return -1 // ':'
    i = j + 1
    if (i === end) return -1 // trailing single colon
  }
}

/**
 * Parses an IPv6 address without zone id into 8 words. Returns false when `s` is not one;
 * `words` is then left in an unspecified state.
 */
export function parseIPv6 (s: string, words: Uint16Array): boolean {
  const n = s.length
  if (n < 2 || n > 45) return false
  const dc = s.indexOf('::')
  if (dc === -1) return parseGroups(s, 0, n, words, 0, true) === 8
  if (s.indexOf('::', dc + 1) !== -1) return false
  const head = parseGroups(s, 0, dc, words, 0, false)
  if (head < 0) return false
  const tail = parseGroups(s, dc + 2, n, TAIL, 0, true)
  if (tail < 0 || head + tail > 7) return false
  const gap = 8 - tail
  for (let i = head; i < gap; i++) words[i] = 0
  for (let i = 0; i < tail; i++) words[gap + i] = TAIL[i]!
  return true
}

/** Writes 8 words as 16 big-endian bytes at `offset`. */
export function writeWords (words: Uint16Array, out: Uint8Array, offset: number): void {
  for (let i = 0; i < 8; i++) {
    const w = words[i]!
    out[offset + 2 * i] = w >>> 8
    out[offset + 2 * i + 1] = w & 255
  }
}

/** True when the 8 words are an IPv4-mapped address (::ffff:a.b.c.d). */
export function isMappedWords (words: Uint16Array): boolean {
  return words[0] === 0 && words[1] === 0 && words[2] === 0 && words[3] === 0 &&
    words[4] === 0 && words[5] === 0xffff
}

/** Canonical text of the 16 address bytes at `offset` (libuv inet_ntop). */
export function formatIPv6 (b: Uint8Array, o: number): string {
  let bestBase = -1
  let bestLen = 0
  let curBase = -1
  let curLen = 0
  for (let i = 0; i < 8; i++) {
    if (b[o + 2 * i] === 0 && b[o + 2 * i + 1] === 0) {
      if (curBase === -1) {
        curBase = i
        curLen = 1
      } else {
        curLen++
      }
    } else if (curBase !== -1) {
      if (curLen > bestLen) {
        bestBase = curBase
        bestLen = curLen
      }
      curBase = -1
    }
  }
  if (curBase !== -1 && curLen > bestLen) {
    bestBase = curBase
    bestLen = curLen
  }
  if (bestLen < 2) bestBase = -1

  let out = ''
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':'
      continue
    }
    if (i !== 0) out += ':'
    if (i === 6 && bestBase === 0 &&
      (bestLen === 6 || (bestLen === 5 && b[o + 10] === 255 && b[o + 11] === 255))) {
      return out + formatIPv4(b, o + 12)
    }
    out += ((b[o + 2 * i]! << 8) | b[o + 2 * i + 1]!).toString(16)
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ':'
  return out
}
