// fast-check arbitraries shared by the tests, and the `net` oracles they are checked against.
import { SocketAddress } from 'node:net'
import fc from 'fast-check'

export const port = fc.integer({ min: 1, max: 65535 })

export const ipv4Host = fc
  .tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255))
  .map((o) => o.join('.'))

/** 16 address bytes, biased towards zero runs and the IPv4-mapped / -compatible forms. */
export const ipv6Bytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ minLength: 16, maxLength: 16 }),
  fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 })
    .map((words) => wordsToBytes(words)),
  fc.uint8Array({ minLength: 4, maxLength: 4 }).map((v4) => Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, ...v4])),
  fc.uint8Array({ minLength: 4, maxLength: 4 }).map((v4) => Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...v4]))
)

export function wordsToBytes (words: number[]): Uint8Array {
  const out = new Uint8Array(16)
  words.forEach((w, i) => { out[2 * i] = w >> 8; out[2 * i + 1] = w & 255 })
  return out
}

/** What Node prints for an IPv6 address: the oracle for canonical text. */
export function nodeCanonical (host: string): string {
  return new SocketAddress({ address: host, family: 'ipv6' }).address
}

/** Uncompressed text of 16 bytes, with leading zeros: any parser must accept it. */
export function fullText (bytes: Uint8Array): string {
  const words: string[] = []
  for (let i = 0; i < 16; i += 2) words.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16).padStart(4, '0'))
  return words.join(':')
}

export const ipv6Host = ipv6Bytes.map((b) => nodeCanonical(fullText(b)))

/**
 * Non-canonical spellings of the same IPv6 address: random case, random leading zeros, any
 * zero run (not just the longest) compressed, optionally a dotted-quad tail.
 */
export const ipv6Spelling: fc.Arbitrary<{ bytes: Uint8Array, text: string }> = fc
  .record({
    bytes: ipv6Bytes,
    pad: fc.array(fc.nat(3), { minLength: 8, maxLength: 8 }),
    upper: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
    compress: fc.nat(7),
    dotted: fc.boolean()
  })
  .map(({ bytes, pad, upper, compress, dotted }) => {
    const words: string[] = []
    for (let i = 0; i < 8; i++) {
      const w = ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16)
      const t = '0'.repeat(Math.max(0, Math.min(pad[i]!, 4 - w.length))) + w
      words.push(upper[i] ? t.toUpperCase() : t)
    }
    const groups = dotted ? [...words.slice(0, 6), `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`] : words
    const hexGroups = dotted ? 6 : 8
    const isZero = (i: number): boolean => i < hexGroups && bytes[2 * i] === 0 && bytes[2 * i + 1] === 0
    let end = compress
    while (end < groups.length && isZero(end)) end++
    if (end === compress) return { bytes, text: groups.join(':') }
    return { bytes, text: `${groups.slice(0, compress).join(':')}::${groups.slice(end).join(':')}` }
  })

// fc.record builds null-prototype objects; decoders return plain ones.
export const peer4 = fc.record({ host: ipv4Host, port }).map((p) => ({ host: p.host, port: p.port }))
export const peer6 = fc.record({ host: ipv6Host, port }).map((p) => ({ host: p.host, port: p.port }))

export function nodeOf (idLength: number, family: 4 | 6) {
  return fc.record({
    id: fc.uint8Array({ minLength: idLength, maxLength: idLength }),
    host: family === 4 ? ipv4Host : ipv6Host,
    port
  }).map((n) => ({ id: n.id, host: n.host, port: n.port }))
}

/** `bytes` copied into a larger buffer at a non-zero byte offset. */
export function atOffset (bytes: Uint8Array, offset = 3): Uint8Array {
  const backing = new Uint8Array(bytes.length + offset + 5).fill(0xee)
  backing.set(bytes, offset)
  return backing.subarray(offset, offset + bytes.length)
}

export function hex (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex')
}
