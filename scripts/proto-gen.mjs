#!/usr/bin/env node
// Generates specialised TypeScript encoders/decoders from proto2 schemas.
//
//   node scripts/proto-gen.mjs                 regenerate every packages/*/src/**/*.proto
//   node scripts/proto-gen.mjs --check         fail (exit 1) if a committed file is stale
//   node scripts/proto-gen.mjs [--check] a.proto b.proto
//
// `x.proto` becomes `x.ts` next to it. protobufjs is used only to PARSE the schema; the emitted
// code has no dependency. Why our own generator: the reference's wire format is proto2 with a
// handful of scalar types, and straight-line code for exactly these messages (no reader/writer
// objects, no defaults on prototypes, decoded bytes as plain views of the input) measured
// several times faster than both protobufjs flavours and the reference's `protocol-buffers`
// (packages/dht-rpc/bench/codec.ts). It runs with plain Node on any platform (no pbjs, no sed).
//
// Supported: proto2 top-level messages whose fields are `required`/`optional` and of type
// string, bytes, uint32, uint64 (as a JS number, at most 2^53 - 1) or bool. Anything else
// (repeated, maps, oneofs, enums, nested or imported types, defaults, proto3) is an error here
// rather than silently wrong code.
//
// One field option: `optional bytes x = 3 [(uint_be) = 6];` keeps the field `bytes` on the wire
// but types it as a JS number: the big-endian unsigned integer its N bytes spell (1 <= N <= 6,
// so it stays exact). It is for short fixed-size values a program reads as a whole, like a
// 6-byte IPv4 peer: a Uint8Array of 6 costs more to create (V8's typed-array constructor is a
// builtin call on Node 20, about 25 ns) than the rest of such a message's decode, and the
// program would only pick the bytes apart again. A value of any other length decodes as null
// (absent), as a reader of the fixed-size value would ignore it.
//
// The emitted codec, per message `M`:
//   M.encodingLength(m)        bytes `m` encodes to; throws TypeError on a missing required
//                              field or a value of the wrong type
//   M.encodeInto(m, buf, off)  writes `m` at `buf[off..]`, returns the offset after it; throws
//                              RangeError if `buf` is too short (so a framer allocates once)
//   M.encode(m)                a new Uint8Array (a Node Buffer) holding `m`
//   M.decode(buf, off?, end?)  the message in `buf[off..end]`; absent optional fields are null,
//                              `bytes` are views into `buf` (no copy), unknown fields are
//                              skipped (forward compatibility), and malformed input (truncated,
//                              wrong wire type, missing required field, out-of-range number,
//                              group or reserved wire types) throws an Error. It never reads
//                              outside `buf[off..end]`. A `(uint_be)` field is a number.
// Encoding is byte-identical to protocol-buffers@3 (fields in declaration order, null and
// undefined fields left out), which the tests check against the reference encoders.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import protobuf from 'protobufjs'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** Wire type and TypeScript type of each supported scalar. */
const TYPES = {
  string: { wire: 2, ts: 'string' },
  bytes: { wire: 2, ts: 'Uint8Array' },
  uint32: { wire: 0, ts: 'number' },
  uint64: { wire: 0, ts: 'number' },
  bool: { wire: 0, ts: 'boolean' }
}

class SchemaError extends Error {}

/** Parses `source` (the text of a .proto file) into a list of supported messages. */
export function parseSchema (source, file = 'schema.proto') {
  const syntax = /^\s*syntax\s*=\s*"([^"]+)"\s*;/m.exec(source)
  if (syntax === null || syntax[1] !== 'proto2') throw new SchemaError(`${file}: only proto2 schemas are supported (syntax = "proto2";)`)
  const parsed = protobuf.parse(source, { keepCase: true, alternateCommentMode: true })
  if (parsed.imports !== undefined || parsed.weakImports !== undefined) throw new SchemaError(`${file}: imports are not supported`)
  const messages = []
  for (const type of parsed.root.nestedArray) {
    if (!(type instanceof protobuf.Type)) throw new SchemaError(`${file}: ${type.name}: only messages are supported at the top level`)
    if (type.nestedArray.length > 0) throw new SchemaError(`${file}: ${type.name}: nested types are not supported`)
    if (type.oneofsArray.length > 0) throw new SchemaError(`${file}: ${type.name}: oneofs are not supported`)
    if ((type.extensions ?? []).length > 0) throw new SchemaError(`${file}: ${type.name}: extensions are not supported`)
    const fields = []
    const ids = new Set()
    for (const f of type.fieldsArray) {
      const where = `${file}: ${type.name}.${f.name}`
      if (f.map || f.rule === 'repeated') throw new SchemaError(`${where}: repeated fields and maps are not supported`)
      if (f.rule !== undefined && f.rule !== 'required' && f.rule !== 'optional') throw new SchemaError(`${where}: unsupported label ${f.rule}`)
      if (!Object.hasOwn(TYPES, f.type)) throw new SchemaError(`${where}: type ${f.type} is not supported (${Object.keys(TYPES).join(', ')})`)
      const { '(uint_be)': uintBytes, ...others } = f.options ?? {}
      if (Object.keys(others).length > 0) throw new SchemaError(`${where}: field options (defaults, packed, ...) other than (uint_be) are not supported`)
      if (uintBytes !== undefined && (f.type !== 'bytes' || !Number.isInteger(uintBytes) || uintBytes < 1 || uintBytes > 6)) {
        throw new SchemaError(`${where}: (uint_be) takes a bytes field and a length from 1 to 6`)
      }
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(f.name)) throw new SchemaError(`${where}: field name is not a JS identifier`)
      if (ids.has(f.id)) throw new SchemaError(`${where}: duplicate field number ${f.id}`)
      ids.add(f.id)
      fields.push({ name: f.name, id: f.id, type: f.type, uintBytes: uintBytes ?? null, required: f.rule === 'required', comment: f.comment ?? null })
    }
    messages.push({ name: type.name, comment: type.comment ?? null, fields })
  }
  if (messages.length === 0) throw new SchemaError(`${file}: no messages`)
  return messages
}

/** The TypeScript type of field `f`. */
function tsType (f) {
  return f.uintBytes === null ? TYPES[f.type].ts : 'number'
}

/** A JS expression: the big-endian unsigned integer of `n` bytes at `buf[o]` (n <= 6). */
function readUintBE (n) {
  const byte = (i) => `buf[o + ${i}]!`.replace('o + 0', 'o')
  const low = Math.min(n, 4) // the last (at most) 4 bytes with 32-bit operations
  const lowStart = n - low
  const parts = []
  for (let i = 0; i < low; i++) {
    const shift = 8 * (low - 1 - i)
    parts.push(shift === 0 ? byte(lowStart + i) : `${byte(lowStart + i)} << ${shift}`)
  }
  let expr = low === 1 ? parts[0] : low === 4 ? `((${parts.join(' | ')}) >>> 0)` : `(${parts.join(' | ')})`
  // the bytes above them by multiplication: bit operations would truncate to 32 bits
  for (let i = lowStart - 1; i >= 0; i--) expr = `${byte(i)} * 0x${(2 ** (8 * (n - 1 - i))).toString(16)} + ${expr}`
  return expr
}

/** Statements writing `v` (a number below 2^(8n)) as `n` big-endian bytes at `buf[offset]`. */
function writeUintBE (n, v) {
  const out = []
  const low = Math.min(n, 4)
  if (n > 4) {
    const hi = `${v}hi`
    out.push(`const ${hi} = Math.floor(${v} / 0x100000000)`)
    for (let i = n - 5; i >= 0; i--) out.push(i === 0 ? `buf[offset++] = ${hi} & 0xff` : `buf[offset++] = (${hi} >>> ${8 * i}) & 0xff`)
  }
  // >>> takes the number modulo 2^32 first, so it also yields the low bytes of a 48-bit value
  for (let i = low - 1; i >= 0; i--) out.push(i === 0 ? `buf[offset++] = ${v} & 0xff` : `buf[offset++] = (${v} >>> ${8 * i}) & 0xff`)
  return out
}

/** Bytes of a varint holding `v`. */
function varintBytes (v) {
  const out = []
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80)
    v = Math.floor(v / 128)
  }
  out.push(v)
  return out
}

function doc (comment, indent) {
  if (comment === null || comment.trim() === '') return ''
  const lines = comment.trim().split('\n')
  if (lines.length === 1) return `${indent}/** ${lines[0].replaceAll('*/', '*\\/')} */\n`
  return `${indent}/**\n${lines.map((l) => `${indent} * ${l.replaceAll('*/', '*\\/')}`.trimEnd()).join('\n')}\n${indent} */\n`
}

/** Conditions (as JS) true when `tag` is a field number of `fields`, as ranges where possible. */
function knownTagCondition (fields) {
  const ids = fields.map((f) => f.id).sort((a, b) => a - b)
  const parts = []
  for (let i = 0; i < ids.length;) {
    let j = i
    while (j + 1 < ids.length && ids[j + 1] === ids[j] + 1) j++
    if (j === i) parts.push(`tag === ${ids[i]}`)
    else parts.push(`tag >= ${ids[i]} && tag <= ${ids[j]}`)
    i = j + 1
  }
  return parts.length === 1 ? parts[0] : parts.map((p) => p.includes('&&') ? `(${p})` : p).join(' || ')
}

// The runtime helpers, each emitted only when a message uses it. They are small enough for V8
// to inline into the generated functions.
const HELPERS = {
  cursor: `// Offset after the last varint or length prefix read: lets the readers return one number
// instead of allocating a pair.
let cursor = 0`,
  fail: `// Malformed input from the network is counted and dropped: a stack trace is never read, and
// capturing one costs more than the decoding (every junk datagram ends here).
function fail (message: string): never {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  const err = new Error(message)
  Error.stackTraceLimit = limit
  throw err
}`,
  invalid: `function invalid (message: string): never {
  throw new TypeError(message)
}`,
  varintLength: `function varintLength (v: number): number {
  if (v < 0x80) return 1
  if (v < 0x4000) return 2
  if (v < 0x200000) return 3
  if (v < 0x10000000) return 4
  if (v < 0x800000000) return 5
  if (v < 0x40000000000) return 6
  if (v < 0x2000000000000) return 7
  return 8 // up to 2^56 - 1, past the 2^53 - 1 a number holds exactly
}`,
  writeVarint: `function writeVarint (buf: Uint8Array, offset: number, v: number): number {
  while (v > 0x7f) {
    buf[offset++] = (v & 0x7f) | 0x80 // & keeps the low 7 bits of numbers past 2^32 as well
    v = v > 0xffffffff ? Math.floor(v / 128) : v >>> 7
  }
  buf[offset++] = v
  return offset
}`,
  readVarint32: `// A varint of at most 32 bits starting at buf[offset]; sets \`cursor\` past it.
function readVarint32 (buf: Uint8Array, offset: number, end: number): number {
  let value = 0
  for (let shift = 0; shift < 28; shift += 7) {
    if (offset >= end) fail('truncated varint')
    const b = buf[offset++]!
    value |= (b & 0x7f) << shift
    if (b < 0x80) {
      cursor = offset
      return value
    }
  }
  if (offset >= end) fail('truncated varint')
  const b = buf[offset++]!
  if (b > 0x0f) fail('varint out of range') // more than 32 bits
  cursor = offset
  return (value >>> 0) + b * 0x10000000
}`,
  readVarint53: `// A varint of at most 53 bits (Number.MAX_SAFE_INTEGER) starting at buf[offset]; sets
// \`cursor\` past it. Adds with multiplication: bit operations would truncate to 32 bits.
function readVarint53 (buf: Uint8Array, offset: number, end: number): number {
  let value = 0
  let scale = 1
  for (let i = 0; i < 8; i++) {
    if (offset >= end) fail('truncated varint')
    const b = buf[offset++]!
    value += (b & 0x7f) * scale
    if (b < 0x80) {
      if (value > Number.MAX_SAFE_INTEGER) break
      cursor = offset
      return value
    }
    scale *= 128
  }
  return fail('varint out of range') // more than 53 bits
}`,
  readLength: `// A length prefix at buf[offset]; sets \`cursor\` past it and checks that as many bytes follow.
function readLength (buf: Uint8Array, offset: number, end: number): number {
  if (offset >= end) fail('truncated length')
  let len = buf[offset]!
  if (len < 0x80) cursor = offset + 1
  else len = readVarint32(buf, offset, end)
  if (len > end - cursor) fail('truncated field')
  return len
}`,
  skipField: `// Skips an unknown field (forward compatibility) whose key was read; returns the offset after it.
function skipField (buf: Uint8Array, key: number, offset: number, end: number): number {
  if (key >>> 3 === 0) fail('invalid field number 0')
  switch (key & 7) {
    case 0: // varint, at most 10 bytes
      for (let i = 0; i < 10; i++) {
        if (offset >= end) fail('truncated varint')
        if (buf[offset++]! < 0x80) return offset
      }
      return fail('varint too long')
    case 1: // 64-bit
      if (end - offset < 8) fail('truncated field')
      return offset + 8
    case 2: { // length-delimited
      const len = readLength(buf, offset, end)
      return cursor + len
    }
    case 5: // 32-bit
      if (end - offset < 4) fail('truncated field')
      return offset + 4
    default: // groups (3, 4) are deprecated and unused here; 6 and 7 are not wire types
      return fail('unsupported wire type')
  }
}`,
  checkRange: `function checkRange (buf: Uint8Array, offset: number, end: number): void {
  if (!(Number.isInteger(offset) && Number.isInteger(end) && offset >= 0 && offset <= end && end <= buf.length)) {
    throw new RangeError('offset or end outside the buffer')
  }
}`,
  bytesView: `// Decoded bytes are plain Uint8Arrays (even if the input was a Buffer) that may share memory
// with the input. A long field is a view of the input's ArrayBuffer. Making one needs
// buf.buffer and buf.byteOffset, which Node 20 reads through C++ calls that cost more than the
// view itself: the decoder reads them once, at its first long field. A field of at most
// SHORT_BYTES met before that (a 6-byte address, say) is copied instead: measured, the copy
// costs less than those two reads (a message whose one bytes field was a 6-byte address decoded
// in about 20% less time), and a kept copy does not hold on to the datagram. A short field after
// a long one is a view, which is cheaper than a copy once the two reads are paid.
export const SHORT_BYTES = 8

function bytesView (ab: ArrayBufferLike, start: number, len: number): Uint8Array {
  return new Uint8Array(ab, start, len)
}

function bytesCopy (buf: Uint8Array, start: number, len: number): Uint8Array {
  const copy = new Uint8Array(len)
  for (let i = 0; i < len; i++) copy[i] = buf[start + i]!
  return copy
}`,
  utf8: `const utf8Decoder = new TextDecoder()
const utf8Encoder = new TextEncoder()

// Strings here are short ASCII command names that repeat: the last one decoded in each of 64
// slots is kept and handed out again when the same bytes come back, without allocating.
const stringCache: string[] = new Array<string>(64).fill('')

// Invalid UTF-8 becomes U+FFFD, as with the reference's Buffer#toString.
function readString (buf: Uint8Array, offset: number, len: number): string {
  if (len === 0) return ''
  if (len > 32) return utf8Decoder.decode(buf.subarray(offset, offset + len))
  const slot = (len * 31 + buf[offset]! * 7 + buf[offset + len - 1]!) & 63
  const cached = stringCache[slot]!
  if (cached.length === len) {
    let i = 0
    while (i < len && cached.charCodeAt(i) === buf[offset + i]) i++
    if (i === len) return cached
  }
  let s = ''
  for (let i = offset; i < offset + len; i++) {
    const c = buf[i]!
    if (c > 0x7f) return utf8Decoder.decode(buf.subarray(offset, offset + len)) // not cached
    s += String.fromCharCode(c)
  }
  stringCache[slot] = s
  return s
}

// UTF-8 length of a JS string; a lone surrogate counts as U+FFFD (3 bytes), as Buffer.byteLength.
function utf8Length (s: string): number {
  let len = s.length
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) continue
    if (c < 0x800) len += 1
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      len += 2 // a surrogate pair: 2 UTF-16 units, 4 bytes
      i++
    } else len += 2
  }
  return len
}

function writeString (buf: Uint8Array, offset: number, s: string, len: number): number {
  if (len === s.length) { // ASCII
    for (let i = 0; i < len; i++) buf[offset + i] = s.charCodeAt(i)
    return offset + len
  }
  utf8Encoder.encodeInto(s, buf.subarray(offset, offset + len))
  return offset + len
}`,
  writeBytes: `// (\`length\`, not \`byteLength\`, throughout: the same for a Uint8Array, and a much cheaper
// property on Node 20, where the byteLength/byteOffset/buffer getters are not inlined.)
function writeBytes (buf: Uint8Array, offset: number, v: Uint8Array): number {
  buf.set(v, offset) // measured faster than a loop even for 32 bytes
  return offset + v.length
}`,
  allocate: `function allocate (size: number): Uint8Array {
  return Buffer.allocUnsafe(size) // from Node's pool for small sizes; every byte gets written
}`
}

const HELPER_DEPS = {
  readVarint32: ['cursor', 'fail'],
  readVarint53: ['cursor', 'fail'],
  readLength: ['cursor', 'fail', 'readVarint32'],
  skipField: ['cursor', 'fail', 'readLength'],
  utf8: [],
  writeVarint: []
}

/** The TypeScript module for `messages` (from parseSchema), as a string. */
export function emit (messages, sourceName) {
  const used = new Set()
  const use = (name) => {
    if (used.has(name)) return
    used.add(name)
    for (const dep of HELPER_DEPS[name] ?? []) use(dep)
  }
  for (const h of ['fail', 'invalid', 'checkRange', 'varintLength', 'writeVarint', 'readVarint32', 'readLength', 'skipField', 'allocate']) use(h)
  const body = []
  for (const m of messages) body.push(emitMessage(m, use))

  const order = ['cursor', 'fail', 'invalid', 'checkRange', 'varintLength', 'writeVarint', 'readVarint32', 'readVarint53', 'readLength', 'skipField', 'bytesView', 'writeBytes', 'utf8', 'allocate']
  const helpers = order.filter((h) => used.has(h)).map((h) => HELPERS[h])
  return [
    `// Generated by scripts/proto-gen.mjs from ${sourceName}. Do not edit: change the .proto and run`,
    '// `pnpm proto`. `pnpm proto:check` (part of `pnpm lint`) fails if this file is stale.',
    '/* eslint-disable */',
    ...(used.has('allocate') ? ["import { Buffer } from 'node:buffer' // (the global is an accessor on Node 20: about 6 ns more a use)"] : []),
    '',
    helpers.join('\n\n'),
    '',
    body.join('\n\n'),
    ''
  ].join('\n')
}

function emitMessage (m, use) {
  const { name, fields } = m
  const out = []

  // The message type: optional fields accept null or undefined; decode returns Required<M>.
  out.push(doc(m.comment, '') + `export interface ${name} {`)
  for (const f of fields) {
    const ts = tsType(f)
    out.push(doc(f.comment, '  ') + (f.required ? `  ${f.name}: ${ts}` : `  ${f.name}?: ${ts} | null`))
  }
  out.push('}', '')

  // Validation of one field value, shared by encodingLength and encodeInto.
  const check = (f, v) => {
    const where = `${name}.${f.name}`
    if (f.uintBytes !== null) {
      const n = f.uintBytes
      const unit = n === 1 ? 'byte' : 'bytes'
      return `if (!(Number.isInteger(${v}) && ${v} >= 0 && ${v} < 0x${(2 ** (8 * n)).toString(16)})) invalid('${where} must be an integer in [0, 2^${8 * n}) (${n} ${unit})')`
    }
    switch (f.type) {
      case 'string': return `if (typeof ${v} !== 'string') invalid('${where} must be a string')`
      case 'bytes': return `if (!(${v} instanceof Uint8Array)) invalid('${where} must be a Uint8Array')`
      case 'uint32': return `if (${v} >>> 0 !== ${v}) invalid('${where} must be an integer in [0, 2^32)')`
      case 'uint64': return `if (!Number.isSafeInteger(${v}) || ${v} < 0) invalid('${where} must be an integer in [0, 2^53)')`
      case 'bool': return `if (typeof ${v} !== 'boolean') invalid('${where} must be a boolean')`
    }
    throw new Error(f.type)
  }
  const present = (v) => `${v} !== null && ${v} !== undefined`

  // encodingLength
  const len = [`function encodingLength${name} (m: ${name}): number {`, '  let length = 0']
  for (const [i, f] of fields.entries()) {
    const v = `v${i}`
    const key = varintBytes((f.id << 3) | TYPES[f.type].wire).length
    const lines = [check(f, v)]
    switch (f.uintBytes === null ? f.type : 'uint_be') {
      case 'uint_be': lines.push(`length += ${key + 1 + f.uintBytes}`); break
      case 'string': lines.push(`const n${i} = utf8Length(${v})`, `length += ${key} + varintLength(n${i}) + n${i}`); use('utf8'); break
      case 'bytes': lines.push(`length += ${key} + varintLength(${v}.length) + ${v}.length`); break
      case 'uint32': case 'uint64': lines.push(`length += ${key} + varintLength(${v})`); break
      case 'bool': lines.push(`length += ${key + 1}`); break
    }
    len.push(`  const ${v} = m.${f.name}`)
    if (f.required) len.push(`  if (${v} === null || ${v} === undefined) invalid('${name}.${f.name} is required')`, ...lines.map((l) => '  ' + l))
    else len.push(`  if (${present(v)}) {`, ...lines.map((l) => '    ' + l), '  }')
  }
  len.push('  return length', '}')
  out.push(len.join('\n'), '')

  // encodeInto: the same walk, writing. Validation is repeated so that encodeInto is safe alone.
  const enc = [`function encodeInto${name} (m: ${name}, buf: Uint8Array, offset: number): number {`]
  for (const [i, f] of fields.entries()) {
    const v = `v${i}`
    const key = varintBytes((f.id << 3) | TYPES[f.type].wire)
    const lines = [check(f, v), ...key.map((b) => `buf[offset++] = ${b}`)]
    switch (f.uintBytes === null ? f.type : 'uint_be') {
      case 'uint_be': lines.push(`buf[offset++] = ${f.uintBytes}`, ...writeUintBE(f.uintBytes, v)); break
      case 'string': lines.push(`const n${i} = utf8Length(${v})`, `offset = writeVarint(buf, offset, n${i})`, `offset = writeString(buf, offset, ${v}, n${i})`); break
      case 'bytes': lines.push(`offset = writeVarint(buf, offset, ${v}.length)`, `offset = writeBytes(buf, offset, ${v})`); use('writeBytes'); break
      case 'uint32': case 'uint64': lines.push(`offset = writeVarint(buf, offset, ${v})`); break
      case 'bool': lines.push(`buf[offset++] = ${v} ? 1 : 0`); break
    }
    enc.push(`  const ${v} = m.${f.name}`)
    if (f.required) enc.push(`  if (${v} === null || ${v} === undefined) invalid('${name}.${f.name} is required')`, ...lines.map((l) => '  ' + l))
    else enc.push(`  if (${present(v)}) {`, ...lines.map((l) => '    ' + l), '  }')
  }
  // Writes past the end of a typed array are dropped, not performed: a short buffer is caught
  // here, after the fact, instead of by a length computation up front.
  enc.push("  if (offset > buf.length) throw new RangeError('buffer too short')", '  return offset', '}')
  out.push(enc.join('\n'), '')

  // decode
  const dec = [`function decode${name} (buf: Uint8Array, offset: number, end: number): Required<${name}> {`, '  checkRange(buf, offset, end)']
  if (fields.some((f) => f.type === 'bytes' && f.uintBytes === null)) dec.push('  let ab: ArrayBufferLike | null = null', '  let base = 0')
  for (const f of fields) dec.push(`  let ${f.name}: ${tsType(f)} | null = null`)
  dec.push('  while (offset < end) {', '    let key = buf[offset]!', '    if (key < 0x80) offset++', '    else {', '      key = readVarint32(buf, offset, end)', '      offset = cursor', '    }', '    switch (key) {')
  for (const f of fields) {
    const key = (f.id << 3) | TYPES[f.type].wire
    dec.push(`      case ${key}: {`)
    switch (f.uintBytes === null ? f.type : 'uint_be') {
      case 'uint_be':
        dec.push('        const len = readLength(buf, offset, end)', '        const o = cursor',
          `        ${f.name} = len === ${f.uintBytes} ? ${readUintBE(f.uintBytes)} : null // another length is not such a value`,
          '        offset = o + len'); break
      case 'string':
        dec.push('        const len = readLength(buf, offset, end)', `        ${f.name} = readString(buf, cursor, len)`, '        offset = cursor + len'); use('utf8'); break
      case 'bytes':
        dec.push('        const len = readLength(buf, offset, end)',
          `        if (ab === null && len <= SHORT_BYTES) ${f.name} = bytesCopy(buf, cursor, len)`,
          '        else {',
          '          if (ab === null) {',
          '            ab = buf.buffer',
          '            base = buf.byteOffset',
          '          }',
          `          ${f.name} = bytesView(ab, base + cursor, len)`,
          '        }',
          '        offset = cursor + len'); use('bytesView'); break
      case 'uint32':
        dec.push('        if (offset >= end) fail(\'truncated varint\')', `        ${f.name} = buf[offset]!`, `        if (${f.name} < 0x80) offset++`, '        else {', `          ${f.name} = readVarint32(buf, offset, end)`, '          offset = cursor', '        }'); break
      case 'uint64':
        dec.push(`        ${f.name} = readVarint53(buf, offset, end)`, '        offset = cursor'); use('readVarint53'); break
      case 'bool':
        dec.push(`        ${f.name} = readVarint53(buf, offset, end) !== 0`, '        offset = cursor'); use('readVarint53'); break
    }
    dec.push('        break', '      }')
  }
  dec.push('      default: {', '        const tag = key >>> 3', `        if (${knownTagCondition(fields)}) fail('wrong wire type for ${name} field ' + tag)`,
    '        offset = skipField(buf, key, offset, end)', '      }', '    }', '  }')
  for (const f of fields.filter((f) => f.required)) dec.push(`  if (${f.name} === null) fail('missing required field ${name}.${f.name}')`)
  dec.push(`  return { ${fields.map((f) => f.name).join(', ')} }`, '}')
  out.push(dec.join('\n'), '')

  out.push(`/** Codec of {@link ${name}}, byte-compatible with protocol-buffers@3. */
export const ${name} = {
  encodingLength: encodingLength${name},
  encodeInto (m: ${name}, buf: Uint8Array, offset = 0): number {
    if (!Number.isInteger(offset) || offset < 0) throw new RangeError('offset must be a non-negative integer')
    return encodeInto${name}(m, buf, offset)
  },
  encode (m: ${name}): Uint8Array {
    const buf = allocate(encodingLength${name}(m))
    encodeInto${name}(m, buf, 0)
    return buf
  },
  decode (buf: Uint8Array, offset = 0, end = buf.length): Required<${name}> {
    return decode${name}(buf, offset, end)
  }
}`)
  return out.join('\n')
}

/** The generated TypeScript for the .proto file at `file`. */
export function generateFile (file) {
  return emit(parseSchema(readFileSync(file, 'utf8'), relative(ROOT, file)), basename(file))
}

/** Every .proto under packages/<pkg>/src. */
export function findProtos (root = ROOT) {
  const found = []
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.proto')) found.push(path)
    }
  }
  const packages = join(root, 'packages')
  for (const pkg of readdirSync(packages, { withFileTypes: true })) {
    if (!pkg.isDirectory()) continue
    try { walk(join(packages, pkg.name, 'src')) } catch (err) { if (err.code !== 'ENOENT') throw err }
  }
  return found.sort()
}

export function outputOf (file) {
  return file.replace(/\.proto$/, '.ts')
}

function main (argv) {
  const check = argv.includes('--check')
  const files = argv.filter((a) => a !== '--check').map((f) => resolve(f))
  const protos = files.length > 0 ? files : findProtos()
  const stale = []
  for (const proto of protos) {
    const code = generateFile(proto)
    const target = outputOf(proto)
    let current = null
    // a checkout with CRLF line endings (git autocrlf on Windows) is not stale
    try { current = readFileSync(target, 'utf8').replace(/\r\n/g, '\n') } catch {}
    if (current === code) continue
    if (check) stale.push(relative(process.cwd(), target))
    else {
      writeFileSync(target, code)
      console.log(`wrote ${relative(process.cwd(), target)}`)
    }
  }
  if (check) {
    if (stale.length > 0) {
      console.error(`stale generated code (run \`pnpm proto\`): ${stale.join(', ')}`)
      return 1
    }
    console.log(`generated code matches its .proto (${protos.length} files)`)
  }
  return 0
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main(process.argv.slice(2))
  } catch (err) {
    if (!(err instanceof SchemaError)) throw err
    console.error(err.message)
    process.exitCode = 1
  }
}
