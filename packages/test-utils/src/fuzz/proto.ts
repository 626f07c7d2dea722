// A tolerant protobuf wire-format scanner and writer for the mutation engine: it finds the
// fields of a message (key, length prefix, content) so that mutations can aim at the structure
// (a length prefix, one field's size, a nested message) instead of only at random bytes.
// Independent of the codecs under test on purpose: it must not share their bugs.

/** One field of a scanned message; offsets are absolute in the scanned bytes. */
export interface ProtoField {
  /** Offset of the key varint. */
  start: number
  /** Offset of the length varint (wire type 2), else of the value. */
  lenStart: number
  /** Offset of the content (after the length varint for wire type 2). */
  dataStart: number
  /** Offset after the field. */
  end: number
  field: number
  wire: number
}

export interface ProtoScan {
  fields: ProtoField[]
  /** True when the whole region parsed as fields (no trailing garbage, nothing truncated). */
  clean: boolean
}

/** Reads a varint (at most 10 bytes, value as a float past 2^53); null if truncated or too long. */
export function readVarint (bytes: Uint8Array, offset: number, end: number): { value: number, next: number } | null {
  let value = 0
  let scale = 1
  for (let i = 0; i < 10; i++) {
    if (offset + i >= end) return null
    const b = bytes[offset + i]!
    value += (b & 0x7f) * scale
    scale *= 128
    if (b < 0x80) return { value, next: offset + i + 1 }
  }
  return null
}

/** The minimal varint of a non-negative integer (up to 2^64 as a float). */
export function varint (value: number): number[] {
  const out: number[] = []
  let v = value
  while (v >= 0x80) {
    out.push((v % 128) | 0x80)
    v = Math.floor(v / 128)
  }
  out.push(v)
  return out
}

/** The same value with `extra` redundant continuation bytes (valid protobuf, non-minimal). */
export function overlongVarint (value: number, extra: number): number[] {
  const out = varint(value)
  out[out.length - 1]! |= 0x80
  for (let i = 1; i < extra; i++) out.push(0x80)
  out.push(0x00)
  return out
}

/** Scans `bytes[start..end)` as protobuf fields, stopping at the first thing that does not parse. */
export function scanProto (bytes: Uint8Array, start = 0, end = bytes.length): ProtoScan {
  const fields: ProtoField[] = []
  let offset = start
  while (offset < end) {
    const key = readVarint(bytes, offset, end)
    if (key === null || key.value > 0xffffffff) return { fields, clean: false }
    const field = Math.floor(key.value / 8)
    const wire = key.value % 8
    if (field === 0) return { fields, clean: false }
    const lenStart = key.next
    let dataStart = lenStart
    let next: number
    if (wire === 0) {
      const v = readVarint(bytes, lenStart, end)
      if (v === null) return { fields, clean: false }
      next = v.next
    } else if (wire === 1) {
      next = lenStart + 8
    } else if (wire === 5) {
      next = lenStart + 4
    } else if (wire === 2) {
      const len = readVarint(bytes, lenStart, end)
      if (len === null) return { fields, clean: false }
      dataStart = len.next
      next = dataStart + len.value
    } else {
      return { fields, clean: false }
    }
    if (next > end) return { fields, clean: false }
    fields.push({ start: offset, lenStart, dataStart, end: next, field, wire })
    offset = next
  }
  return { fields, clean: true }
}

/** A length-delimited field: key, minimal length, content. */
export function lengthDelimited (field: number, content: Uint8Array): Uint8Array {
  return concatBytes([Uint8Array.from(varint(field * 8 + 2)), Uint8Array.from(varint(content.length)), content])
}

export function concatBytes (parts: readonly Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = Buffer.allocUnsafe(n)
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

/** `bytes` with `[start, end)` replaced by `insert` (a new buffer). */
export function splice (bytes: Uint8Array, start: number, end: number, insert: Uint8Array | readonly number[]): Uint8Array {
  const mid = insert instanceof Uint8Array ? insert : Uint8Array.from(insert)
  return concatBytes([bytes.subarray(0, start), mid, bytes.subarray(end)])
}
