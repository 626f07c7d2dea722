// scripts/proto-gen.mjs: the committed generated code matches its .proto, every supported field
// type encodes byte for byte like protocol-buffers@3 (the reference's codec library), and
// schemas the generator cannot handle correctly are refused.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import fc from 'fast-check'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { emit, findProtos, generateFile, outputOf, parseSchema } from '../../../scripts/proto-gen.mjs'

const require = createRequire(import.meta.url)
const hyperdhtRequire = createRequire(require.resolve('hyperdht'))
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any
const protocolBuffers = hyperdhtRequire('protocol-buffers') as (schema: string) => Any

const fcOptions = (numRuns: number): fc.Parameters<unknown> =>
  process.env.FC_SEED === undefined ? { numRuns } : { numRuns, seed: Number(process.env.FC_SEED) }
const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')

const ALL_TYPES = `
syntax = "proto2";

message All {
  required string name = 1;
  optional bytes data = 2;
  optional uint32 small = 3;
  optional uint64 big = 4;
  optional bool flag = 5;
  required uint64 seq = 20;
  optional string note = 300;
}
`

describe('proto-gen', () => {
  it('the committed generated files match their .proto (what `pnpm proto:check` checks)', () => {
    const protos = findProtos()
    expect(protos.length).toBeGreaterThanOrEqual(2)
    for (const proto of protos) expect(readFileSync(outputOf(proto), 'utf8').replace(/\r\n/g, '\n')).toBe(generateFile(proto))
  })

  it('refuses what it cannot encode correctly', () => {
    const refused = [
      'syntax = "proto3";\nmessage A { string a = 1; }',
      'message A { optional string a = 1; }', // no syntax line: proto2 must be explicit
      'syntax = "proto2";\nmessage A { repeated bytes a = 1; }',
      'syntax = "proto2";\nmessage A { optional sint32 a = 1; }',
      'syntax = "proto2";\nmessage A { optional uint32 a = 1 [default = 5]; }',
      'syntax = "proto2";\nmessage A { message B { optional bytes b = 1; } optional B b = 1; }',
      'syntax = "proto2";\nenum E { X = 0; }\nmessage A { optional E e = 1; }',
      'syntax = "proto2";\nmessage A { oneof o { bytes a = 1; bytes b = 2; } }',
      'syntax = "proto2";\nmessage A { map<string, bytes> m = 1; }',
      'syntax = "proto2";\nmessage A { optional bytes a = 1 [(uint_be) = 7]; }', // past 2^53 at 7 bytes
      'syntax = "proto2";\nmessage A { optional bytes a = 1 [(uint_be) = 0]; }',
      'syntax = "proto2";\nmessage A { optional uint32 a = 1 [(uint_be) = 4]; }',
      'syntax = "proto2";\nmessage A { optional bytes a = 1 [(uint_be) = 6, deprecated = true]; }'
    ]
    for (const schema of refused) expect(() => parseSchema(schema), schema).toThrow()
  })

  describe('every supported type, against protocol-buffers', () => {
    let dir: string
    let All: Any
    const ref = protocolBuffers(ALL_TYPES).All

    beforeAll(async () => {
      // Generated TypeScript, transpiled and imported like any module.
      const code = emit(parseSchema(ALL_TYPES), 'all.proto')
      const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText
      dir = mkdtempSync(join(tmpdir(), 'proto-gen-'))
      writeFileSync(join(dir, 'all.mjs'), js)
      All = (await import(pathToFileURL(join(dir, 'all.mjs')).href)).All
    })
    afterAll(() => rmSync(dir, { recursive: true, force: true }))

    const message = fc.record({
      name: fc.string({ maxLength: 50, unit: 'binary' }),
      data: fc.option(fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)), { nil: null }),
      small: fc.option(fc.nat({ max: 2 ** 32 - 1 }), { nil: null }),
      big: fc.option(fc.oneof(fc.nat(), fc.constantFrom(0, 2 ** 32, 2 ** 53 - 1, 2 ** 35 - 1), fc.maxSafeNat()), { nil: null }),
      flag: fc.option(fc.boolean(), { nil: null }),
      seq: fc.maxSafeNat(),
      note: fc.option(fc.string({ maxLength: 5 }), { nil: null })
    })

    it('same bytes as protocol-buffers, and each decodes the other', () => {
      fc.assert(fc.property(message, (m) => {
        const ours = All.encode(m)
        expect(hex(ours)).toBe(hex(ref.encode(m)))
        const back = All.decode(ref.encode(m))
        expect({ ...back, data: back.data === null ? null : hex(back.data) }).toEqual({ ...m, data: m.data === null ? null : hex(m.data) })
        const theirs = ref.decode(Buffer.from(ours))
        expect(theirs.name).toBe(m.name)
        expect(theirs.seq).toBe(m.seq)
        if (m.big !== null) expect(theirs.big).toBe(m.big)
        if (m.flag !== null) expect(theirs.flag).toBe(m.flag)
      }), fcOptions(500))
    })

    it('numbers out of range are refused both ways', () => {
      expect(() => All.encode({ name: '', seq: 2 ** 53 })).toThrow(TypeError)
      expect(() => All.encode({ name: '', seq: -1 })).toThrow(TypeError)
      expect(() => All.encode({ name: '', seq: 1.5 })).toThrow(TypeError)
      expect(() => All.encode({ name: '', seq: 0, small: 2 ** 32 })).toThrow(TypeError)
      expect(() => All.encode({ name: '', seq: 0, flag: 1 })).toThrow(TypeError)
      // seq = 2^53 on the wire: 0xa0 0x01 (field 20, varint), then 2^53 as a varint
      const over = Buffer.from([0x0a, 0x00, 0xa0, 0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10])
      expect(() => All.decode(over)).toThrow(/out of range/)
      const max = Buffer.from([0x0a, 0x00, 0xa0, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f])
      expect(All.decode(max).seq).toBe(2 ** 53 - 1)
      // small = 2^32 on the wire
      expect(() => All.decode(Buffer.from([0x0a, 0x00, 0xa0, 0x01, 0x00, 0x18, 0x80, 0x80, 0x80, 0x80, 0x10]))).toThrow(/out of range/)
      expect(All.decode(Buffer.from([0x0a, 0x00, 0xa0, 0x01, 0x00, 0x18, 0xff, 0xff, 0xff, 0xff, 0x0f])).small).toBe(2 ** 32 - 1)
    })

    it('a required field missing on the wire throws; multi-byte keys decode', () => {
      expect(() => All.decode(Buffer.from([0x0a, 0x00]))).toThrow(/seq/)
      const m = { name: 'é€😀\ud800', seq: 1, note: 'x' } // non-ASCII, a surrogate pair and a lone surrogate
      expect(hex(All.encode(m))).toBe(hex(ref.encode(m)))
      expect(All.decode(All.encode(m))).toMatchObject({ name: 'é€😀\ufffd', seq: 1, note: 'x' })
    })
  })

  describe('(uint_be): a fixed-size bytes field typed as the number it spells', () => {
    const SCHEMA = `
syntax = "proto2";

message Packed {
  required bytes one = 1 [(uint_be) = 1];
  optional bytes three = 2 [(uint_be) = 3];
  optional bytes four = 3 [(uint_be) = 4];
  optional bytes five = 4 [(uint_be) = 5];
  optional bytes six = 5 [(uint_be) = 6];
  optional bytes raw = 6;
}
`
    const SIZES = { one: 1, three: 3, four: 4, five: 5, six: 6 } as const
    let dir: string
    let Packed: Any
    const ref = protocolBuffers(SCHEMA.replace(/ \[\(uint_be\) = \d\]/g, '')).Packed
    const toNumber = (b: Uint8Array): number => b.reduce((n, x) => n * 256 + x, 0)
    const toBytes = (n: number, size: number): Buffer => Buffer.from(Array.from({ length: size }, (_, i) => Math.floor(n / 2 ** (8 * (size - 1 - i))) % 256))

    beforeAll(async () => {
      const code = emit(parseSchema(SCHEMA), 'packed.proto')
      expect(code).toMatch(/one: number\n/)
      expect(code).toMatch(/six\?: number \| null/)
      const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText
      dir = mkdtempSync(join(tmpdir(), 'proto-gen-'))
      writeFileSync(join(dir, 'packed.mjs'), js)
      Packed = (await import(pathToFileURL(join(dir, 'packed.mjs')).href)).Packed
    })
    afterAll(() => rmSync(dir, { recursive: true, force: true }))

    it('same bytes as protocol-buffers with the bytes, both ways, at every size', () => {
      const sized = (size: number): fc.Arbitrary<Buffer> => fc.uint8Array({ minLength: size, maxLength: size }).map((a) => Buffer.from(a))
      const message = fc.record({
        one: sized(1),
        three: fc.option(sized(3), { nil: null }),
        four: fc.option(sized(4), { nil: null }),
        five: fc.option(sized(5), { nil: null }),
        six: fc.option(fc.oneof(sized(6), fc.constant(Buffer.alloc(6, 255)), fc.constant(Buffer.from([0x80, 0, 0, 0, 0, 1]))), { nil: null }),
        raw: fc.option(fc.uint8Array({ maxLength: 10 }).map((a) => Buffer.from(a)), { nil: null })
      })
      fc.assert(fc.property(message, (m) => {
        const ours: Record<string, unknown> = { ...m }
        for (const k of Object.keys(SIZES) as Array<keyof typeof SIZES>) ours[k] = m[k] === null ? null : toNumber(m[k])
        const encoded = Packed.encode(ours)
        expect(hex(encoded)).toBe(hex(ref.encode(m)))
        const back = Packed.decode(ref.encode(m))
        expect({ ...back, raw: back.raw === null ? null : hex(back.raw) }).toEqual({ ...ours, raw: m.raw === null ? null : hex(m.raw) })
        const theirs = ref.decode(Buffer.from(encoded))
        for (const [k, size] of Object.entries(SIZES)) {
          const v = ours[k] as number | null
          expect(theirs[k] === null ? null : hex(theirs[k])).toBe(v === null ? null : hex(toBytes(v, size)))
        }
      }), fcOptions(300))
    })

    it('a value of another length decodes as absent; numbers that do not fit are refused', () => {
      for (const len of [0, 5, 7, 30]) {
        expect(Packed.decode(ref.encode({ one: Buffer.from([9]), six: Buffer.alloc(len, 1) }))).toMatchObject({ one: 9, six: null })
      }
      expect(() => Packed.decode(ref.encode({ one: Buffer.from([1, 2]) }))).toThrow(/missing required field Packed.one/)
      for (const [k, size] of Object.entries(SIZES)) {
        for (const bad of [2 ** (8 * size), -1, 0.5, Number.NaN, '1']) expect(() => Packed.encode({ one: 0, [k]: bad }), `${k} = ${String(bad)}`).toThrow(TypeError)
        expect(() => Packed.encode({ one: 0, [k]: 2 ** (8 * size) - 1 })).not.toThrow()
      }
    })
  })
})
