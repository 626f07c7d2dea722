// The properties every dht-rpc message decoder must hold on any input, checked by the fuzz tests
// and by the corpus replay: it returns or throws one of the documented errors; every decoded
// field is a view inside the decoded window, or a copy of a short field; and what it returns
// re-encodes to bytes that decode to the same fields.
import { expect } from 'vitest'
import type { MessageEncoding, RequestMessage, ResponseMessage } from '../../src/index.js'
import { SHORT_BYTES } from '../../src/messages/schema.js'

/** Messages of the generated decoders' `fail()` (plain `Error`s): anything else is a bug. */
export const DECODE_ERROR = /^(truncated (varint|length|field)|varint (out of range|too long)|invalid field number 0|unsupported wire type|wrong wire type for (Request|Response) field [1-8]|missing required field Request\.command)$/

export type Outcome = { ok: true, fields: Record<string, string | null> } | { ok: false, error: string }

/** Field values as hex (strings as they are), for comparisons and messages. */
export function norm (m: RequestMessage | ResponseMessage): Record<string, string | null> {
  const out: Record<string, string | null> = {}
  for (const [k, v] of Object.entries(m)) {
    out[k] = v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex') : typeof v === 'string' ? v : null
  }
  return out
}

/**
 * Throws unless bytes field `k` is a view of `input` inside its window `[offset, end)`, or a copy
 * of at most SHORT_BYTES (the decoders copy short fields met before any long one: see
 * scripts/proto-gen.mjs). Whether a copy holds the right bytes is for the round trip and the
 * comparison with the reference to tell.
 */
export function checkFieldMemory (k: string, v: Uint8Array, input: Uint8Array, offset = 0, end = input.length): void {
  if (v.buffer !== input.buffer) {
    if (v.length > SHORT_BYTES) throw new Error(`field ${k} (${v.length} bytes) is not a view of the input`)
    return
  }
  if (v.byteOffset < input.byteOffset + offset || v.byteOffset + v.byteLength > input.byteOffset + end) {
    throw new Error(`field ${k} [${v.byteOffset}, ${v.byteOffset + v.byteLength}) extends beyond the window [${input.byteOffset + offset}, ${input.byteOffset + end})`)
  }
}

/**
 * Decodes `input[offset..end)` with `enc` and checks the properties above. Returns the outcome so
 * callers can compare decoders or windows.
 */
export function checkDecode<T extends RequestMessage | ResponseMessage> (enc: MessageEncoding<T>, input: Uint8Array, offset = 0, end = input.length): Outcome {
  // plain checks rather than expect(): this runs tens of thousands of times per test
  let decoded: T
  try {
    decoded = enc.decode(input, offset, end)
  } catch (err) {
    if (!(err instanceof Error) || err.constructor !== Error || !DECODE_ERROR.test(err.message)) {
      throw new Error(`undocumented decode error: ${String(err)}`, { cause: err })
    }
    return { ok: false, error: err.message }
  }
  for (const [k, v] of Object.entries(decoded)) {
    if (v === null || typeof v === 'string') continue
    if (!(v instanceof Uint8Array)) throw new Error(`field ${k} is neither null, a string nor bytes`)
    checkFieldMemory(k, v, input, offset, end)
  }
  const fields = norm(decoded)
  // round trip: the canonical encoding of what was decoded decodes to the same fields
  expect(norm(enc.decode(enc.encode(decoded)))).toEqual(fields)
  return { ok: true, fields }
}
