// Properties of hyperdht's message decoders on any input: they never throw (a malformed message
// is null); what they return is well-formed, its bytes are views inside the input (or copies of
// short fields), and it re-encodes to bytes that decode to the same message.
import { immutablePut, immutableValue, mutableRecord, mutableRequest, peersRequest, peersResponse, putResponse } from '../../src/messages/index.js'
import { SHORT_BYTES } from '../../src/messages/schema.js'

interface Decoder {
  decode (buf: Uint8Array): unknown
  encode (m: never): Uint8Array
}

export const DECODERS: Record<string, Decoder> = { peersRequest, peersResponse, immutablePut, immutableValue, mutableRequest, mutableRecord, putResponse }

/** The fields of a decoded message with bytes as hex, and an empty salt as none (the same target). */
export function normalize (v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')
  if (v === null || typeof v !== 'object') return v
  const out: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(v)) out[k] = k === 'salt' && x instanceof Uint8Array && x.length === 0 ? null : normalize(x)
  return out
}

function views (v: unknown, input: Uint8Array, path: string): void {
  if (v instanceof Uint8Array) {
    if (v.buffer !== input.buffer) {
      // the decoders copy a short field met before any long one (scripts/proto-gen.mjs)
      if (v.length > SHORT_BYTES) throw new Error(`${path} (${v.length} bytes) is not a view of the input`)
      return
    }
    if (v.byteOffset < input.byteOffset || v.byteOffset + v.byteLength > input.byteOffset + input.byteLength) throw new Error(`${path} extends beyond the input`)
    return
  }
  if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) views(x, input, `${path}.${k}`)
}

function wellFormed (name: string, v: unknown): void {
  const uint32 = (x: unknown): boolean => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 0xffffffff
  const bytesOrNull = (x: unknown): boolean => x === null || x instanceof Uint8Array
  const m = v as Record<string, unknown>
  const ok = ((): boolean => {
    switch (name) {
      case 'immutablePut':
      case 'immutableValue': return v instanceof Uint8Array
      case 'peersRequest': return uint32(m.type) && (m.port === null || uint32(m.port)) && (m.localAddress === null || (Number.isSafeInteger(m.localAddress) && (m.localAddress as number) >= 0 && (m.localAddress as number) < 2 ** 48))
      case 'peersResponse': return bytesOrNull(m.peers) && bytesOrNull(m.localPeers)
      case 'mutableRequest': return m.publicKey instanceof Uint8Array && bytesOrNull(m.salt) && (m.seq === null || Number.isSafeInteger(m.seq)) && bytesOrNull(m.value) && bytesOrNull(m.signature)
      case 'mutableRecord': return Number.isSafeInteger(m.seq) && m.value instanceof Uint8Array && m.signature instanceof Uint8Array
      case 'putResponse': {
        const c = m.current as Record<string, unknown> | null
        return uint32(m.status) && (c === null || (Number.isSafeInteger(c.seq) && c.value instanceof Uint8Array && c.signature instanceof Uint8Array))
      }
    }
    return false
  })()
  if (!ok) throw new Error(`${name} decoded to a malformed message: ${JSON.stringify(normalize(v))}`)
}

/** Decodes `input` with decoder `name` and checks the properties; returns the normalized message or null. */
export function checkHyperDecode (name: string, input: Uint8Array): unknown {
  const d = DECODERS[name]
  if (d === undefined) throw new Error(`no decoder ${name}`)
  let out: unknown
  try {
    out = d.decode(input)
  } catch (err) {
    throw new Error(`${name}.decode threw (decoders never throw): ${String(err)}`, { cause: err })
  }
  if (out === null) return null
  wellFormed(name, out)
  views(out, input, name)
  const norm = JSON.stringify(normalize(out))
  const again = JSON.stringify(normalize(d.decode(d.encode(out as never))))
  if (again !== norm) throw new Error(`${name}: re-encoding changed the message: ${norm} -> ${again}`)
  return normalize(out)
}
