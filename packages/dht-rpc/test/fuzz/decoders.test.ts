// Mutation fuzzing of dht-rpc's message decoders, on top of the generator's own tests
// (test/proto-gen.test.ts) and the codec's random-input test (src/messages/codec.test.ts): here
// VALID messages are broken by the structure-aware mutation engine of test-utils (length prefixes,
// edge field sizes, duplicated and renumbered fields, overlong varints, splices), decoded inside
// larger buffers, and checked against the properties of ./check.ts and against the reference.
import { createRequire } from 'node:module'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Prng, envCount, fuzzSeed, mutate } from '@hyperdht-ts/test-utils'
import { requestEncoding, responseEncoding, type RequestMessage, type ResponseMessage } from '../../src/index.js'
import { AddressCodec } from '../../src/messages/addresses.js'
import { checkDecode, norm } from './check.js'
import { dhtRpcSeeds } from './seeds.js'

const require = createRequire(import.meta.url)
const ref = createRequire(require.resolve('hyperdht/package.json'))
const refMessages = createRequire(ref.resolve('dht-rpc'))('./messages') as {
  Request: { decode (b: Buffer): Record<string, unknown> }
  Response: { decode (b: Buffer): Record<string, unknown> }
}

// fast-check prints the seed and path of a failing run; FC_SEED=<seed> replays it.
const fcOptions = (numRuns: number): fc.Parameters<unknown> =>
  process.env.FC_SEED === undefined ? { numRuns } : { numRuns, seed: Number(process.env.FC_SEED) }

const field = fc.option(fc.oneof(
  fc.uint8Array({ minLength: 32, maxLength: 32 }),
  fc.uint8Array({ minLength: 6, maxLength: 6 }),
  fc.uint8Array({ maxLength: 400 })
).map((a) => Buffer.from(a)), { nil: null })
const request = fc.record({
  command: fc.oneof(fc.constantFrom('_ping', '_find_node', 'peers', 'immutable', 'mutable', ''), fc.string({ maxLength: 20 })),
  id: field, target: field, forwardRequest: field, forwardResponse: field, roundtripToken: field, value: field
})
const response = fc.record({ id: field, nodes: field, value: field, roundtripToken: field })
const message = fc.oneof(request.map((m) => requestEncoding.encode(m)), response.map((m) => responseEncoding.encode(m)))
const uint32 = fc.integer({ min: 0, max: 0xffffffff })

/** `bytes` inside a larger buffer, between random garbage: decoded with offset and end. */
function embed (rand: Prng, bytes: Uint8Array): { buf: Uint8Array, offset: number, end: number } {
  const before = rand.bytes(rand.int(8))
  const after = rand.bytes(rand.int(8))
  const backing = Buffer.concat([rand.bytes(rand.int(4)), before, bytes, after])
  // a view at a non-zero byteOffset of its ArrayBuffer, like a Buffer from Node's pool
  const offset = backing.length - after.length - bytes.length
  return { buf: new Uint8Array(backing.buffer, backing.byteOffset, backing.length), offset, end: offset + bytes.length }
}

describe('dht-rpc decoders under mutation', () => {
  it('the property checker itself catches a decoder that reads past its window or throws the wrong thing', () => {
    const ping = requestEncoding.encode({ command: '_ping', id: Buffer.alloc(32, 1) })
    const buf = Buffer.concat([ping, Buffer.from([0x12, 0x01, 0x07])]) // another id after the window
    const ignoresEnd = { ...requestEncoding, decode: (b: Uint8Array, offset = 0) => requestEncoding.decode(b, offset, b.length) }
    expect(() => checkDecode(ignoresEnd, buf, 0, ping.length)).toThrow(/beyond the window/)
    const copies = { ...requestEncoding, decode: (b: Uint8Array, o?: number, e?: number) => ({ ...requestEncoding.decode(b, o, e), id: Buffer.alloc(32) }) }
    expect(() => checkDecode(copies, ping)).toThrow(/not a view/)
    const throwsTypeError = { ...requestEncoding, decode: (): never => { throw new TypeError('truncated field') } }
    expect(() => checkDecode(throwsTypeError, ping)).toThrow(/undocumented/)
    expect(checkDecode(requestEncoding, buf, 0, ping.length)).toMatchObject({ ok: true })
  })

  it('valid messages round-trip exactly, at any offset', () => {
    fc.assert(fc.property(request, response, uint32, (req, res, s) => {
      const rand = new Prng(s)
      for (const [enc, m] of [[requestEncoding, req], [responseEncoding, res]] as const) {
        const bytes = (enc as typeof requestEncoding).encode(m as RequestMessage)
        const { buf, offset, end } = embed(rand, bytes)
        const out = checkDecode(enc as typeof requestEncoding, buf, offset, end)
        // (a Response decodes our extension field `to` too: absent here, so null)
        expect(out).toEqual({ ok: true, fields: { ...norm(m as RequestMessage), ...(enc === responseEncoding ? { to: null } : { proof: null }) } })
      }
    }), fcOptions(300))
  })

  it('mutated valid messages: documented errors only, views inside the window, round trip, same outcome as a copy of the window', () => {
    fc.assert(fc.property(message, uint32, (bytes, s) => {
      const rand = new Prng(s)
      const m = mutate(rand, bytes, { maxOps: 3 })
      const { buf, offset, end } = embed(rand, m.bytes)
      for (const enc of [requestEncoding, responseEncoding] as const) {
        const inPlace = checkDecode<RequestMessage | ResponseMessage>(enc, buf, offset, end)
        const copy = checkDecode<RequestMessage | ResponseMessage>(enc, Uint8Array.from(m.bytes))
        expect(inPlace, m.ops.join(', ')).toEqual(copy)
      }
    }), fcOptions(2000))
  })

  it('a long seeded run over realistic datagram bodies agrees with the reference on everything we accept', () => {
    const seed = fuzzSeed()
    const count = envCount('FUZZ_DECODES', 20_000)
    console.log(`dht-rpc decoders: seed ${seed}, ${count} mutations (replay: FUZZ_SEED=${seed} FUZZ_DECODES=${count})`)
    const rand = new Prng(seed)
    const enc = { encodeRequest: requestEncoding.encode, encodeResponse: responseEncoding.encode }
    const bodies = dhtRpcSeeds(rand.fork(), enc, ['peers', 'immutable', 'mutable']).map((d) => d.subarray(2))
    const tally = { decoded: 0, threw: 0, refDiffers: 0 }
    for (let i = 0; i < count; i++) {
      const m = mutate(rand, rand.pick(bodies), { donors: bodies, maxOps: 4 })
      for (const [enc, refEnc] of [[requestEncoding, refMessages.Request], [responseEncoding, refMessages.Response]] as const) {
        const out = checkDecode<RequestMessage | ResponseMessage>(enc, m.bytes)
        if (!out.ok) {
          tally.threw++
          continue
        }
        tally.decoded++
        // the reference (protocol-buffers@3) is laxer, never stricter: it must read the same
        // fields from anything we accept
        let theirs: Record<string, unknown>
        try {
          theirs = refEnc.decode(Buffer.from(m.bytes))
        } catch (err) {
          throw new Error(`seed ${seed} #${i}: the reference refuses what we accept (${m.ops.join(', ')}): ${String(err)}`)
        }
        // (except our extension fields `to` and `proof`, which the reference skips as unknown fields)
        const ours = Object.fromEntries(Object.entries(out.fields).filter(([k, v]) => v !== null && k !== 'to' && k !== 'proof'))
        expect(norm(theirs as never), `seed ${seed} #${i}: ${m.ops.join(', ')}`).toMatchObject(ours)
      }
    }
    // not vacuous: mutations both pass and fail the decoders
    expect(tally.decoded).toBeGreaterThan(count / 10)
    expect(tally.threw).toBeGreaterThan(count / 10)
  })

  it('nodes and peers fields: lenient decoding never throws, keeps whole valid entries only', () => {
    const codec = new AddressCodec(4)
    fc.assert(fc.property(fc.array(fc.tuple(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 1, max: 65535 })), { maxLength: 25 }), uint32, (entries, s) => {
      const rand = new Prng(s)
      const valid = codec.encodeNodes(entries.map(([id, port]) => ({ id, host: `127.${rand.int(256)}.${rand.int(256)}.1`, port })))
      const m = mutate(rand, valid, { maxOps: 2 })
      const nodes = codec.decodeNodes(m.bytes)
      if (m.bytes.length % 38 !== 0) expect(nodes).toEqual([])
      expect(nodes.length).toBeLessThanOrEqual(Math.floor(m.bytes.length / 38))
      for (const n of nodes) {
        expect(n.id.byteLength).toBe(32)
        expect(n.port).toBeGreaterThanOrEqual(1)
        expect(n.port).toBeLessThanOrEqual(65535)
        expect(n.host).toMatch(/^\d{1,3}(\.\d{1,3}){3}$/)
        // an id is a copy: the routing table may keep it after the datagram is reused
        if (m.bytes.byteLength > 0) expect(n.id.buffer).not.toBe(m.bytes.buffer)
      }
      // the entries kept are exactly the entries with a non-zero port, in order
      if (m.bytes.length % 38 === 0) {
        const expected = []
        for (let o = 0; o < m.bytes.length; o += 38) if ((m.bytes[o + 36]! << 8 | m.bytes[o + 37]!) !== 0) expected.push(Buffer.from(m.bytes.subarray(o, o + 38)).toString('hex'))
        expect(nodes.map((n) => Buffer.from(codec.encodeNodes([n])).toString('hex'))).toEqual(expected)
      }
      const peer = codec.decodePeer(m.bytes.subarray(0, 6))
      if (m.bytes.length < 6 || (m.bytes[4]! << 8 | m.bytes[5]!) === 0) expect(peer).toBeNull()
      else expect(peer).toEqual({ host: [...m.bytes.subarray(0, 4)].join('.'), port: m.bytes[4]! << 8 | m.bytes[5]! })
    }), fcOptions(1000))
  })
})
