// The mutation engine of the fuzzers: takes a valid input (a datagram, a message, a frame) and
// returns a broken variant, every choice drawn from one seeded Prng. Byte-level mutations (bit
// flips, truncation, extension, splicing two inputs) and structure-aware ones on the protobuf
// fields found by a tolerant scan (a corrupted or non-minimal length prefix, one field resized to
// an edge size such as 31/33 bytes, a field duplicated, dropped, renumbered, or a nested message
// mutated with the enclosing lengths fixed, so that the inner decoder is the one that sees it).
import type { Prng } from './prng.js'
import { concatBytes, overlongVarint, scanProto, splice, varint, type ProtoField } from './proto.js'

export interface MutateOptions {
  /** Other valid inputs, for splicing and field transplants. */
  donors?: readonly Uint8Array[]
  /** Bytes before the protobuf body (2 for a udp-request datagram, 0 for a bare message). @default 0 */
  headerBytes?: number
  /** At most this many mutations are stacked (at least one). @default 4 */
  maxOps?: number
  /** Longer outputs are cut to this length. @default 1400 */
  maxLength?: number
}

/** A mutated input and the mutations that made it (for logs and corpus notes). */
export interface Mutant {
  bytes: Uint8Array
  ops: string[]
}

/** Sizes where codecs change their mind: empty, one byte, a peer (6), an id (32), a node (38), caps. */
export const EDGE_SIZES: readonly number[] = [0, 1, 2, 4, 5, 6, 7, 16, 18, 31, 32, 33, 37, 38, 39, 63, 64, 65, 76, 127, 128, 255, 256, 999, 1000, 1001]

/** Length prefixes that break length checks: off by one, at varint size steps, past 2^31, 2^32, 2^53. */
const EDGE_LENGTHS: readonly number[] = [0, 1, 0x7f, 0x80, 0x3fff, 0x4000, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 2 ** 35, 2 ** 53 - 1, 2 ** 53, 2 ** 63]

const EDGE_BYTES: readonly number[] = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x08, 0x0a, 0x12]

/** Applies 1..maxOps random mutations to `input` (which is never modified). */
export function mutate (rand: Prng, input: Uint8Array, opts: MutateOptions = {}): Mutant {
  const headerBytes = opts.headerBytes ?? 0
  const maxLength = opts.maxLength ?? 1400
  const donors = opts.donors ?? []
  const n = 1 + (rand.chance(0.5) ? 0 : rand.int(Math.max(1, opts.maxOps ?? 4)))
  let bytes = input
  const ops: string[] = []
  for (let i = 0; i < n; i++) {
    const structured = bytes.length > headerBytes && rand.chance(0.55)
    const r = structured ? structuredOp(rand, bytes, headerBytes, donors, 0, headerBytes) : null
    const step = r ?? byteOp(rand, bytes, headerBytes, donors)
    bytes = step.bytes
    ops.push(step.op)
  }
  if (bytes.length > maxLength) {
    bytes = bytes.subarray(0, maxLength)
    ops.push(`cap ${maxLength}`)
  }
  return { bytes, ops }
}

interface Step {
  bytes: Uint8Array
  op: string
}

/** A mutation that ignores structure. */
export function byteOp (rand: Prng, bytes: Uint8Array, headerBytes: number, donors: readonly Uint8Array[]): Step {
  const len = bytes.length
  const kind = len === 0 ? rand.pick(['extend', 'insert', 'splice']) : rand.pick(headerBytes === 2 && len >= 2 ? BYTE_OPS : BYTE_OPS_NO_HEADER)
  switch (kind) {
    case 'flip': {
      const at = rand.int(len)
      const bit = rand.int(8)
      const out = Uint8Array.from(bytes)
      out[at]! ^= 1 << bit
      return { bytes: out, op: `flip ${at}.${bit}` }
    }
    case 'set': {
      const at = rand.int(len)
      const v = rand.chance(0.5) ? rand.pick(EDGE_BYTES) : rand.int(256)
      const out = Uint8Array.from(bytes)
      out[at] = v
      return { bytes: out, op: `set ${at}=${v}` }
    }
    case 'truncate': {
      const to = rand.chance(0.3) ? len - 1 : rand.int(len)
      return { bytes: bytes.subarray(0, to), op: `truncate ${to}` }
    }
    case 'extend': {
      const k = 1 + rand.length(200)
      const tail = rand.chance(0.5) || len === 0 ? rand.bytes(k) : repeat(bytes.subarray(rand.int(len)), k)
      return { bytes: concatBytes([bytes, tail]), op: `extend +${k}` }
    }
    case 'insert': {
      const at = rand.int(len + 1)
      const k = 1 + rand.length(40)
      return { bytes: splice(bytes, at, at, rand.bytes(k)), op: `insert ${at}+${k}` }
    }
    case 'erase': {
      const at = rand.int(len)
      const k = 1 + rand.int(Math.min(len - at, 40))
      return { bytes: splice(bytes, at, at + k, []), op: `erase ${at}-${k}` }
    }
    case 'duplicate': {
      const from = rand.int(len)
      const k = 1 + rand.int(Math.min(len - from, 64))
      const at = rand.int(len + 1)
      return { bytes: splice(bytes, at, at, bytes.slice(from, from + k)), op: `duplicate ${from}+${k}@${at}` }
    }
    case 'splice': {
      const other = donors.length > 0 ? rand.pick(donors) : bytes
      const cut = rand.int(len + 1)
      const from = rand.int(other.length + 1)
      return { bytes: concatBytes([bytes.subarray(0, cut), other.subarray(from)]), op: `splice ${cut}|${from}` }
    }
    case 'header': {
      const out = Uint8Array.from(bytes)
      if (rand.chance(0.5)) {
        out[0]! ^= 0x80
        return { bytes: out, op: 'header request-bit' }
      }
      const tid = rand.int(0x8000)
      out[0] = (out[0]! & 0x80) | (tid >>> 8)
      out[1] = tid & 0xff
      return { bytes: out, op: `header tid=${tid}` }
    }
  }
  throw new Error(`unknown byte op ${kind}`)
}

const BYTE_OPS = ['flip', 'flip', 'set', 'truncate', 'extend', 'insert', 'erase', 'duplicate', 'splice', 'header'] as const
const BYTE_OPS_NO_HEADER = BYTE_OPS.filter((k) => k !== 'header')

/**
 * A mutation of one protobuf field of the message at `bytes[start..]`, or null when that region
 * does not scan as protobuf. Lengths of enclosing fields are rewritten so the message stays
 * well-formed, except for the mutations meant to break a length prefix.
 */
export function structuredOp (rand: Prng, bytes: Uint8Array, start: number, donors: readonly Uint8Array[], depth: number, donorHeader = start): Step | null {
  const scan = scanProto(bytes, start)
  if (scan.fields.length === 0) return null
  const f = rand.pick(scan.fields)
  const key = bytes.subarray(f.start, f.lenStart)
  const content = bytes.subarray(f.dataStart, f.end)
  const kinds = f.wire === 2 ? LD_OPS : FIXED_OPS
  const kind = rand.pick(kinds)
  const where = `f${f.field}`
  switch (kind) {
    case 'resize': {
      const size = rand.chance(0.7) ? rand.pick(EDGE_SIZES) : Math.max(0, content.length + rand.range(-2, 2))
      const next = size <= content.length ? content.subarray(0, size) : concatBytes([content, rand.bytes(size - content.length)])
      return { bytes: rewrite(bytes, f, key, next), op: `resize ${where} ${content.length}->${size}` }
    }
    case 'length': {
      // a length prefix that disagrees with what follows (the field is left as it was)
      const value = rand.chance(0.6) ? rand.pick(EDGE_LENGTHS) : Math.max(0, content.length + rand.range(-3, 3))
      const enc = rand.chance(0.15) ? [...overlongVarint(value, 10 - varint(value).length)] : varint(value)
      return { bytes: splice(bytes, f.lenStart, f.dataStart, enc), op: `length ${where} ${content.length}->${value}` }
    }
    case 'overlong': {
      // the same length in more bytes than needed: valid protobuf that naive readers get wrong
      const extra = rand.range(1, 6)
      return { bytes: splice(bytes, f.lenStart, f.dataStart, overlongVarint(content.length, extra)), op: `overlong ${where} +${extra}` }
    }
    case 'inner': {
      // mutate the content, then fix this field's length (and nothing else is affected)
      let inner: Step | null = null
      if (depth < 3 && rand.chance(0.6)) inner = structuredOp(rand, content, 0, [], depth + 1)
      inner ??= byteOp(rand, content, 0, donors)
      return { bytes: rewrite(bytes, f, key, inner.bytes), op: `${where}{${inner.op}}` }
    }
    case 'transplant': {
      // the content of the same field number from another input
      const donor = donors.length > 0 ? rand.pick(donors) : null
      const other = donor === null ? [] : scanProto(donor, Math.min(donorHeader, donor.length)).fields.filter((g) => g.wire === 2)
      if (other.length === 0) return null
      const g = rand.pick(other)
      return { bytes: rewrite(bytes, f, key, donor!.subarray(g.dataStart, g.end)), op: `transplant ${where}<-f${g.field}` }
    }
    case 'dup': {
      const at = rand.chance(0.5) ? f.end : bytes.length
      return { bytes: splice(bytes, at, at, bytes.slice(f.start, f.end)), op: `dup ${where}` }
    }
    case 'drop':
      return { bytes: splice(bytes, f.start, f.end, []), op: `drop ${where}` }
    case 'wire': {
      const wire = rand.pick([0, 1, 2, 3, 4, 5, 6, 7].filter((w) => w !== f.wire))
      return { bytes: splice(bytes, f.start, f.lenStart, varint(f.field * 8 + wire)), op: `wire ${where} ${f.wire}->${wire}` }
    }
    case 'renumber': {
      const field = rand.pick([0, 1, 2, 3, 4, 5, 6, 7, 8, 15, 16, 2047, 2 ** 29 - 1])
      return { bytes: splice(bytes, f.start, f.lenStart, varint(field * 8 + f.wire)), op: `renumber ${where}->${field}` }
    }
  }
  throw new Error(`unknown structured op ${kind}`)
}

const LD_OPS = ['resize', 'resize', 'length', 'overlong', 'inner', 'inner', 'inner', 'transplant', 'dup', 'drop', 'wire', 'renumber'] as const
const FIXED_OPS = ['dup', 'drop', 'wire', 'renumber'] as const

/** `bytes` with field `f`'s content replaced and its length prefix rewritten to match. */
function rewrite (bytes: Uint8Array, f: ProtoField, key: Uint8Array, content: Uint8Array): Uint8Array {
  return concatBytes([bytes.subarray(0, f.start), key, Uint8Array.from(varint(content.length)), content, bytes.subarray(f.end)])
}

function repeat (pattern: Uint8Array, k: number): Uint8Array {
  const out = new Uint8Array(k)
  for (let i = 0; i < k; i++) out[i] = pattern[i % pattern.length]!
  return out
}
