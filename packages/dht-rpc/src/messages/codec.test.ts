import { createRequire } from 'node:module'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { requestEncoding, responseEncoding, type RequestMessage, type ResponseMessage } from './codec.js'
import { checkFieldMemory } from '../../test/fuzz/check.js'
import { Request } from './schema.js'

const require = createRequire(import.meta.url)
const ref = createRequire(require.resolve('hyperdht/package.json'))
const refMessages = createRequire(ref.resolve('dht-rpc'))('./messages') as {
  Request: { encode (v: unknown): Buffer, decode (b: Buffer): Record<string, unknown> }
  Response: { encode (v: unknown): Buffer, decode (b: Buffer): Record<string, unknown> }
}

// fast-check prints the seed and path of a failing run; FC_SEED=<seed> replays it.
const fcOptions = (numRuns: number): fc.Parameters<unknown> =>
  process.env.FC_SEED === undefined ? { numRuns } : { numRuns, seed: Number(process.env.FC_SEED) }

const bytes = fc.option(fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)), { nil: null })
const request = fc.record({
  command: fc.oneof(fc.constantFrom('_ping', '_find_node', 'peers', ''), fc.string({ maxLength: 40, unit: 'binary' })),
  id: bytes, target: bytes, forwardRequest: bytes, forwardResponse: bytes, roundtripToken: bytes, value: bytes
})
const response = fc.record({ id: bytes, nodes: bytes, value: bytes, roundtripToken: bytes })

function norm (m: Record<string, unknown>): Record<string, string | null> {
  const out: Record<string, string | null> = {}
  for (const [k, v] of Object.entries(m)) {
    out[k] = v instanceof Uint8Array ? Buffer.from(v).toString('hex') : typeof v === 'string' ? v : null
  }
  return out
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')

/** A protobuf key (field number, wire type) as varint bytes. */
function key (field: number, wire: number): number[] {
  const out: number[] = []
  let v = field * 8 + wire
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80)
    v = Math.floor(v / 128)
  }
  out.push(v)
  return out
}

/** One unknown field of any wire type (field numbers past the schema's). */
const unknownField = fc.tuple(fc.integer({ min: 9, max: 2 ** 29 - 1 }), fc.constantFrom(0, 1, 2, 5), fc.uint8Array({ maxLength: 20 }))
  .map(([field, wire, payload]) => {
    switch (wire) {
      case 0: return [...key(field, 0), ...[...payload.slice(0, 9)].map((b) => b | 0x80), 0x01]
      case 1: return [...key(field, 1), ...Array.from({ length: 8 }, (_, i) => payload[i] ?? 0)]
      case 5: return [...key(field, 5), ...Array.from({ length: 4 }, (_, i) => payload[i] ?? 0)]
      default: return [...key(field, 2), payload.length, ...payload]
    }
  })

describe('messages', () => {
  it('Request bytes are identical to the reference encoder, and each decodes the other', () => {
    fc.assert(fc.property(request, (m: RequestMessage) => {
      const ours = Buffer.from(requestEncoding.encode(m))
      const theirs = refMessages.Request.encode(m)
      expect(hex(ours)).toBe(hex(theirs))
      expect(norm(requestEncoding.decode(theirs) as unknown as Record<string, unknown>)).toEqual({ ...norm(m as unknown as Record<string, unknown>), proof: null })
      expect(norm(refMessages.Request.decode(ours))).toEqual(norm(m as unknown as Record<string, unknown>))
    }), fcOptions(300))
  })

  it('Response bytes are identical to the reference encoder, and each decodes the other', () => {
    fc.assert(fc.property(response, (m: ResponseMessage) => {
      const ours = Buffer.from(responseEncoding.encode(m))
      const theirs = refMessages.Response.encode(m)
      expect(hex(ours)).toBe(hex(theirs))
      expect(norm(responseEncoding.decode(theirs) as unknown as Record<string, unknown>)).toEqual({ ...norm(m as unknown as Record<string, unknown>), to: null })
      expect(norm(refMessages.Response.decode(ours))).toEqual(norm(m as unknown as Record<string, unknown>))
    }), fcOptions(300))
  })

  it('our extension field `proof` round-trips, and the reference decoder skips it', () => {
    fc.assert(fc.property(request, bytes, (m: RequestMessage, proof) => {
      const ours = requestEncoding.encode({ ...m, proof })
      expect(norm(requestEncoding.decode(ours) as unknown as Record<string, unknown>)).toEqual(norm({ ...m, proof } as unknown as Record<string, unknown>))
      expect(norm(refMessages.Request.decode(Buffer.from(ours)))).toEqual(norm(m as unknown as Record<string, unknown>))
    }), fcOptions(300))
  })

  it('our extension field `to` round-trips, and the reference decoder skips it', () => {
    fc.assert(fc.property(response, bytes, (m: ResponseMessage, to) => {
      const ours = responseEncoding.encode({ ...m, to })
      expect(norm(responseEncoding.decode(ours) as unknown as Record<string, unknown>)).toEqual(norm({ ...m, to } as unknown as Record<string, unknown>))
      expect(norm(refMessages.Response.decode(Buffer.from(ours)))).toEqual(norm(m as unknown as Record<string, unknown>))
    }), fcOptions(300))
  })

  it('encodingLength and encodeInto agree with encode, at any offset', () => {
    fc.assert(fc.property(request, response, fc.nat(40), (req, res, offset) => {
      for (const [enc, m] of [[requestEncoding, req], [responseEncoding, res]] as const) {
        const whole = enc.encode(m as never)
        expect(enc.encodingLength(m as never)).toBe(whole.length)
        const buf = new Uint8Array(offset + whole.length + 3).fill(0xee)
        expect(enc.encodeInto(m as never, buf, offset)).toBe(offset + whole.length)
        expect(hex(buf.subarray(offset, offset + whole.length))).toBe(hex(whole))
        expect([...buf.subarray(0, offset), ...buf.subarray(offset + whole.length)].every((b) => b === 0xee)).toBe(true)
      }
    }), fcOptions(200))
  })

  it('encodeInto refuses a buffer that is too short', () => {
    const m = { command: '_find_node', id: new Uint8Array(32), target: new Uint8Array(32) }
    const len = requestEncoding.encodingLength(m)
    expect(() => requestEncoding.encodeInto(m, new Uint8Array(len - 1), 0)).toThrow(RangeError)
    expect(() => requestEncoding.encodeInto(m, new Uint8Array(len), 1)).toThrow(RangeError)
    expect(() => responseEncoding.encodeInto({ nodes: new Uint8Array(100) }, new Uint8Array(10), 0)).toThrow(RangeError)
  })

  it('encodeInto refuses an offset that is not a non-negative integer', () => {
    const buf = new Uint8Array(64)
    for (const offset of [-1, 1.5, Number.NaN]) expect(() => requestEncoding.encodeInto({ command: '_ping' }, buf, offset)).toThrow(RangeError)
  })

  it('the generated decoders read a message inside a larger buffer (no copy of the body needed)', () => {
    const body = Request.encode({ command: '_find_node', target: new Uint8Array(32).fill(3) })
    const datagram = new Uint8Array(2 + body.length + 5).fill(0xff) // header, body, junk after
    datagram.set(body, 2)
    const m = Request.decode(datagram, 2, 2 + body.length)
    expect(m.command).toBe('_find_node')
    expect(m.target?.byteOffset).toBe(2 + body.length - 32)
    expect(requestEncoding.decode(datagram, 2, 2 + body.length)).toEqual(m)
    for (const [offset, end] of [[-1, 5], [3, 2], [0, datagram.length + 1], [0.5, 4]]) {
      expect(() => Request.decode(datagram, offset, end)).toThrow(RangeError)
    }
  })

  it('encoding a missing or mistyped field throws a TypeError', () => {
    expect(() => requestEncoding.encode({} as RequestMessage)).toThrow(TypeError)
    expect(() => requestEncoding.encode({ command: 5 } as unknown as RequestMessage)).toThrow(TypeError)
    expect(() => requestEncoding.encode({ command: 'x', id: 'abc' } as unknown as RequestMessage)).toThrow(TypeError)
    expect(() => responseEncoding.encodingLength({ nodes: [1, 2] } as unknown as ResponseMessage)).toThrow(TypeError)
  })

  it('absent fields decode as null, and decoded bytes are views into the input', () => {
    const r = requestEncoding.decode(requestEncoding.encode({ command: '_ping' }))
    expect(r).toEqual({ command: '_ping', id: null, target: null, forwardRequest: null, forwardResponse: null, roundtripToken: null, value: null, proof: null })
    expect(responseEncoding.decode(new Uint8Array(0))).toEqual({ id: null, nodes: null, value: null, roundtripToken: null, to: null })

    const datagram = Buffer.concat([Buffer.from([0x80, 0x01]), Buffer.from(responseEncoding.encode({ id: Buffer.alloc(32, 7), nodes: Buffer.alloc(38, 9) }))])
    const body = datagram.subarray(2)
    const decoded = responseEncoding.decode(body)
    expect(decoded.id?.buffer).toBe(datagram.buffer)
    expect(decoded.id?.byteOffset).toBe(datagram.byteOffset + 4)
    expect(decoded.id?.constructor).toBe(Uint8Array) // a plain view, even of a Buffer
    expect(hex(decoded.nodes as Uint8Array)).toBe('09'.repeat(38))
    // a short field after a long one is a view too
    const withTo = Buffer.from(responseEncoding.encode({ id: Buffer.alloc(32, 7), to: Buffer.alloc(6, 5) }))
    expect(responseEncoding.decode(withTo).to?.buffer).toBe(withTo.buffer)
  })

  it('a short field met before any long one is a copy: cheaper than a view on Node 20, and keeps no datagram alive', () => {
    const datagram = Buffer.from(requestEncoding.encode({ command: 'x', forwardRequest: Buffer.alloc(6, 3), id: Buffer.alloc(32, 7) }))
    // field order on the wire follows field numbers: id (2) before forwardRequest (4); put a short field first
    const shortFirst = Buffer.concat([Buffer.from([0x22, 6, 1, 2, 3, 4, 5, 6]), datagram]) // forwardRequest, then the rest
    const decoded = requestEncoding.decode(shortFirst)
    // the later forwardRequest (3s) wins, and is a view: the long id came before it
    expect(hex(decoded.forwardRequest as Uint8Array)).toBe('03'.repeat(6))
    expect(decoded.forwardRequest?.buffer).toBe(shortFirst.buffer)
    const alone = Buffer.from(requestEncoding.encode({ command: 'x', forwardRequest: Buffer.alloc(6, 3) }))
    const copy = requestEncoding.decode(alone).forwardRequest as Uint8Array
    expect(copy.constructor).toBe(Uint8Array)
    expect(hex(copy)).toBe('03'.repeat(6))
    alone.fill(0)
    expect(hex(copy)).toBe('03'.repeat(6)) // its own memory
    // longer than SHORT_BYTES: a view even as the first field
    const nine = Buffer.from(requestEncoding.encode({ command: 'x', value: Buffer.alloc(9, 1) }))
    expect(requestEncoding.decode(nine).value?.buffer).toBe(nine.buffer)
  })

  it('unknown fields of every wire type are skipped, wherever they are', () => {
    fc.assert(fc.property(request, fc.array(unknownField, { maxLength: 4 }), fc.nat(), (m, unknown, at) => {
      const plain = [...requestEncoding.encode(m)]
      // field boundaries of the plain message: every key is one byte, then a varint length
      const boundaries = [0]
      let o = 0
      while (o < plain.length) {
        o++
        let len = 0
        let scale = 1
        for (;;) {
          const b = plain[o++] as number
          len += (b & 0x7f) * scale
          scale *= 128
          if (b < 0x80) break
        }
        o += len
        boundaries.push(o)
      }
      const cut = boundaries[at % boundaries.length] as number
      const withUnknown = Uint8Array.from([...plain.slice(0, cut), ...unknown.flat(), ...plain.slice(cut)])
      expect(norm(requestEncoding.decode(withUnknown) as unknown as Record<string, unknown>)).toEqual({ ...norm(m as unknown as Record<string, unknown>), proof: null })
    }), fcOptions(300))
  })

  it('malformed bodies throw (so udp-request drops them)', () => {
    expect(() => requestEncoding.decode(new Uint8Array(0))).toThrow() // command is required
    expect(() => requestEncoding.decode(Buffer.from([0x0a, 0x05, 0x61]))).toThrow() // truncated
    expect(() => requestEncoding.decode(Buffer.from([0x08, 0x01]))).toThrow(/wire type/) // command as a varint
    expect(() => responseEncoding.decode(Buffer.from([0x0d, 1, 2, 3, 4]))).toThrow(/wire type/) // id as fixed32
    expect(() => responseEncoding.decode(Buffer.from([0x00, 0x00]))).toThrow(/field number 0/)
    expect(() => responseEncoding.decode(Buffer.from([0x43, 0x44]))).toThrow(/wire type/) // a group (8, start)
    expect(() => responseEncoding.decode(Buffer.from([0x46]))).toThrow(/wire type/) // wire type 6
    expect(() => responseEncoding.decode(Buffer.from([0x40, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]))).toThrow(/varint/)
    expect(() => responseEncoding.decode(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x7f]))).toThrow() // length past 2^32
    expect(() => responseEncoding.decode(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]))).toThrow(/truncated/)
    expect(() => responseEncoding.decode(Buffer.from([0x0a]))).toThrow(/truncated/)
    expect(() => responseEncoding.decode(Buffer.from([0x8a]))).toThrow(/truncated/) // key cut inside its varint
  })

  it('a decoder reads nothing past its input: the same result with or without bytes after it', () => {
    fc.assert(fc.property(fc.oneof(request.map((m) => requestEncoding.encode(m)), fc.uint8Array({ maxLength: 80 })), fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 40 }), (full, cut, tail) => {
      const prefix = Uint8Array.from(full.subarray(0, cut % (full.length + 1)))
      const padded = new Uint8Array(prefix.length + tail.length)
      padded.set(prefix)
      padded.set(tail, prefix.length)
      for (const enc of [requestEncoding, responseEncoding]) {
        const outcome = (run: () => unknown): string => {
          try { return JSON.stringify(norm(run() as Record<string, unknown>)) } catch (err) { return `throws ${(err as Error).message}` }
        }
        expect(outcome(() => enc.decode(padded.subarray(0, prefix.length)))).toBe(outcome(() => enc.decode(prefix)))
      }
    }), fcOptions(500))
  })

  it('fuzz: random and mutated input either throws an Error or decodes to a well-formed message', () => {
    const mutated = fc.tuple(request.map((m) => [...requestEncoding.encode(m)]), fc.array(fc.tuple(fc.nat(), fc.nat(255), fc.constantFrom('flip', 'insert', 'delete')), { maxLength: 4 }))
      .map(([b, edits]) => {
        for (const [at, v, op] of edits) {
          const i = b.length === 0 ? 0 : at % b.length
          if (op === 'flip') b[i] = v
          else if (op === 'insert') b.splice(i, 0, v)
          else b.splice(i, 1)
        }
        return Uint8Array.from(b)
      })
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 120 }), mutated), (input) => {
      for (const [enc, refEnc] of [[requestEncoding, refMessages.Request], [responseEncoding, refMessages.Response]] as const) {
        let decoded: Record<string, unknown>
        try {
          decoded = enc.decode(input) as unknown as Record<string, unknown>
        } catch (err) {
          expect(err).toBeInstanceOf(Error)
          continue
        }
        for (const [k, v] of Object.entries(decoded)) {
          if (v === null || typeof v === 'string') continue
          expect(v).toBeInstanceOf(Uint8Array)
          checkFieldMemory(k, v as Uint8Array, input)
        }
        // what we accept, the reference reads the same way (it is laxer, not stricter)
        // (except our extension field `to`, which the reference skips)
        expect(norm(refEnc.decode(Buffer.from(input)))).toMatchObject(Object.fromEntries(
          Object.entries(norm(decoded)).filter(([k, v]) => v !== null && k !== 'to' && k !== 'proof')))
        // and it re-encodes to a message that decodes to the same fields
        expect(norm(enc.decode(enc.encode(decoded as never)) as unknown as Record<string, unknown>)).toEqual(norm(decoded))
      }
    }), fcOptions(3000))
  })
})
