// Valid dht-rpc datagrams of every kind, the seeds that the whole-packet fuzzers mutate. Every id,
// target, token and value comes from the given Prng. The encoders are passed in (rather than
// imported) so that hyperdht's fuzz test builds on the same seeds with its own import of dht-rpc.
import type { Prng } from '@hyperdht-ts/test-utils'

interface RequestFields {
  command: string
  id?: Uint8Array | null
  target?: Uint8Array | null
  forwardRequest?: Uint8Array | null
  forwardResponse?: Uint8Array | null
  roundtripToken?: Uint8Array | null
  value?: Uint8Array | null
}

interface ResponseFields {
  id?: Uint8Array | null
  nodes?: Uint8Array | null
  value?: Uint8Array | null
  roundtripToken?: Uint8Array | null
}

export interface SeedEncoders {
  encodeRequest: (m: RequestFields) => Uint8Array
  encodeResponse: (m: ResponseFields) => Uint8Array
}

/** A udp-request datagram: 2-byte header (request bit, 15-bit tid), then the body. */
export function frame (request: boolean, tid: number, body: Uint8Array): Buffer {
  const b = Buffer.alloc(body.length + 2)
  b.writeUInt16BE((request ? 0x8000 : 0) | (tid & 0x7fff), 0)
  b.set(body, 2)
  return b
}

/**
 * A loopback address where nothing listens (127.253.x.y): what forward fields name, so that a
 * forwarded `_ping` leaves the node but reaches no one, and never leaves loopback.
 */
export function sinkPeer (rand: Prng): Buffer {
  return Buffer.from([127, 253, rand.int(256), 1 + rand.int(254), 1 + rand.int(255), rand.int(256)])
}

/** 6-byte IPv4 peer of a loopback address. */
export function loopbackPeer (rand: Prng): Buffer {
  return Buffer.from([127, rand.int(256), rand.int(256), 1 + rand.int(254), 1 + rand.int(255), rand.int(256)])
}

/**
 * Requests and responses of every dht-rpc kind: `_ping` (plain, with a token, forwarding either
 * way), `_find_node`, `commands` (queries and would-be updates with a random token) and
 * responses with ids, nodes, values and tokens. `targets` are 32-byte targets worth hitting (e.g.
 * keys the node stores something under); random ones are added.
 */
export function dhtRpcSeeds (rand: Prng, enc: SeedEncoders, commands: readonly string[] = [], targets: readonly Uint8Array[] = []): Buffer[] {
  const id = (): Buffer => rand.bytes(32)
  const target = (): Uint8Array => targets.length > 0 && rand.chance(0.5) ? rand.pick(targets) : rand.bytes(32)
  const tid = (): number => rand.int(0x8000)
  const req = (m: RequestFields): Buffer => frame(true, tid(), enc.encodeRequest(m))
  const res = (m: ResponseFields): Buffer => frame(false, tid(), enc.encodeResponse(m))
  const nodes = (n: number): Buffer => Buffer.concat(Array.from({ length: n }, () => Buffer.concat([id(), loopbackPeer(rand)])))

  const seeds: Buffer[] = [
    req({ command: '_ping' }),
    req({ command: '_ping', id: id() }),
    req({ command: '_ping', id: id(), roundtripToken: rand.bytes(32) }),
    req({ command: '_ping', id: id(), forwardRequest: sinkPeer(rand) }),
    req({ command: '_ping', id: id(), forwardResponse: sinkPeer(rand) }),
    req({ command: '_find_node', id: id(), target: target() }),
    req({ command: '_find_node', target: target() }),
    req({ command: '_find_node', id: id(), target: target(), roundtripToken: rand.bytes(32) }),
    req({ command: 'unknown-' + rand.int(1000), id: id(), target: target(), value: rand.bytes(rand.length(1200)) }),
    res({ id: id(), nodes: nodes(3), roundtripToken: rand.bytes(32), value: rand.bytes(6) }),
    res({ id: id(), nodes: nodes(20) }),
    res({ id: id(), value: loopbackPeer(rand), roundtripToken: rand.bytes(32) }),
    res({})
  ]
  for (const command of commands) {
    seeds.push(req({ command, id: id(), target: target(), value: rand.bytes(rand.length(200)) }))
    seeds.push(req({ command, target: target(), value: rand.bytes(rand.length(200)), roundtripToken: rand.bytes(32) }))
    seeds.push(req({ command, id: id(), target: target() }))
  }
  return seeds
}

/**
 * Offset in `body` of the contents of the last occurrence of length-delimited field `field`, the
 * one a decoder keeps, or -1. `body` must be a message the decoder accepted.
 */
function lastFieldAt (body: Uint8Array, field: number): number {
  let i = 0
  const varint = (): number => {
    let value = 0
    let scale = 1
    for (;;) {
      const b = body[i++]!
      value += (b & 0x7f) * scale
      if (b < 0x80) return value
      scale *= 128
    }
  }
  let found = -1
  while (i < body.length) {
    const key = varint()
    switch (key % 8) {
      case 0: varint(); break
      case 1: i += 8; break
      case 5: i += 4; break
      default: {
        const len = varint()
        if (Math.floor(key / 8) === field) found = i
        i += len
      }
    }
  }
  return found
}

/**
 * Keeps forward fields on loopback: a datagram whose request body decodes with a 6-byte
 * `forwardRequest` or `forwardResponse` (the only length a node acts on) naming a host outside
 * 127/8 gets that host's first octet set to 127. Deterministic (no randomness), so replay holds;
 * the input is never modified (a copy is patched). `stats.confined` counts the rewrites.
 */
export function confineForwards (decodeRequest: (body: Uint8Array) => RequestFields): ((bytes: Uint8Array) => Uint8Array) & { stats: { confined: number } } {
  const stats = { confined: 0 }
  const confine = (bytes: Uint8Array): Uint8Array => {
    if (bytes.length < 2 || (bytes[0]! & 0x80) === 0) return bytes
    const body = bytes.subarray(2)
    let m: RequestFields
    try {
      m = decodeRequest(body)
    } catch {
      return bytes
    }
    let out: Uint8Array | null = null
    // (found by position: a decoded 6-byte field may be a copy, not a view of the datagram)
    for (const [field, f] of [[4, m.forwardRequest], [5, m.forwardResponse]] as const) {
      if (!f || f.length !== 6 || f[0] === 127) continue
      out ??= Uint8Array.from(bytes)
      out[2 + lastFieldAt(body, field)] = 127
    }
    if (out === null) return bytes
    stats.confined++
    return out
  }
  return Object.assign(confine, { stats })
}

/**
 * Keeps the `nodes` of a response datagram on loopback: each whole 38-byte entry whose host is
 * outside 127/8 gets its first octet set to 127 (in a copy), so that a client following mutated
 * nodes only ever queries loopback. Deterministic; `stats.confined` counts rewritten datagrams.
 */
export function confineNodes (decodeResponse: (body: Uint8Array) => ResponseFields): ((bytes: Uint8Array) => Uint8Array) & { stats: { confined: number } } {
  const stats = { confined: 0 }
  const confine = (bytes: Uint8Array): Uint8Array => {
    if (bytes.length < 2 || (bytes[0]! & 0x80) !== 0) return bytes
    let m: ResponseFields
    try {
      m = decodeResponse(bytes.subarray(2))
    } catch {
      return bytes
    }
    const nodes = m.nodes
    if (!nodes || nodes.length % 38 !== 0) return bytes
    if (nodes.buffer !== bytes.buffer) throw new Error('confineNodes: the decoder copied a field; cannot patch it in place')
    let out: Uint8Array | null = null
    for (let o = 0; o < nodes.length; o += 38) {
      if (nodes[o + 32] === 127) continue
      out ??= Uint8Array.from(bytes)
      out[nodes.byteOffset - bytes.byteOffset + o + 32] = 127
    }
    if (out === null) return bytes
    stats.confined++
    return out
  }
  return Object.assign(confine, { stats })
}
