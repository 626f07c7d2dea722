import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { requestEncoding, responseEncoding, type RequestMessage, type ResponseMessage } from './codec.js'
import { SCHEMA } from './schema.js'

const require = createRequire(import.meta.url)
const ref = createRequire(require.resolve('hyperdht/package.json'))
const refMessages = createRequire(ref.resolve('dht-rpc'))('./messages') as {
  Request: { encode (v: unknown): Buffer, decode (b: Buffer): Record<string, unknown> }
  Response: { encode (v: unknown): Buffer, decode (b: Buffer): Record<string, unknown> }
}

const bytes = fc.option(fc.uint8Array({ maxLength: 80 }).map((a) => Buffer.from(a)), { nil: null })
const request = fc.record({
  command: fc.string({ maxLength: 20 }),
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

describe('messages', () => {
  it('schema.ts matches schema.proto', () => {
    const file = readFileSync(new URL('./schema.proto', import.meta.url), 'utf8')
    const strip = (s: string): string => s.split('\n').filter((l) => !l.startsWith('//')).join('\n').trim()
    expect(strip(SCHEMA)).toBe(strip(file))
  })

  it('Request bytes are identical to the reference encoder, and each decodes the other', () => {
    fc.assert(fc.property(request, (m: RequestMessage) => {
      const ours = Buffer.from(requestEncoding.encode(m))
      const theirs = refMessages.Request.encode(m)
      expect(ours.equals(theirs)).toBe(true)
      expect(norm(requestEncoding.decode(theirs) as unknown as Record<string, unknown>)).toEqual(norm(m as unknown as Record<string, unknown>))
      expect(norm(refMessages.Request.decode(ours))).toEqual(norm(m as unknown as Record<string, unknown>))
    }), { numRuns: 300 })
  })

  it('Response bytes are identical to the reference encoder, and each decodes the other', () => {
    fc.assert(fc.property(response, (m: ResponseMessage) => {
      const ours = Buffer.from(responseEncoding.encode(m))
      const theirs = refMessages.Response.encode(m)
      expect(ours.equals(theirs)).toBe(true)
      expect(norm(responseEncoding.decode(theirs) as unknown as Record<string, unknown>)).toEqual(norm(m as unknown as Record<string, unknown>))
      expect(norm(refMessages.Response.decode(ours))).toEqual(norm(m as unknown as Record<string, unknown>))
    }), { numRuns: 300 })
  })

  it('absent fields decode as null, not as protobufjs defaults', () => {
    const r = requestEncoding.decode(requestEncoding.encode({ command: '_ping' }))
    expect(r).toEqual({ command: '_ping', id: null, target: null, forwardRequest: null, forwardResponse: null, roundtripToken: null, value: null })
    expect(responseEncoding.decode(new Uint8Array(0))).toEqual({ id: null, nodes: null, value: null, roundtripToken: null })
  })

  it('malformed bodies throw (so udp-request drops them)', () => {
    expect(() => requestEncoding.decode(new Uint8Array(0))).toThrow() // command is required
    expect(() => requestEncoding.decode(Buffer.from([0x0a, 0x05, 0x61]))).toThrow() // truncated
    for (let i = 0; i < 2000; i++) {
      const junk = randomBytes(i % 64)
      try { requestEncoding.decode(junk) } catch {}
      try { responseEncoding.decode(junk) } catch {}
    }
  })
})
